//! The worker-side facade: one [`Session`] owns the configuration and the running
//! comparison, advances it one unit of work per [`Session::step`] (one differentiation
//! mode's assembly + SVD + measurements for the RFM), and hands the page a
//! [`Session::snapshot`] made of typed arrays.
//!
//! The worker's loop decides how many steps to take per message and when to post,
//! so pause, resume and single-step are just "stop calling step", "call it again"
//! and "call it once".

use super::form;
use super::js::{self, f64s, object, set};
use crate::experiment::{Config, RfmFit, RfmSetup};
use crate::operator::DiffMode;
use crate::problem::PointSet;
use crate::spectrum::Threshold;
use js_sys::{Array, Object};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use web_time::Instant;

/// Points per axis of the grid the solution panel is drawn on.
const PLOT_1D: usize = 201;
const PLOT_2D: usize = 48;
/// Most (H, residual) pairs kept for the scatter across runs.
const HISTORY: usize = 400;

/// Steps `h` of a sweep: 12 log-spaced values from 10⁻¹ to 10⁻⁶·⁵ (f64 shows both the
/// truncation side and the round-off side of FD).
fn sweep_steps() -> Vec<f64> {
    (0..12).map(|i| 10f64.powf(-1.0 - 0.5 * i as f64)).collect()
}

/// A paired comparison in progress: AD, then each FD step, on one setup.
struct Job {
    setup: RfmSetup,
    modes: Vec<DiffMode>,
    fits: Vec<RfmFit>,
    /// Solution values of each fit on the plot grid.
    plots: Vec<Vec<f64>>,
}

impl Job {
    fn new(config: &Config) -> crate::Result<Job> {
        Ok(Job {
            setup: RfmSetup::new(config)?,
            modes: config.modes(),
            fits: Vec::new(),
            plots: Vec::new(),
        })
    }

    fn finished(&self) -> bool {
        self.fits.len() == self.modes.len()
    }

    fn step(&mut self, grid: &PointSet) -> crate::Result<()> {
        if let Some(&mode) = self.modes.get(self.fits.len()) {
            let fit = self.setup.run_mode(mode)?;
            self.plots
                .push(self.setup.features.values(&fit.coefficients, grid));
            self.fits.push(fit);
        }
        Ok(())
    }
}

/// The compute facade the Web Worker drives.
#[wasm_bindgen]
pub struct Session {
    config: Config,
    job: Option<Job>,
    sweep: Option<Job>,
    grid: PointSet,
    /// Milliseconds spent in each completed step of the current job.
    step_ms: Vec<f64>,
    /// (H, true residual, 1 for AD) of every finished run, for the scatter.
    history: Vec<(f64, f64, f64)>,
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
        self.job = Some(Job::new(&self.config)?);
        self.grid = plot_grid(self.config.problem().dim());
        self.step_ms.clear();
        self.error = None;
        Ok(())
    }

    fn record(&mut self, fit: &RfmFit) {
        if self.history.len() == HISTORY {
            self.history.remove(0);
        }
        let r = &fit.run;
        let is_ad = if r.h.is_none() { 1.0 } else { 0.0 };
        self.history.push((r.entropy, r.residual_true, is_ad));
    }
}

#[wasm_bindgen]
impl Session {
    /// A session with the default config, ready to run.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        let config = Config::default();
        let mut s = Session {
            grid: plot_grid(config.problem().dim()),
            config,
            job: None,
            sweep: None,
            step_ms: Vec::new(),
            history: Vec::new(),
            error: None,
        };
        // The default config is valid by construction (a native test checks it).
        let _ = s.start();
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
    /// comparison. On an invalid value nothing changes and the error's `field` names
    /// the control.
    pub fn configure(&mut self, form_json: &str) -> Result<(), JsValue> {
        let form: BTreeMap<String, String> = serde_json::from_str(form_json)
            .map_err(|e| js::message(&format!("the page sent malformed settings: {e}")))?;
        let config = form::config_from_form(&form, &self.config).map_err(|e| js::error(&e))?;
        self.config = config;
        self.sweep = None;
        self.start().map_err(|e| js::error(&e))
    }

