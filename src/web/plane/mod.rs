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
//! * **The hold decision**: the settings' estimated cost ([`crate::experiment::budget`]) at this
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
use crate::experiment::budget::{Estimate, Rates};
use crate::web::form;
use serde::Serialize;
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

#[cfg(target_arch = "wasm32")]
mod facade;
mod messages;
mod worker;

pub use messages::{Command, Event, Link, Summary, Threads};

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
    /// or a minute here ([`crate::experiment::budget`], adfd's choice) are applied but held unless
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
}

#[cfg(test)]
mod tests;
