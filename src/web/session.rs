//! The worker-side facade: one [`Session`] owns the configuration and the running
//! comparison, advances it one unit of work per [`Session::step`], and hands the page a
//! [`Session::snapshot`] made of numbers and `Float64Array`s.
//!
//! A unit of work is one differentiation mode's assembly + SVD + measurements for the
//! RFM, and one optimizer step of every run for a network. The worker's loop decides
//! how many steps to take between messages and when to post, so pause, resume and
//! single-step are "stop calling step", "call it again" and "call it once".

use super::form;
use super::js::{self, f64s, object, set};
use crate::experiment::{Config, ModelKind, RfmFit, RfmSetup};
use crate::net::train::{Comparison, Run};
use crate::operator::DiffMode;
use crate::problem::{PointSet, Points, Problem};
use crate::spectrum::Threshold;
use js_sys::{Array, Object};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use web_time::Instant;

/// Points per axis of the grid the solution panel is drawn on.
const PLOT_1D: usize = 201;
const PLOT_2D: usize = 48;
/// Most runs kept for the entropy scatter.
const HISTORY: usize = 400;
/// Most points of a loss curve sent to the page (longer curves are thinned evenly).
const CURVE: usize = 1500;
/// Most training steps of one run in a network sweep.
const SWEEP_STEPS: usize = 500;

/// Steps `h` of a sweep, log-spaced from 10⁻¹: 12 for the RFM (down to ~3·10⁻⁷, far
/// enough to see FD's round-off floor), 7 for networks (down to 10⁻⁴; each is a training run).
fn sweep_steps(model: ModelKind) -> Vec<f64> {
    let n = if model == ModelKind::Rfm { 12 } else { 7 };
    (0..n).map(|i| 10f64.powf(-1.0 - 0.5 * i as f64)).collect()
}

fn label(h: Option<f64>) -> String {
    match h {
        None => "AD".to_string(),
        Some(h) => format!("FD h={h:.0e}"),
    }
}

/// A paired RFM comparison in progress: AD, then each FD step, on one setup.
struct RfmJob {
    setup: RfmSetup,
    modes: Vec<DiffMode>,
    fits: Vec<RfmFit>,
    /// Solution values of each fit on the plot grid.
    plots: Vec<Vec<f64>>,
}

/// Solution values and errors of one network run, cached per recorded step.
#[derive(Clone, Default)]
struct NetView {
    step: usize,
    plot: Vec<f64>,
    error_l2: f64,
    error_max: f64,
}

/// A paired network-training comparison in progress.
struct NetJob {
    cmp: Comparison,
    views: Vec<Option<NetView>>,
}

enum Job {
    Rfm(RfmJob),
    Net(NetJob),
}

/// One finished run's figures for the sweep and the scatter: the step `h` (None for
/// AD), `H`, `exp H`, the true residual, and for networks the loss reduction.
#[derive(Clone, Copy)]
struct Outcome {
    h: Option<f64>,
    entropy: f64,
    effective_modes: f64,
    residual_true: f64,
    speed: f64,
}

impl Job {
    fn new(config: &Config) -> crate::Result<Job> {
        Ok(match config.model {
            ModelKind::Rfm => Job::Rfm(RfmJob {
                setup: RfmSetup::new(config)?,
                modes: config.modes(),
                fits: Vec::new(),
                plots: Vec::new(),
            }),
            ModelKind::Network => {
                let cmp = Comparison::new(config)?;
                let views = vec![None; cmp.runs().len()];
                Job::Net(NetJob { cmp, views })
            }
        })
    }

    fn finished(&self) -> bool {
        match self {
            Job::Rfm(j) => j.fits.len() == j.modes.len(),
            Job::Net(j) => j.cmp.is_finished(),
        }
    }

    fn step(&mut self, grid: &PointSet) -> crate::Result<()> {
        match self {
            Job::Rfm(j) => {
                if let Some(&mode) = j.modes.get(j.fits.len()) {
                    let fit = j.setup.run_mode(mode)?;
                    j.plots
                        .push(j.setup.features.values(&fit.coefficients, grid));
                    j.fits.push(fit);
                }
                Ok(())
            }
            Job::Net(j) => j.cmp.step(1),
        }
    }