    /// Does one unit of work (one mode of the comparison, or else one step of the
    /// sweep). Returns true when nothing is left to do.
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
            let text = e.to_string();
            job.modes.truncate(job.fits.len());
            self.error = Some(text);
            return Err(js::error(&e));
        }
        let fit = job.fits.last().cloned();
        if main {
            self.step_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        if let Some(fit) = fit {
            self.record(&fit);
        }
        Ok(self.is_finished())
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

    /// Queues a sweep of the current config over 12 log-spaced steps `h` from 1e-1 to
    /// about 3e-7 (AD once, then each `h`); it runs after the comparison.
    pub fn sweep(&mut self) -> Result<(), JsValue> {
        let mut c = self.config.clone();
        c.h = sweep_steps();
        self.sweep = Some(Job::new(&c).map_err(|e| js::error(&e))?);
        Ok(())
    }

    /// The current state as a plain object of numbers and `Float64Array`s (see the
    /// README's "page" section for the fields).
    pub fn snapshot(&self) -> JsValue {
        let o = object();
        let c = &self.config;
        set(&o, "model", "rfm");
        set(&o, "problem", c.problem.to_string());
        set(&o, "dim", c.problem().dim() as f64);
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
        if let Some(job) = &self.job {
            set(&o, "done", job.fits.len() as f64);
            set(&o, "total", job.modes.len() as f64);
            let modes = Array::new();
            for (fit, u) in job.fits.iter().zip(&job.plots) {
                modes.push(&mode_object(fit, u, c.threshold).into());
            }
            set(&o, "modes", modes);
        }
        let grid = object();
        set(&grid, "dim", self.grid.dim as f64);
        let exact: Vec<f64> = self.grid.iter().map(|x| c.problem().exact(x)).collect();
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
        set(
            &hist,
            "entropy",
            f64s(&self.history.iter().map(|h| h.0).collect::<Vec<_>>()),
        );
        set(
            &hist,
            "residual",
            f64s(&self.history.iter().map(|h| h.1).collect::<Vec<_>>()),
        );
        set(
            &hist,
            "ad",
            f64s(&self.history.iter().map(|h| h.2).collect::<Vec<_>>()),
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

fn mode_object(fit: &RfmFit, u: &[f64], t: Threshold) -> Object {
    let r = &fit.run;
    let m = object();
    let label = match r.h {
        None => "AD".to_string(),
        Some(h) => format!("FD h={h:.0e}"),
    };
    set(&m, "label", label);
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

fn sweep_object(job: &Job) -> Object {
    let s = object();
    set(&s, "done", job.fits.len() as f64);
    set(&s, "total", job.modes.len() as f64);
    let runs: Vec<_> = job.fits.iter().map(|f| &f.run).collect();
    let fd: Vec<_> = runs.iter().filter(|r| r.h.is_some()).collect();
    let col =
        |f: &dyn Fn(&crate::RfmRun) -> f64| f64s(&fd.iter().map(|r| f(r)).collect::<Vec<_>>());
    set(&s, "h", col(&|r| r.h.unwrap_or(f64::NAN)));
    set(&s, "entropy", col(&|r| r.entropy));
    set(&s, "effectiveModes", col(&|r| r.effective_modes));
    set(&s, "residualTrue", col(&|r| r.residual_true));
    set(&s, "cutoff", col(&|r| r.cutoff as f64));
    if let Some(ad) = runs.iter().find(|r| r.h.is_none()) {
        set(&s, "adEntropy", ad.entropy);
        set(&s, "adEffectiveModes", ad.effective_modes);
        set(&s, "adResidualTrue", ad.residual_true);
    }
    s
}
