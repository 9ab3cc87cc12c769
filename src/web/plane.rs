//! The page's control plane: what the page does with the visitor's actions and the
//! worker's replies, as a typed state machine in plain Rust (tested natively).
//!
//! `www/app.js` only wires the DOM: it turns clicks, settings, links, a half-second tick
//! and the worker's messages into [`Event`]s, hands each to [`ControlPlane::handle`]
//! with the time, and carries out the [`Command`]s it returns — post a message to the
//! worker, start a fresh one, write the controls or a text. Every decision is here:
//!
//! * **Which [`Phase`] the page is in**: starting a worker, running, paused, held
//!   (settings too heavy to start unasked), stopped (by the visitor, by a stuck
//!   request, or after a second crash on the same settings), finished.
//! * **The hold decision**: the settings' estimated cost ([`crate::budget`]) at this
//!   machine's measured rates — measured first when the slow prior calls a run heavy —
//!   against the heaviest run the visitor already chose to run.
//! * **One supervisor** for a worker that crashes (a panic, an error event, a pool
//!   thread's panic), goes silent (a request unanswered for [`STUCK_MS`]) or never
//!   starts (its threaded build not ready within [`START_MS`]: the single-threaded one
//!   then): each replaces the worker through `ControlPlane::start_worker`, the only
//!   road to a new one.
//! * **Which snapshots are drawn**: only those of the settings generation the worker
//!   confirmed for the settings sent last, and none while a control is being changed.

use super::controls::{self, CONTROLS};
use crate::budget::{Estimate, Rates};
use crate::web::form;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The controls' text, `{key: text}`.
pub type Form = BTreeMap<String, String>;

/// A request unanswered this long means the worker is inside one long unit of work: it
/// is replaced by a fresh one with the settings the controls show (adfd's choice).
pub const STUCK_MS: f64 = 3000.0;
/// A threaded worker that has not said it is ready this long after it was started is
/// replaced, once, by the single-threaded build (a browser that stalls starting the
/// pool's workers; adfd's choice).
pub const START_MS: f64 = 15000.0;

/// Requests that replace the comparison: snapshots of the old one are stale once sent.
fn replaces(request: &str) -> bool {
    matches!(request, "configure" | "reset" | "newSeed")
}

/// Requests that never count as stuck: bounded work, or a cheap answer.
fn never_stuck(request: &str) -> bool {
    matches!(request, "report" | "config" | "rates")
}

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

/// Where the page's computation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// A worker is starting (the first, or a replacement).
    Starting,
    /// Settings too heavy to start unasked wait for Run.
    Held,
    /// Stopped by the visitor, by a stuck request, or after a second crash.
    Stopped,
    /// Computing.
    Running,
    /// Paused (or stepped).
    Paused,
    /// The comparison and any sweep are complete.
    Finished,
}

impl Phase {
    /// The status line's word for it.
    fn words(self, set_up: bool) -> &'static str {
        match self {
            Phase::Starting => "starting…",
            Phase::Held => "waiting: press Run to start",
            Phase::Stopped => "stopped",
            Phase::Running if set_up => "running…",
            Phase::Running => "setting up…",
            Phase::Paused => "paused",
            Phase::Finished => "done",
        }
    }
}

/// The current worker, as the plane knows it.
#[derive(Clone, Debug, Default)]
struct Worker {
    /// It said it is ready: requests go to it.
    ready: bool,
    /// When it was started.
    since: f64,
    /// It was started as the threaded build (so it may never start).
    threaded: bool,
    /// Requests sent and not yet answered, oldest first (it answers in order).
    inflight: VecDeque<(String, f64)>,
    /// Requests that replace the comparison, sent and not yet answered.
    awaiting: u32,
}

/// A heavy run's cost the visitor chose to run: lighter ones then run unasked.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Cost {
    bytes: f64,
    seconds: f64,
}