    /// Stops a job after a numerical failure, keeping what it has.
    fn abandon(&mut self) {
        match self {
            Job::Rfm(j) => j.modes.truncate(j.fits.len()),
            Job::Net(_) => {}
        }
    }

    /// Figures of every finished run (all of them once the job is finished).
    fn outcomes(&self) -> Vec<Outcome> {
        match self {
            Job::Rfm(j) => j
                .fits
                .iter()
                .map(|f| Outcome {
                    h: f.run.h,
                    entropy: f.run.entropy,
                    effective_modes: f.run.effective_modes,
                    residual_true: f.run.residual_true,
                    speed: f64::NAN,
                })
                .collect(),
            Job::Net(j) => j
                .cmp
                .runs()
                .iter()
                .filter(|r| r.is_finished())
                .map(|r| {
                    let k0 = r.kernels().first();
                    let sp = r.speed(j.cmp.config().train.decades);
                    Outcome {
                        h: r.mode().h(),
                        entropy: k0.map_or(f64::NAN, |k| k.entropy),
                        effective_modes: k0.map_or(f64::NAN, |k| k.effective_modes),
                        residual_true: r.latest_true_residual().map_or(f64::NAN, |t| t.1),
                        speed: 1.0 / sp.loss_reduction,
                    }
                })
                .collect(),
        }
    }
}

/// The compute facade the Web Worker drives.
#[wasm_bindgen]
pub struct Session {
    config: Config,
    job: Option<Job>,
    sweep: Option<Job>,
    grid: PointSet,
    test: PointSet,
    /// Milliseconds spent in each completed step of the current job.
    step_ms: Vec<f64>,
    /// (is network, H, y, is AD) of every finished run, for the scatter; y is the true
    /// residual for the RFM and the loss reduction L_end / L_0 for networks.
    history: Vec<(bool, f64, f64, bool)>,
    recorded: bool,
    error: Option<String>,
}

fn plot_grid(dim: usize) -> PointSet {
    if dim == 1 {
        PointSet {
            dim,
            coords: (0..PLOT_1D)
                .map(|i| -1.0 + 2.0 * i as f64 / (PLOT_1D - 1) as f64)
                .collect(),
        }
    } else {
        let c = |i: usize| -1.0 + (2 * i + 1) as f64 / PLOT_2D as f64;
        PointSet {
            dim,
            coords: (0..PLOT_2D)
                .flat_map(|y| (0..PLOT_2D).flat_map(move |x| [c(x), c(y)]))
                .collect(),
        }
    }
}

impl Session {
    fn start(&mut self) -> crate::Result<()> {
        let job = Job::new(&self.config)?;
        self.install(job);
        Ok(())
    }

    /// Switches to `config`, building its job first so that a failure changes nothing.
    fn switch_to(&mut self, config: Config) -> Result<(), JsValue> {
        let job = Job::new(&config).map_err(|e| js::error(&e))?;
        self.config = config;
        self.sweep = None;
        self.install(job);
        Ok(())
    }

    fn install(&mut self, job: Job) {
        self.job = Some(job);
        let problem = self.config.problem();
        self.grid = plot_grid(problem.dim());
        self.test = Points::test(&problem);
        self.step_ms.clear();
        self.recorded = false;
        self.error = None;
    }

    fn record(&mut self, job: &Job) {
        let network = matches!(job, Job::Net(_));
        for o in job.outcomes() {
            if self.history.len() == HISTORY {
                self.history.remove(0);
            }
            let y = if network { o.speed } else { o.residual_true };
            self.history.push((network, o.entropy, y, o.h.is_none()));
        }
    }
}

