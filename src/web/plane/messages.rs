//! What the page and the control plane say to each other: the page's [`Event`]s (with
//! the figures of a snapshot, [`Summary`], and how the worker computes, [`Threads`]) and
//! the plane's [`Command`]s, as JSON text across the wasm boundary.

use super::Form;
use crate::experiment::budget::Rates;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The figures of a snapshot the plane needs (the page keeps the snapshot itself).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Summary {
    /// The settings generation it belongs to.
    pub generation: u32,
    /// `rfm` or `network`.
    pub model: String,
    /// The problem.
    pub problem: String,
    /// The seed.
    pub seed: u64,
    /// Units done and in all.
    pub done: usize,
    /// Units in all.
    pub total: usize,
    /// Set up yet (features, points, initial kernels).
    pub set_up: bool,
    /// The comparison and any sweep are complete.
    pub finished: bool,
    /// A network's optimizer (`lm`, `gd`, `adam`) and learning rate.
    pub optimizer: Option<String>,
    /// The shared learning rate.
    pub lr: Option<f64>,
    /// Milliseconds per unit of work.
    pub ms_per_unit: Option<f64>,
    /// A sweep's units done and in all.
    pub sweep: Option<(usize, usize)>,
    /// The last error, if a numerical failure ended a run.
    pub error: Option<String>,
    /// The page's last frame's drawing time, milliseconds.
    pub drawn_ms: Option<f64>,
}

/// How the worker computes, as it says when ready.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Threads {
    /// Threads computing.
    pub count: usize,
    /// `threaded+fma` (the relaxed-SIMD build), `threaded` or `single`.
    pub build: String,
    /// Why it is single-threaded, when it is.
    pub note: String,
    /// Why it runs without FMA, when it does (empty on the FMA build).
    pub fma: String,
}

/// What the page reports to the plane. In JSON externally tagged, `{"ready": {…}}` or
/// `"tick"` (far less code in the wasm than a tag field, which buffers every event).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Event {
    /// The page is built. `first`: the settings to load once the worker is ready (a
    /// settings link in the address, or the first lesson), `None` for an in-page
    /// anchor (`#about`); `isolated`: the page is cross-origin isolated (threads are
    /// possible); `threads`: what `?threads=` asks for; `worker_since`: when the page
    /// started the first worker itself, early, so that it loads while the page does
    /// (`None`: the plane starts it).
    Init {
        first: Option<Link>,
        isolated: bool,
        threads: Option<String>,
        worker_since: Option<f64>,
    },
    /// A settings link read from the address (checked by the page: its values, the
    /// problems found, and `run=sweep`).
    Link(Link),
    /// A control is being changed (before the debounce): `key` and the controls now.
    Changing { key: String, form: Form },
    /// The controls' settings after a change by hand (the debounce is over).
    Apply { form: Form },
    /// The Run/Pause button.
    Toggle,
    /// Run (or "Run anyway").
    Run,
    /// Stop: whatever the worker does, abandon it.
    Stop,
    /// A request the worker answers without deciding anything here: `step`, `reset`,
    /// `newSeed`, `sweep`, `report`, `config`.
    Request { request: String },
    /// Half a second passed: the supervisor's look at the worker.
    Tick,
    /// The worker is ready; `form`: the controls' settings now.
    Ready { threads: Threads, form: Form },
    /// The worker answered a request.
    Ok {
        request: String,
        running: bool,
        generation: u32,
    },
    /// The worker refused a request (an invalid setting names its control).
    Error {
        request: String,
        field: String,
        message: String,
    },
    /// The worker sent a snapshot.
    Snapshot { running: bool, summary: Summary },
    /// The comparison (and any sweep) finished.
    Finished,
    /// This machine's speed, measured by the worker.
    Rates { rates: Rates },
    /// The worker (or a thread of its pool) crashed: a Rust panic or an error event.
    Panic { message: String },
    /// A new seed was drawn.
    Seed { seed: f64 },
}

/// A settings link: the values it sets, what was wrong with it, and its action.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Link {
    /// `{key: text}` for the controls it sets (and `key_hide` locks).
    pub values: Form,
    /// Sentences about what the page ignored or refused while reading it.
    pub problems: Vec<String>,
    /// `sweep` when the link asks for a sweep after the comparison.
    pub action: Option<String>,
}

/// What the page must do.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "do", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Command {
    /// Post `message` to the worker.
    Post { message: Value },
    /// Terminate the worker (and its pool) and start a fresh one; `threads` is passed on
    /// as its `?threads=` (`off`: the single-threaded build).
    StartWorker { threads: Option<String> },
    /// Write `{key: text}` into the controls (`key_hide` locks a control).
    WriteControls { values: Form },
    /// Write the controls' settings into the address.
    ToHash,
    /// Clear the errors beside the controls (and the general error line unless
    /// `keep_general`).
    ClearErrors { keep_general: bool },
    /// Show `message` beside control `field`.
    ShowError { field: String, message: String },
    /// The general error line.
    GeneralError { text: String },
    /// The note under the controls about settings moved to defaults.
    DefaultsNote { text: String },
    /// The budget note (`None` hides it): what a held run needs.
    BudgetNote { text: Option<String> },
    /// The Run/Pause button shows Pause while running.
    Running { running: bool },
    /// The status line.
    Status { text: String },
    /// The live region: a change of state, said once.
    Announce { text: String },
    /// Draw the snapshot just reported.
    Draw,
}