/// The page's state: see the module docs.
#[derive(Clone, Debug, Default)]
pub struct ControlPlane {
    worker: Worker,
    /// The first worker has said it is ready (the first settings are loaded).
    started: bool,
    /// The settings to load once the first worker is ready.
    first: Option<Link>,
    isolated: bool,
    asked_threads: Option<String>,
    /// Why the page runs the single-threaded build after a threaded start failed.
    fallback: Option<String>,
    threads: Option<Threads>,
    /// The controls' settings last applied, and the defaults of the last link.
    form: Form,
    defaults: Form,
    /// Controls set by hand or by the current link: a change of problem, precision or
    /// model moves the others to adfd's defaults and leaves these.
    touched: BTreeSet<String>,
    /// The generation of the settings whose snapshots are drawn.
    generation: Option<u32>,
    running: bool,
    finished: bool,
    held: bool,
    stopped: bool,
    editing: bool,
    /// A link's settings are on their way to the worker; its action after them.
    link_pending: bool,
    link_action: Option<String>,
    /// A link's sweep waits for Run (its settings were held).
    held_sweep: bool,
    /// Crashes per settings (their JSON): twice on the same, the page stays stopped.
    crashes: BTreeMap<String, u32>,
    confirmed: Cost,
    rates: Option<Rates>,
    measuring: bool,
    /// Settings waiting for this machine's rates (`restart`).
    pending: Option<bool>,
    estimate: Option<Estimate>,
    /// Answers per request, for the tests.
    acks: BTreeMap<String, u32>,
    /// The last announced text.
    announced: String,
    /// The summary of the last snapshot drawn.
    shown: Option<Summary>,
}

/// The plane's state as the page's tests read it (`window.adfd.state`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View {
    /// The page's phase.
    pub phase: Phase,
    /// The first worker was ready and the first settings were sent.
    pub ready: bool,
    /// The worker is computing.
    pub running: bool,
    /// The comparison is complete.
    pub finished: bool,
    /// Settings wait for Run.
    pub held: bool,
    /// The page is stopped.
    pub stopped: bool,
    /// A control is being changed.
    pub editing: bool,
    /// A link's settings are on their way.
    pub link_pending: bool,
    /// The generation drawn.
    pub generation: Option<u32>,
    /// Replacing requests unanswered.
    pub awaiting: u32,
    /// How the worker computes.
    pub threads: Option<Threads>,
    /// This machine's measured rates.
    pub rates: Option<Rates>,
    /// The estimate of the settings last applied.
    pub estimate: Option<Estimate>,
    /// Answers per request.
    pub acks: BTreeMap<String, u32>,
}

impl ControlPlane {
    /// A plane for a page being built: no worker yet (the page's `Init` starts one).
    pub fn new() -> Self {
        Self::default()
    }

    /// What the page's tests read.
    pub fn view(&self) -> View {
        View {
            phase: self.phase(),
            ready: self.started,
            running: self.running,
            finished: self.finished,
            held: self.held,
            stopped: self.stopped,
            editing: self.editing,
            link_pending: self.link_pending,
            generation: self.generation,
            awaiting: self.worker.awaiting,
            threads: self.threads.clone(),
            rates: self.rates,
            estimate: self.estimate.clone(),
            acks: self.acks.clone(),
        }
    }

    /// The page's phase.
    pub fn phase(&self) -> Phase {
        if self.stopped {
            Phase::Stopped
        } else if self.held {
            Phase::Held
        } else if !self.worker.ready {
            Phase::Starting
        } else if self.finished {
            Phase::Finished
        } else if self.running {
            Phase::Running
        } else {
            Phase::Paused
        }
    }

