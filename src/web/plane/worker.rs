//! The control plane's side facing the worker: its replies (ready, ok, error,
//! snapshots), the status line they feed, and the one supervisor that replaces a
//! worker that crashed, went silent or never started.

use super::*;

impl ControlPlane {
    /// The worker is ready: the first one loads the first settings; a replacement takes
    /// the settings the controls show.
    pub(super) fn ready(&mut self, mut threads: Threads, now: f64, out: &mut Vec<Command>) {
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

    pub(super) fn ok(
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

    pub(super) fn error(
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
    pub(super) fn snapshot(&mut self, running: bool, summary: Summary, out: &mut Vec<Command>) {
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
    pub(super) fn describe(&self, s: &Summary) -> String {
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
    pub(super) fn supervise(&mut self, now: f64, out: &mut Vec<Command>) {
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
    pub(super) fn crashed(&mut self, message: String, now: f64, out: &mut Vec<Command>) {
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