#[wasm_bindgen]
impl Session {
    /// A session with the default config, ready to run.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        let config = Config::default();
        let problem = config.problem();
        let mut s = Session {
            grid: plot_grid(problem.dim()),
            test: Points::test(&problem),
            config,
            job: None,
            sweep: None,
            step_ms: Vec::new(),
            history: Vec::new(),
            recorded: false,
            error: None,
        };
        // The default config is valid (a native test checks it); were it not, the
        // session would simply have no job and report that in its snapshot.
        if let Err(e) = s.start() {
            s.error = Some(e.to_string());
        }
        s
    }

    /// The controls' text for the current config, as `{key: string}`.
    #[wasm_bindgen(js_name = formValues)]
    pub fn form_values(&self) -> JsValue {
        let o = object();
        for (k, v) in form::form_from_config(&self.config) {
            set(&o, &k, v);
        }
        o.into()
    }

    /// Applies the controls' text (a JSON object `{key: string}`) and restarts the
    /// comparison if the settings changed. On an invalid value nothing changes and the thrown error's `field`
    /// names the control.
    pub fn configure(&mut self, form_json: &str) -> Result<(), JsValue> {
        let form: BTreeMap<String, String> = serde_json::from_str(form_json)
            .map_err(|e| js::message(&format!("the page sent malformed settings: {e}")))?;
        let config = form::config_from_form(&form, &self.config).map_err(|e| js::error(&e))?;
        if config == self.config && self.error.is_none() {
            // Same settings (a control lost focus, say): keep the run and any sweep.
            return Ok(());
        }
        self.switch_to(config)
    }

    /// Applies a whole [`Config`] as JSON (the `config` of a CLI report, say) and
    /// restarts; errors as in [`Session::configure`].
    #[wasm_bindgen(js_name = configureConfig)]
    pub fn configure_config(&mut self, config_json: &str) -> Result<(), JsValue> {
        let config: Config = serde_json::from_str(config_json)
            .map_err(|e| js::message(&format!("not an adfd config: {e}")))?;
        config.validate().map_err(|e| js::error(&e))?;
        self.switch_to(config)
    }

    /// The current config as JSON (what the CLI's `--config` reads).
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> String {
        serde_json::to_string(&self.config).unwrap_or_default()
    }

    /// Does one unit of work (of the comparison, or else of the sweep). Returns true
    /// when nothing is left to do.
    pub fn step(&mut self) -> Result<bool, JsValue> {
        let t0 = Instant::now();
        let grid = &self.grid;
        let (job, main) = match (&mut self.job, &mut self.sweep) {
            (Some(j), _) if !j.finished() => (j, true),
            (_, Some(s)) if !s.finished() => (s, false),
            _ => return Ok(true),
        };
        if let Err(e) = job.step(grid) {
            // A numerical failure (say NaN from an extreme scale in f32) ends this job
            // with a message instead of looping on it.
            job.abandon();
            self.error = Some(e.to_string());
            return Err(js::error(&e));
        }
        if main {
            self.step_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        let just_done = job.finished();
        if just_done {
            if let Some(job) = if main {
                self.job.take()
            } else {
                self.sweep.take()
            } {
                if !main || !self.recorded {
                    self.record(&job);
                }
                if main {
                    self.recorded = true;
                    self.job = Some(job);
                } else {
                    self.sweep = Some(job);
                }
            }
        }
        Ok(self.is_finished())
    }

    /// The current comparison as the CLI's `--json` report (an `RfmReport` or a
    /// `TrainReport`, serialized by serde), so `adfd rfm|train --config FILE` re-runs
    /// it natively. Runs not yet finished are left out (RFM) or reported so far
    /// (networks).
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> Result<String, JsValue> {
        let json = match &self.job {
            Some(Job::Rfm(j)) => serde_json::to_string(
                &j.setup
                    .report(j.fits.iter().map(|f| f.run.clone()).collect()),
            ),
            Some(Job::Net(j)) => serde_json::to_string(&j.cmp.report()),
            None => return Err(js::message("nothing has run yet")),
        };
        json.map_err(|e| js::message(&format!("could not write the report: {e}")))
    }

    /// The current comparison as the CLI's `--csv` table.
    #[wasm_bindgen(js_name = reportCsv)]
    pub fn report_csv(&self) -> Result<String, JsValue> {
        match &self.job {
            Some(Job::Rfm(j)) => Ok(super::export::rfm_csv(
                &j.setup
                    .report(j.fits.iter().map(|f| f.run.clone()).collect()),
            )),
            Some(Job::Net(j)) => Ok(super::export::train_csv(&j.cmp.report())),
            None => Err(js::message("nothing has run yet")),
        }
    }

    /// Panics on purpose, so the page test can check that a Rust panic shows as a
    /// message on the page (and the worker restarts) instead of a dead page.
    #[wasm_bindgen(js_name = panicForTest)]
    pub fn panic_for_test(&self) {
        panic!("a deliberate panic from the page test");
    }

    /// True when the comparison and any sweep are complete.
    #[wasm_bindgen(js_name = isFinished)]
    pub fn is_finished(&self) -> bool {
        self.job.as_ref().is_none_or(Job::finished) && self.sweep.as_ref().is_none_or(Job::finished)
    }

    /// Starts the comparison again from the same initialization (same seed).
    pub fn reset(&mut self) -> Result<(), JsValue> {
        self.sweep = None;
        self.start().map_err(|e| js::error(&e))
    }

    /// Draws a new seed (from the old one, so a sequence of seeds is reproducible),
    /// restarts, and returns the seed.
    #[wasm_bindgen(js_name = newSeed)]
    pub fn new_seed(&mut self) -> Result<f64, JsValue> {
        let next = self
            .config
            .seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
            % crate::experiment::MAX_SEED;
        self.config.seed = next;
        self.reset()?;
        Ok(next as f64)
    }

    /// Queues a sweep of the current config over log-spaced steps `h` (AD once, then
    /// each `h`; networks train at most 500 steps per run); it runs after the comparison.
    pub fn sweep(&mut self) -> Result<(), JsValue> {
        let mut c = self.config.clone();
        c.h = sweep_steps(c.model);
        c.train.steps = c.train.steps.min(SWEEP_STEPS);
        self.sweep = Some(Job::new(&c).map_err(|e| js::error(&e))?);
        Ok(())
    }

    /// The current state as a plain object of numbers and `Float64Array`s (the README's
    /// "page" section lists the fields).
    pub fn snapshot(&mut self) -> JsValue {
        let o = object();
        let c = &self.config;
        let problem = c.problem();
        let network = c.model == ModelKind::Network;
        set(&o, "model", if network { "network" } else { "rfm" });
        set(&o, "problem", c.problem.to_string());
        set(&o, "dim", problem.dim() as f64);
        set(&o, "seed", c.seed as f64);
        let (kind, a) = match c.threshold {
            Threshold::Relative(a) => ("relative", a),
            Threshold::Absolute(a) => ("absolute", a),
        };
        set(&o, "thresholdKind", kind);
        set(&o, "threshold", a);
        set(&o, "finished", self.is_finished());
        if let Some(e) = &self.error {
            set(&o, "error", e.as_str());
        }
        let ms = if self.step_ms.is_empty() {
            f64::NAN
        } else {
            self.step_ms.iter().sum::<f64>() / self.step_ms.len() as f64
        };
        set(&o, "msPerStep", ms);
        let threshold = c.threshold;
        match &mut self.job {
            Some(Job::Rfm(job)) => {
                set(&o, "done", job.fits.len() as f64);
                set(&o, "total", job.modes.len() as f64);
                let modes = Array::new();
                for (fit, u) in job.fits.iter().zip(&job.plots) {
                    modes.push(&rfm_mode(fit, u, threshold).into());
                }
                set(&o, "modes", modes);
            }
            Some(Job::Net(job)) => {
                let cmp = &job.cmp;
                let steps = cmp.runs().iter().map(Run::step).max().unwrap_or(0);
                set(&o, "done", steps as f64);
                set(&o, "total", cmp.config().train.steps as f64);
                set(&o, "lr", cmp.lr());
                set(
                    &o,
                    "optimizer",
                    format!("{:?}", cmp.config().train.optimizer).to_lowercase(),
                );
                set(&o, "decades", cmp.config().train.decades);
                let modes = Array::new();
                for (i, run) in cmp.runs().iter().enumerate() {
                    let measured = run.latest_kernel().map_or(0, |k| k.step);
                    let fresh = job.views[i].as_ref().is_some_and(|v| v.step == measured);
                    if !fresh {
                        job.views[i] =
                            Some(net_view(run, &problem, &self.grid, &self.test, measured));
                    }
                    let view = job.views[i].clone().unwrap_or_default();
                    modes.push(&net_mode(run, &view, threshold, cmp.config().train.decades).into());
                }
                set(&o, "modes", modes);
            }
            None => {}
        }
        let grid = object();
        set(&grid, "dim", self.grid.dim as f64);
        let exact: Vec<f64> = self.grid.iter().map(|x| problem.exact(x)).collect();
        if self.grid.dim == 1 {
            set(&grid, "x", f64s(&self.grid.coords));
            set(&grid, "n", PLOT_1D as f64);
        } else {
            set(&grid, "n", PLOT_2D as f64);
        }
        set(&grid, "exact", f64s(&exact));
        set(&o, "grid", grid);
        if let Some(s) = &self.sweep {
            set(&o, "sweep", sweep_object(s));
        }
        let hist = object();
        let mine: Vec<_> = self.history.iter().filter(|h| h.0 == network).collect();
        set(
            &hist,
            "entropy",
            f64s(&mine.iter().map(|h| h.1).collect::<Vec<_>>()),
        );
        set(
            &hist,
            "y",
            f64s(&mine.iter().map(|h| h.2).collect::<Vec<_>>()),
        );
        set(
            &hist,
            "ad",
            f64s(&mine.iter().map(|h| h.3 as u8 as f64).collect::<Vec<_>>()),
        );
        set(
            &hist,
            "yLabel",
            if network {
                "loss after training / initial loss"
            } else {
                "true PDE residual"
            },
        );
        set(
            &hist,
            "xLabel",
            if network {
                "truncated entropy H(a) of J at step 0"
            } else {
                "truncated entropy H(a) of A"
            },
        );
        set(&o, "history", hist);
        o.into()
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

fn rfm_mode(fit: &RfmFit, u: &[f64], t: Threshold) -> Object {
    let r = &fit.run;
    let m = object();
    set(&m, "label", label(r.h));
    set(&m, "h", r.h.map_or(JsValue::NULL, JsValue::from_f64));
    set(&m, "sv", f64s(&r.singular_values));
    set(
        &m,
        "cut",
        t.cut(r.singular_values.first().copied().unwrap_or(0.0)),
    );
    set(&m, "cutoff", r.cutoff as f64);
    set(&m, "entropy", r.entropy);
    set(&m, "effectiveModes", r.effective_modes);
    set(&m, "residualSystem", r.residual_system);
    set(&m, "residualTrue", r.residual_true);
    set(&m, "errorL2", r.error_l2);
    set(&m, "errorMax", r.error_max);
    set(&m, "timeMs", r.time_ms);
    set(&m, "u", f64s(u));
    m
}

fn net_view(
    run: &Run,
    problem: &Problem,
    grid: &PointSet,
    test: &PointSet,
    step: usize,
) -> NetView {
    let net = run.network();
    let plot = grid.iter().map(|x| net.value(x)).collect();
    let (mut se, mut sn, mut max) = (0.0, 0.0, 0f64);
    for x in test.iter() {
        let (u, e) = (net.value(x), problem.exact(x));
        se += (u - e) * (u - e);
        sn += e * e;
        max = max.max((u - e).abs());
    }
    NetView {
        step,
        plot,
        error_l2: (se / sn).sqrt(),
        error_max: max,
    }
}

/// Evenly thins `(step, value)` pairs to at most [`CURVE`], keeping the last.
fn thin(points: Vec<(f64, f64)>) -> (Vec<f64>, Vec<f64>) {
    let stride = points.len().div_ceil(CURVE).max(1);
    let last = points.len().saturating_sub(1);
    points
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % stride == 0 || *i == last)
        .map(|(_, p)| p)
        .unzip()
}

fn net_mode(run: &Run, view: &NetView, t: Threshold, decades: f64) -> Object {
    let m = object();
    let h = run.mode().h();
    set(&m, "label", label(h));
    set(&m, "h", h.map_or(JsValue::NULL, JsValue::from_f64));
    if let Some(k) = run.latest_kernel() {
        set(&m, "sv", f64s(&k.singular_values));
        set(
            &m,
            "cut",
            t.cut(k.singular_values.first().copied().unwrap_or(0.0)),
        );
        set(&m, "cutoff", k.cutoff as f64);
        set(&m, "entropy", k.entropy);
        set(&m, "effectiveModes", k.effective_modes);
        set(&m, "kernelStep", k.step as f64);
    }
    if let Some(k0) = run.kernels().first() {
        set(&m, "entropy0", k0.entropy);
    }
    let curve = run.loss_curve();
    let (s, l) = thin(curve.iter().map(|p| (p.step as f64, p.loss)).collect());
    set(&m, "lossStep", f64s(&s));
    set(&m, "loss", f64s(&l));
    let (s, r) = thin(
        curve
            .iter()
            .filter_map(|p| p.true_residual.map(|r| (p.step as f64, r)))
            .collect(),
    );
    set(&m, "trueStep", f64s(&s));
    set(&m, "trueResidual", f64s(&r));
    set(&m, "step", run.step() as f64);
    set(&m, "residualSystem", run.latest_loss());
    set(
        &m,
        "residualTrue",
        run.latest_true_residual().map_or(f64::NAN, |r| r.1),
    );
    set(&m, "errorL2", view.error_l2);
    set(&m, "errorMax", view.error_max);
    let sp = run.speed(decades);
    set(
        &m,
        "timeMs",
        if sp.steps_per_second > 0.0 {
            1e3 / sp.steps_per_second
        } else {
            f64::NAN
        },
    );
    set(
        &m,
        "stepsToTarget",
        sp.steps_to_target.map_or(f64::NAN, |s| s as f64),
    );
    set(&m, "lossReduction", sp.loss_reduction);
    if let Some(stop) = run.stopped() {
        set(&m, "stopped", stop.message.as_str());
    }
    set(&m, "u", f64s(&view.plot));
    m
}

fn sweep_object(job: &Job) -> Object {
    let s = object();
    let (done, total) = match job {
        Job::Rfm(j) => (j.fits.len(), j.modes.len()),
        Job::Net(j) => (
            j.cmp.runs().iter().map(Run::step).sum(),
            j.cmp.runs().len() * j.cmp.config().train.steps,
        ),
    };
    set(&s, "done", done as f64);
    set(&s, "total", total as f64);
    let network = matches!(job, Job::Net(_));
    set(
        &s,
        "entropyLabel",
        if network {
            "exp H of J at step 0"
        } else {
            "exp H of A"
        },
    );
    set(
        &s,
        "yLabel",
        if network {
            "true residual after training"
        } else {
            "true PDE residual"
        },
    );
    let runs = job.outcomes();
    let fd: Vec<&Outcome> = runs.iter().filter(|r| r.h.is_some()).collect();
    let col = |f: &dyn Fn(&Outcome) -> f64| f64s(&fd.iter().map(|r| f(r)).collect::<Vec<_>>());
    set(&s, "h", col(&|r| r.h.unwrap_or(f64::NAN)));
    set(&s, "entropy", col(&|r| r.entropy));
    set(&s, "effectiveModes", col(&|r| r.effective_modes));
    set(&s, "residualTrue", col(&|r| r.residual_true));
    if let Some(ad) = runs.iter().find(|r| r.h.is_none()) {
        set(&s, "adEntropy", ad.entropy);
        set(&s, "adEffectiveModes", ad.effective_modes);
        set(&s, "adResidualTrue", ad.residual_true);
    }
    s
}