    /// Handles `event` at time `now` (milliseconds, the page's clock) and returns what
    /// the page must do, in order.
    pub fn handle(&mut self, event: Event, now: f64) -> Vec<Command> {
        let mut out = Vec::new();
        match event {
            Event::Init {
                first,
                isolated,
                threads,
                worker_since,
            } => {
                self.first = first;
                self.isolated = isolated;
                self.asked_threads = threads;
                let mut started = Vec::new();
                self.start_worker(worker_since.unwrap_or(now), &mut started);
                if worker_since.is_none() {
                    out.extend(started);
                }
            }
            Event::Link(link) => self.load_link(link, now, &mut out),
            Event::Changing { key, form } => self.changing(key, form, &mut out),
            Event::Apply { form } => {
                self.form = form;
                self.apply(false, false, now, &mut out);
            }
            Event::Toggle if self.running => {
                self.send("pause", json!({}), now, &mut out);
            }
            Event::Toggle | Event::Run => self.run(now, &mut out),
            Event::Stop => {
                self.stopped = true;
                self.set_running(false, &mut out);
                self.start_worker(now, &mut out);
                self.say(
                    "stopped: the computation was abandoned; the settings are kept — press Run to start again",
                    &mut out,
                );
                out.push(Command::Status {
                    text: "stopped · the settings are kept · press Run to start again".into(),
                });
            }
            Event::Request { request } => {
                self.send(&request, json!({}), now, &mut out);
            }
            Event::Tick => self.supervise(now, &mut out),
            Event::Ready { threads, form } => {
                if self.started {
                    self.form = form;
                }
                self.ready(threads, now, &mut out);
            }
            Event::Ok {
                request,
                running,
                generation,
            } => self.ok(&request, running, generation, now, &mut out),
            Event::Error {
                request,
                field,
                message,
            } => self.error(&request, field, message, now, &mut out),
            Event::Snapshot { running, summary } => self.snapshot(running, summary, &mut out),
            Event::Finished => {
                self.set_running(false, &mut out);
                // Idle now: the next settings' estimate is then exact.
                self.measure_rates(now, &mut out);
            }
            Event::Rates { rates } => {
                self.rates = Some(rates);
                self.measuring = false;
                if let Some(restart) = self.pending.take() {
                    self.apply(restart, true, now, &mut out);
                }
            }
            Event::Panic { message } => self.crashed(message, now, &mut out),
            Event::Seed { seed } => {
                let values = Form::from([("seed".to_owned(), format!("{seed}"))]);
                out.push(Command::WriteControls { values });
                out.push(Command::ToHash);
            }
        }
        out
    }

    /// Starts a fresh worker in place of the current one (the supervisor's one road):
    /// its requests, pending settings and rate measurement are forgotten, and its
    /// `Ready` applies the controls again.
    fn start_worker(&mut self, now: f64, out: &mut Vec<Command>) {
        let threads = match &self.fallback {
            Some(_) => Some("off".to_owned()),
            None => self.asked_threads.clone(),
        };
        self.worker = Worker {
            ready: false,
            since: now,
            threaded: self.fallback.is_none() && self.isolated && threads.as_deref() != Some("off"),
            inflight: VecDeque::new(),
            awaiting: 0,
        };
        self.measuring = false;
        self.pending = None;
        self.generation = None;
        out.push(Command::StartWorker { threads });
    }

    /// Posts request `kind` (with the fields of `body`) once the worker is ready;
    /// earlier requests are dropped (a new worker takes the controls' settings when it
    /// starts). Returns whether it was sent.
    fn send(&mut self, kind: &str, body: Value, now: f64, out: &mut Vec<Command>) -> bool {
        if !self.worker.ready {
            return false;
        }
        self.worker.inflight.push_back((kind.to_owned(), now));
        if replaces(kind) {
            self.worker.awaiting += 1;
        }
        let mut message = body;
        message["type"] = Value::String(kind.to_owned());
        out.push(Command::Post { message });
        true
    }

    /// The oldest request is answered; once no replacing request is outstanding, the
    /// worker's `generation` is the one to draw.
    fn answered(&mut self, generation: Option<u32>) {
        if let Some((kind, _)) = self.worker.inflight.pop_front() {
            if replaces(&kind) {
                self.worker.awaiting = self.worker.awaiting.saturating_sub(1);
            }
        }
        if self.worker.awaiting == 0 {
            if let Some(g) = generation {
                self.generation = Some(g);
            }
        }
    }

    fn set_running(&mut self, running: bool, out: &mut Vec<Command>) {
        self.running = running;
        if running {
            self.held = false;
            self.stopped = false;
            out.push(Command::BudgetNote { text: None });
        }
        out.push(Command::Running { running });
    }

    /// Says `text` in the live region, once per change.
    fn say(&mut self, text: &str, out: &mut Vec<Command>) {
        if self.announced != text {
            self.announced = text.to_owned();
            out.push(Command::Announce {
                text: text.to_owned(),
            });
        }
    }

    /// Asks the worker for this machine's rates, once: when a decision first depends
    /// on them, or when the first run is done.
    fn measure_rates(&mut self, now: f64, out: &mut Vec<Command>) {
        if self.rates.is_none() && !self.measuring {
            self.measuring = self.send("rates", json!({}), now, out);
        }
    }

    /// Sends the controls' settings to the worker. Settings estimated above a gigabyte
    /// or a minute here ([`crate::budget`], adfd's choice) are applied but held unless
    /// the visitor already ran something at least as heavy; heavy at the slow prior,
    /// they wait for this machine's rates first. A stopped page holds any settings.
    fn apply(&mut self, restart: bool, keep_hash: bool, now: f64, out: &mut Vec<Command>) {
        self.held_sweep = false;
        if !restart {
            out.push(Command::GeneralError {
                text: String::new(),
            });
        }
        if !keep_hash {
            out.push(Command::ToHash);
        }
        let estimate = form::estimate(&self.form, self.rates.as_ref());
        if estimate.as_ref().is_some_and(|e| e.heavy && e.provisional) {
            self.pending = Some(restart);
            self.measure_rates(now, out);
            out.push(Command::Status {
                text: "measuring this machine's speed to estimate these settings…".into(),
            });
            return;
        }
        let heavy = estimate.as_ref().is_some_and(|e| {
            // An unknown time (NaN) is more than any confirmed one.
            let longer = e.seconds.is_nan() || e.seconds > self.confirmed.seconds;
            e.heavy && (e.bytes > self.confirmed.bytes || longer)
        });
        let hold = heavy || self.stopped;
        self.held = hold;
        out.push(Command::BudgetNote {
            text: heavy.then(|| {
                let summary = estimate.as_ref().map_or("", |e| e.summary.as_str());
                format!("This run needs {summary}, so it waits for you (adfd asks above 1 GB or a minute).")
            }),
        });
        self.estimate = estimate;
        self.editing = false;
        let form = serde_json::to_value(&self.form).unwrap_or(Value::Null);
        self.send("configure", json!({ "form": form, "run": !hold }), now, out);
        if hold {
            self.set_running(false, out);
        }
    }

    /// Run (or "Run anyway"): a heavy run the visitor starts is confirmed, and lighter
    /// ones after it are not held.
    fn run(&mut self, now: f64, out: &mut Vec<Command>) {
        if let Some(e) = self.estimate.as_ref().filter(|e| e.heavy) {
            self.confirmed = Cost {
                bytes: self.confirmed.bytes.max(e.bytes),
                seconds: self.confirmed.seconds.max(e.seconds),
            };
        }
        self.stopped = false;
        self.held = false;
        out.push(Command::BudgetNote { text: None });
        let kind = if self.held_sweep { "sweep" } else { "resume" };
        self.held_sweep = false;
        self.send(kind, json!({}), now, out);
    }

    /// A settings link: adfd's defaults for its problem, precision and model under its
    /// values, written into the controls, then applied as a new run.
    fn load_link(&mut self, link: Link, now: f64, out: &mut Vec<Command>) {
        let get = |k: &str| link.values.get(k).map_or("", String::as_str);
        let defaults: Form = controls::defaults_for(get("problem"), get("precision"), get("model"))
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        self.touched = link.values.keys().cloned().collect();
        let mut values = defaults.clone();
        values.extend(link.values.clone());
        self.defaults = defaults;
        self.form = values
            .iter()
            .filter(|(k, _)| CONTROLS.iter().any(|c| c.key == k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.push(Command::DefaultsNote {
            text: String::new(),
        });
        out.push(Command::WriteControls { values });
        out.push(Command::GeneralError {
            text: link.problems.join(" "),
        });
        self.link_pending = true;
        self.link_action = link.action;
        self.apply(true, false, now, out);
    }

    /// A control is being changed: nothing is drawn until the settings are sent. After
    /// a change of problem, precision or model, the controls not touched move to adfd's
    /// defaults for the new choice, and a note says which.
    fn changing(&mut self, key: String, form: Form, out: &mut Vec<Command>) {
        self.editing = true;
        self.touched.insert(key.clone());
        if !["problem", "precision", "model"].contains(&key.as_str()) {
            return;
        }
        let get = |k: &str| form.get(k).map_or("", String::as_str);
        let (problem, precision, model) = (get("problem"), get("precision"), get("model"));
        let moved: Form = controls::defaults_for(problem, precision, model)
            .into_iter()
            .filter(|(k, v)| !self.touched.contains(*k) && form.get(*k) != Some(v))
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let text = if moved.is_empty() {
            String::new()
        } else {
            let keys: Vec<&str> = moved.keys().map(String::as_str).collect();
            let which = if model == "rfm" { "RFM" } else { "network" };
            format!(
                "Moved {} to adfd's defaults for the {which} on {problem} in {precision}; settings you changed stay.",
                keys.join(", ")
            )
        };
        out.push(Command::WriteControls { values: moved });
        out.push(Command::DefaultsNote { text });
    }

    /// The worker is ready: the first one loads the first settings; a replacement takes
    /// the settings the controls show.
    fn ready(&mut self, mut threads: Threads, now: f64, out: &mut Vec<Command>) {
        self.worker.ready = true;
        if let Some(why) = &self.fallback {
            threads.note = why.clone();
        }
        self.threads = Some(threads);
        if self.started {
            self.apply(true, false, now, out);
            return;
        }
        self.started = true;
        match self.first.take() {
            Some(link) => self.load_link(link, now, out),
            None => {
                // An in-page anchor (#about): adfd's defaults, the address left alone.
                let defaults: Form = controls::defaults_for("", "", "")
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect();
                self.defaults = defaults.clone();
                self.form = defaults.clone();
                out.push(Command::WriteControls { values: defaults });
                self.apply(true, true, now, out);
            }
        }
    }

    fn ok(
        &mut self,
        request: &str,
        running: bool,
        generation: u32,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        self.answered(Some(generation));
        // While newer settings are on their way, an older request's answer says whether
        // the old run was running: theirs will say what counts.
        if self.worker.awaiting == 0 {
            self.set_running(running, out);
        }
        *self.acks.entry(request.to_owned()).or_default() += 1;
        if request == "configure" {
            out.push(Command::ClearErrors { keep_general: true });
            // A link's sweep starts with it, or, when its settings are held, on Run.
            if self.link_pending && self.link_action.as_deref() == Some("sweep") {
                if self.held {
                    self.held_sweep = true;
                } else {
                    self.send("sweep", json!({}), now, out);
                }
            }
            self.link_pending = false;
            self.link_action = None;
        }
    }

    fn error(
        &mut self,
        request: &str,
        field: String,
        message: String,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        self.answered(None);
        if request == "configure" && self.link_pending {
            // A link with a rejected value: say why, show the defaults, and run what the
            // controls now show (the worker still holds the settings before the link).
            self.link_pending = false;
            self.link_action = None;
            out.push(Command::ClearErrors {
                keep_general: false,
            });
            out.push(Command::WriteControls {
                values: self.defaults.clone(),
            });
            self.form = self.defaults.clone();
            self.apply(true, false, now, out);
            let what = if field.is_empty() {
                "settings"
            } else {
                field.as_str()
            };
            out.push(Command::GeneralError {
                text: format!(
                    "This link's {what} was rejected: {message}. The defaults are used instead."
                ),
            });
        } else {
            out.push(Command::ShowError { field, message });
        }
    }

    /// A snapshot is drawn only when it belongs to the generation the worker confirmed
    /// for the settings sent last, and no control is being changed.
    fn snapshot(&mut self, running: bool, summary: Summary, out: &mut Vec<Command>) {
        if self.editing || self.worker.awaiting > 0 || Some(summary.generation) != self.generation {
            return;
        }
        self.finished = summary.finished;
        self.set_running(running, out);
        out.push(Command::Draw);
        if let Some(error) = &summary.error {
            out.push(Command::GeneralError {
                text: error.clone(),
            });
        }
        out.push(Command::Status {
            text: self.describe(&summary),
        });
        let network = summary.model == "network";
        let phase = self.phase().words(summary.set_up);
        let text = format!(
            "{} {}: {phase}",
            summary.problem,
            if network { "network" } else { "RFM" }
        );
        self.say(&text, out);
        self.shown = Some(summary);
    }

    /// The status line: what runs, how far, how fast, on how many threads, and the
    /// phase.
    fn describe(&self, s: &Summary) -> String {
        let net = s.model == "network";
        let mut parts = vec![
            s.problem.clone(),
            if net { "network" } else { "RFM" }.to_owned(),
            format!("seed {}", s.seed),
        ];
        if s.total > 0 {
            parts.push(format!(
                "{} {}/{}",
                if net { "step" } else { "run" },
                s.done,
                s.total
            ));
        }
        match (&s.optimizer, s.lr) {
            (Some(o), _) if o == "lm" => parts.push("Levenberg–Marquardt".into()),
            (Some(o), Some(lr)) => parts.push(format!("{o}, lr {lr:.2e}")),
            _ => {}
        }
        if let Some(ms) = s.ms_per_unit {
            parts.push(if net {
                format!("{ms:.1} ms per step (all runs)")
            } else {
                format!("{ms:.0} ms per run")
            });
        }
        if let Some((done, total)) = s.sweep {
            parts.push(format!("sweep {done}/{total}"));
        }
        if let Some(ms) = s.drawn_ms {
            parts.push(format!("drawn in {ms:.0} ms"));
        }
        if let Some(t) = &self.threads {
            let threads = format!("{} thread{}", t.count, if t.count == 1 { "" } else { "s" });
            parts.push(match t.build.as_str() {
                "threaded" => threads,
                "threaded+fma" => format!("{threads} + FMA"),
                _ => format!("1 thread ({})", t.note),
            });
        }
        parts.push(self.phase().words(s.set_up).to_owned());
        parts.join(" · ")
    }

    /// The supervisor, every half second: a request unanswered for [`STUCK_MS`] (a
    /// pause or a step then leaves the page stopped), or a threaded worker not ready
    /// within [`START_MS`] (the single-threaded build then, saying why), is replaced.
    fn supervise(&mut self, now: f64, out: &mut Vec<Command>) {
        let stuck = self
            .worker
            .inflight
            .iter()
            .find(|(kind, at)| !never_stuck(kind) && now - at > STUCK_MS)
            .map(|(kind, _)| kind.clone());
        if let Some(kind) = stuck {
            if kind == "pause" || kind == "step" {
                self.stopped = true;
            }
            out.push(Command::Status {
                text: format!(
                    "the computation did not answer \"{kind}\" within {} s; it was replaced by a fresh one",
                    STUCK_MS / 1000.0
                ),
            });
            self.start_worker(now, out);
        } else if !self.worker.ready && self.worker.threaded && now - self.worker.since > START_MS {
            self.fallback = Some(format!(
                "the threaded build did not start within {} s",
                START_MS / 1000.0
            ));
            self.start_worker(now, out);
        }
    }

    /// The worker crashed: it is replaced, and the settings it crashed on are counted;
    /// twice on the same settings, the page stays stopped until Run.
    fn crashed(&mut self, message: String, now: f64, out: &mut Vec<Command>) {
        let settings = serde_json::to_string(&self.form).unwrap_or_default();
        let count = self.crashes.entry(settings).or_default();
        *count += 1;
        let again = *count >= 2;
        out.push(Command::GeneralError {
            text: if again {
                format!("The computation crashed again on these settings ({message}). It is stopped and will not restart by itself: change a setting, or press Run to try once more.")
            } else {
                format!("The computation crashed ({message}). It was restarted with the settings shown.")
            },
        });
        self.stopped = again;
        self.start_worker(now, out);
    }
}

/// The page's facade (wasm32): events and commands cross as JSON text.
#[cfg(target_arch = "wasm32")]
mod facade {
    use super::{ControlPlane, Event};
    use wasm_bindgen::prelude::*;

    /// The page's control plane, for `www/app.js`.
    #[wasm_bindgen(js_name = ControlPlane)]
    pub struct Facade(ControlPlane);

    #[wasm_bindgen(js_class = ControlPlane)]
    impl Facade {
        /// A plane for a page being built.
        #[wasm_bindgen(constructor)]
        pub fn new() -> Facade {
            Facade(ControlPlane::new())
        }

        /// Handles the event (JSON text) at `now` and returns the commands (JSON text,
        /// an array).
        pub fn handle(&mut self, event: &str, now: f64) -> Result<String, JsValue> {
            let event: Event = serde_json::from_str(event)
                .map_err(|e| JsValue::from_str(&format!("the page sent a malformed event: {e}")))?;
            serde_json::to_string(&self.0.handle(event, now))
                .map_err(|e| JsValue::from_str(&e.to_string()))
        }

        /// The state the page's tests read (JSON text).
        pub fn view(&self) -> String {
            serde_json::to_string(&self.0.view()).unwrap_or_default()
        }
    }
}

#[cfg(test)]
#[path = "plane_tests.rs"]
mod tests;
