//! Training: GD and Adam, the resumable paired AD-vs-FD [`Comparison`], and its
//! serializable [`TrainReport`].
//!
//! A comparison holds one [`Run`] per differentiation mode (AD first, then each FD
//! step), all starting from the same initial parameters and points and sharing one
//! learning rate: a fixed `lr`, or `c / λ_max` with `λ_max = s₁²` the largest
//! eigenvalue of the AD run's initial kernel `G = JJᵀ`. (Scaling each FD run by its
//! own `λ_max` would compare different step sizes.)
//!
//! * GD: `θ ← θ − η ∇L`.
//! * Adam: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
//!   `θ ← θ − η m̂ / (√v̂ + ε)` with `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`.
//!
//! A run stops on its step budget, on reaching `loss_target`, or on divergence: a
//! non-finite loss or gradient stops it with that reason and restores the last
//! parameters whose loss was finite. The browser drives a comparison step by step
//! ([`Comparison::step`], [`Comparison::reset`]); the CLI uses [`run_train`].

use super::kernel::{kernel_spectrum, KernelPoint};
use super::loss::loss_and_gradient;
use super::residual::Residuals;
use super::{Architecture, Network};
use crate::error::{Error, Result};
use crate::experiment::{Config, ModeName};
use crate::keyword::keyword_enum;
use crate::operator::DiffMode;
use crate::problem::{Points, Problem};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use web_time::Instant;

/// The optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Optimizer {
    /// Full-batch gradient descent `θ ← θ − η ∇L`.
    Gd,
    /// Adam (Kingma & Ba) with bias correction.
    Adam,
}

keyword_enum!(Optimizer, "optimizer", { Gd => "gd", Adam => "adam" });

/// One point of a loss curve: `[step, loss, true_residual]` in JSON (the true
/// residual is `null` except every `every` steps and at the end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossPoint {
    /// Training step `t` (0 = initial parameters).
    pub step: usize,
    /// Training loss `L(θ_t)` of this run's own (AD or FD) residual.
    pub loss: f64,
    /// `mean (L u − f)²` over the test points, `L` exact (AD, f64).
    pub true_residual: Option<f64>,
}

impl Serialize for LossPoint {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(3)?;
        t.serialize_element(&self.step)?;
        t.serialize_element(&self.loss)?;
        t.serialize_element(&self.true_residual)?;
        t.end()
    }
}

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The step budget was used up.
    Budget,
    /// The loss reached `loss_target`.
    LossTarget,
    /// The loss or gradient became NaN or infinite; the last finite state was kept.
    Diverged,
}

/// A finished run's stop: reason, step and a sentence for people.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stopped {
    /// Why.
    pub reason: StopReason,
    /// The step of the kept parameters.
    pub step: usize,
    /// Explanation.
    pub message: String,
}

/// Training speed of one run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Speed {
    /// `q`.
    pub decades: f64,
    /// `L(θ₀)`.
    pub initial_loss: f64,
    /// First step `t` with `L(θ_t) ≤ 10^{−q} L(θ₀)`, if reached.
    pub steps_to_target: Option<usize>,
    /// Loss at the last step.
    pub final_loss: f64,
    /// `L(θ₀) / L(θ_final)`.
    pub loss_reduction: f64,
    /// Wall-clock training steps per second (loss + gradient + update; spectra and
    /// true residuals excluded).
    pub steps_per_second: f64,
}

/// What one step of one run produced, for observers (progress bars, the web page).
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Index of the run in the comparison (0 = AD).
    pub run: usize,
    /// The run's mode.
    pub mode: DiffMode,
    /// Step reached.
    pub step: usize,
    /// Training loss at that step.
    pub loss: f64,
    /// True PDE residual, when measured at this step.
    pub true_residual: Option<f64>,
    /// Training time of this run so far, in milliseconds.
    pub elapsed_ms: f64,
    /// Set when the run just stopped.
    pub stopped: Option<Stopped>,
}

/// One run's state: a mode, its residual rows, parameters and history.
#[derive(Clone, Debug)]
pub struct Run {
    mode: DiffMode,
    res: Residuals,
    net: Network,
    grad: Vec<f64>,
    prev: Vec<f64>,
    adam_m: Vec<f64>,
    adam_v: Vec<f64>,
    step: usize,
    loss: Vec<LossPoint>,
    kernel: Vec<KernelPoint>,
    stopped: Option<Stopped>,
    seconds: f64,
}

impl Run {
    /// The differentiation mode.
    pub fn mode(&self) -> DiffMode {
        self.mode
    }
    /// Steps taken.
    pub fn step(&self) -> usize {
        self.step
    }
    /// Current parameters.
    pub fn network(&self) -> &Network {
        &self.net
    }
    /// The loss curve so far.
    pub fn loss_curve(&self) -> &[LossPoint] {
        &self.loss
    }
    /// The latest training loss.
    pub fn latest_loss(&self) -> f64 {
        self.loss.last().map_or(f64::NAN, |p| p.loss)
    }
    /// The latest measured true residual (and its step).
    pub fn latest_true_residual(&self) -> Option<(usize, f64)> {
        self.loss
            .iter()
            .rev()
            .find_map(|p| p.true_residual.map(|r| (p.step, r)))
    }
    /// Kernel spectra recorded so far.
    pub fn kernels(&self) -> &[KernelPoint] {
        &self.kernel
    }
    /// The latest kernel spectrum.
    pub fn latest_kernel(&self) -> Option<&KernelPoint> {
        self.kernel.last()
    }
    /// Why the run stopped, if it has.
    pub fn stopped(&self) -> Option<&Stopped> {
        self.stopped.as_ref()
    }
    /// True once the run has stopped.
    pub fn is_finished(&self) -> bool {
        self.stopped.is_some()
    }

    /// Training speed so far with `q = decades`.
    pub fn speed(&self, decades: f64) -> Speed {
        let l0 = self.loss.first().map_or(f64::NAN, |p| p.loss);
        let target = l0 * 10f64.powf(-decades);
        let last = self.latest_loss();
        Speed {
            decades,
            initial_loss: l0,
            steps_to_target: self.loss.iter().find(|p| p.loss <= target).map(|p| p.step),
            final_loss: last,
            loss_reduction: l0 / last,
            steps_per_second: if self.seconds > 0.0 {
                self.step as f64 / self.seconds
            } else {
                0.0
            },
        }
    }
}

/// A paired AD-vs-FD training comparison that can be advanced step by step.
#[derive(Clone, Debug)]
pub struct Comparison {
    config: Config,
    problem: Problem,
    points: Points,
    test: Residuals,
    init: Network,
    runs: Vec<Run>,
    lr: f64,
    lambda_max_ad: f64,
}

fn finite(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite())
}

impl Comparison {
    /// Validates `config`, samples the points and the initial network (seeded), and
    /// sets up one run per mode (AD, then each `h`), measuring each run's initial
    /// loss, true residual and kernel spectrum. The shared learning rate is
    /// `config.train.lr`, or `lr_scale / λ_max(G_AD at init)`.
    pub fn new(config: &Config) -> Result<Self> {
        config.validate()?;
        config.validate_network()?;
        let problem = config.problem();
        let points = config.points();
        let test = Residuals::exact_interior(&problem, &Points::test(&problem));
        let arch = Architecture {
            dim: problem.dim(),
            widths: config.net.hidden(),
            activation: config.activation,
        };
        let init = Network::init(arch, config.net.scale, config.seed);
        let mut c = Comparison {
            config: config.clone(),
            problem,
            points,
            test,
            init,
            runs: Vec::new(),
            lr: 0.0,
            lambda_max_ad: 0.0,
        };
        c.reset()?;
        Ok(c)
    }

    /// Returns every run to the shared initial parameters (same init, same points).
    pub fn reset(&mut self) -> Result<()> {
        let cfg = &self.config;
        let mut runs = Vec::new();
        for mode in cfg.modes() {
            let res = Residuals::new(&self.problem, &self.points, mode, cfg.lambda);
            let p = self.init.theta.len();
            let mut run = Run {
                mode,
                res,
                net: self.init.clone(),
                grad: vec![0.0; p],
                prev: self.init.theta.clone(),
                adam_m: vec![0.0; p],
                adam_v: vec![0.0; p],
                step: 0,
                loss: Vec::new(),
                kernel: Vec::new(),
                stopped: None,
                seconds: 0.0,
            };
            let l0 = loss_and_gradient(&run.net, &run.res, cfg.precision, Some(&mut run.grad));
            let tr = self.true_residual(&run.net);
            run.loss.push(LossPoint {
                step: 0,
                loss: l0,
                true_residual: Some(tr),
            });
            if !(l0.is_finite() && finite(&run.grad)) {
                return Err(Error::NonFinite {
                    what: format!("the initial {} loss", mode.label()),
                });
            }
            let k = kernel_spectrum(
                &run.net,
                &run.res,
                cfg.precision,
                cfg.threshold,
                0,
                &format!("the {} Jacobian J", mode.label()),
            )?;
            run.kernel.push(k);
            runs.push(run);
        }
        self.lambda_max_ad = runs[0].kernel[0].lambda_max();
        self.lr = match cfg.train.lr {
            Some(lr) => lr,
            None => {
                if self.lambda_max_ad.is_nan() || self.lambda_max_ad <= 0.0 {
                    return Err(Error::invalid(
                        "lr_scale",
                        "the AD kernel's λ_max is 0, so lr = c/λ_max is undefined; give --lr",
                    ));
                }
                cfg.train.lr_scale / self.lambda_max_ad
            }
        };
        self.runs = runs;
        Ok(())
    }

    /// `mean (L u − f)²` over the test points with the exact operator (AD, f64).
    fn true_residual(&self, net: &Network) -> f64 {
        loss_and_gradient(net, &self.test, crate::Precision::F64, None)
    }

    /// The shared learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// `λ_max` of the AD run's initial kernel `G = JJᵀ` (`s₁²`).
    pub fn lambda_max_ad(&self) -> f64 {
        self.lambda_max_ad
    }

    /// The runs, AD first.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The config.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The shared initial network.
    pub fn init(&self) -> &Network {
        &self.init
    }

    /// The collocation points.
    pub fn points(&self) -> &Points {
        &self.points
    }

    /// True when every run has stopped.
    pub fn is_finished(&self) -> bool {
        self.runs.iter().all(Run::is_finished)
    }

    /// Advances every unfinished run by up to `steps` steps.
    pub fn step(&mut self, steps: usize) -> Result<()> {
        self.step_with(steps, &mut |_| {})
    }

    /// [`Comparison::step`] calling `observe` after every step of every run.
    pub fn step_with(&mut self, steps: usize, observe: &mut dyn FnMut(&Observation)) -> Result<()> {
        for i in 0..self.runs.len() {
            for _ in 0..steps {
                if self.runs[i].is_finished() {
                    break;
                }
                let obs = self.advance(i)?;
                observe(&obs);
            }
        }
        Ok(())
    }

    /// One step of run `i`.
    fn advance(&mut self, i: usize) -> Result<Observation> {
        // Copies of the few small settings a step reads (not the whole config, per step).
        let (tc, precision, threshold) = (
            self.config.train,
            self.config.precision,
            self.config.threshold,
        );
        let lr = self.lr;
        let start = Instant::now();
        let run = &mut self.runs[i];
        run.prev.copy_from_slice(&run.net.theta);
        let t = run.step + 1;
        match tc.optimizer {
            Optimizer::Gd => {
                for (th, g) in run.net.theta.iter_mut().zip(&run.grad) {
                    *th -= lr * g;
                }
            }
            Optimizer::Adam => {
                let (b1, b2) = (tc.beta1, tc.beta2);
                let c1 = 1.0 - b1.powi(t as i32);
                let c2 = 1.0 - b2.powi(t as i32);
                for k in 0..run.grad.len() {
                    let g = run.grad[k];
                    run.adam_m[k] = b1 * run.adam_m[k] + (1.0 - b1) * g;
                    run.adam_v[k] = b2 * run.adam_v[k] + (1.0 - b2) * g * g;
                    let mh = run.adam_m[k] / c1;
                    let vh = run.adam_v[k] / c2;
                    run.net.theta[k] -= lr * mh / (vh.sqrt() + tc.epsilon);
                }
            }
        }
        let loss = loss_and_gradient(&run.net, &run.res, precision, Some(&mut run.grad));
        run.seconds += start.elapsed().as_secs_f64();
        if !(loss.is_finite() && finite(&run.grad)) {
            run.net.theta.copy_from_slice(&run.prev);
            let stop = Stopped {
                reason: StopReason::Diverged,
                step: run.step,
                message: format!(
                    "diverged: the loss became {} at step {t} (learning rate {lr:e}); kept the parameters of step {}",
                    if loss.is_nan() { "NaN" } else { "infinite" },
                    run.step
                ),
            };
            run.stopped = Some(stop.clone());
            let mode = run.mode;
            let step = run.step;
            let last = run.latest_loss();
            let elapsed_ms = run.seconds * 1e3;
            self.finish_true_residual(i);
            return Ok(Observation {
                run: i,
                mode,
                step,
                loss: last,
                true_residual: self.runs[i].latest_true_residual().map(|r| r.1),
                elapsed_ms,
                stopped: Some(stop),
            });
        }
        run.step = t;
        let mut stopped = None;
        if tc.loss_target.is_some_and(|target| loss <= target) {
            stopped = Some(Stopped {
                reason: StopReason::LossTarget,
                step: t,
                message: format!(
                    "reached the loss target {:e} at step {t}",
                    tc.loss_target.unwrap_or(0.0)
                ),
            });
        } else if t >= tc.steps {
            stopped = Some(Stopped {
                reason: StopReason::Budget,
                step: t,
                message: format!("used the budget of {} steps", tc.steps),
            });
        }
        let measure = t % tc.every == 0 || stopped.is_some();
        let true_residual = if measure {
            Some(self.true_residual(&self.runs[i].net))
        } else {
            None
        };
        let run = &mut self.runs[i];
        run.loss.push(LossPoint {
            step: t,
            loss,
            true_residual,
        });
        if measure {
            let k = kernel_spectrum(
                &run.net,
                &run.res,
                precision,
                threshold,
                t,
                &format!("the {} Jacobian J", run.mode.label()),
            )?;
            run.kernel.push(k);
        }
        run.stopped = stopped.clone();
        Ok(Observation {
            run: i,
            mode: run.mode,
            step: t,
            loss,
            true_residual,
            elapsed_ms: run.seconds * 1e3,
            stopped,
        })
    }

    /// After a divergence, make sure the kept state's true residual is recorded.
    fn finish_true_residual(&mut self, i: usize) {
        let needs = self.runs[i]
            .loss
            .last()
            .is_some_and(|p| p.true_residual.is_none());
        if needs {
            let tr = self.true_residual(&self.runs[i].net);
            if let Some(p) = self.runs[i].loss.last_mut() {
                p.true_residual = Some(tr);
            }
        }
    }

    /// The report of everything so far.
    pub fn report(&self) -> TrainReport {
        TrainReport {
            adfd_version: env!("CARGO_PKG_VERSION"),
            config: self.config.clone(),
            lr: self.lr,
            lr_rule: match self.config.train.lr {
                Some(_) => "fixed (config.train.lr)".into(),
                None => format!(
                    "lr = c / λ_max(G_AD at step 0) = {} / {:e}",
                    self.config.train.lr_scale, self.lambda_max_ad
                ),
            },
            lambda_max_ad: self.lambda_max_ad,
            init: self.init.clone(),
            points: self.points.clone(),
            runs: self
                .runs
                .iter()
                .map(|r| RunReport {
                    mode: if r.mode == DiffMode::Ad {
                        ModeName::Ad
                    } else {
                        ModeName::Fd
                    },
                    h: r.mode.h(),
                    loss: r.loss.clone(),
                    kernel: r.kernel.clone(),
                    speed: r.speed(self.config.train.decades),
                    stopped: r.stopped.clone(),
                })
                .collect(),
            definitions: TRAIN_DEFINITIONS.iter().copied().collect(),
        }
    }
}

/// One run in a [`TrainReport`].
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// `ad` or `fd`.
    pub mode: ModeName,
    /// FD step (`null` for AD).
    pub h: Option<f64>,
    /// `[step, loss, true_residual]` for every step.
    pub loss: Vec<LossPoint>,
    /// Kernel spectra at step 0 and every `every` steps (and at the end).
    pub kernel: Vec<KernelPoint>,
    /// Training speed.
    pub speed: Speed,
    /// Why the run stopped (`null` while it is still running).
    pub stopped: Option<Stopped>,
}

/// What each number in a training report means.
pub const TRAIN_DEFINITIONS: &[(&str, &str)] = &[
    ("loss", "[step, L, true_residual]: L = mean_i r_i² + λ mean_l r_b,l² with this run's (AD or FD) operators; true_residual = mean over test points of (L u − f)² with L exact (AD, f64), null when not measured"),
    ("kernel.singular_values", "singular values s_i of J = ∂r̃/∂θ, r̃ = [r/√n ; √(λ/n_b) r_b]; the eigenvalues of the training kernel G = JJᵀ are s_i²"),
    ("kernel.cutoff", "K(a) = #{i : s_i > a·s_1} (relative) or #{i : s_i > a} (absolute), of the singular values of J"),
    ("kernel.entropy", "H(a) = −Σ_{i≤K} p_i ln p_i with p_i = s_i / Σ_{j≤K} s_j (adfd's definition)"),
    ("speed.steps_to_target", "first step t with L(θ_t) ≤ 10^{−q} L(θ_0), q = decades; null if not reached"),
    ("lr", "one learning rate shared by every run: fixed, or c / λ_max with λ_max = s_1² of the AD run's initial J"),
    ("test_points", "midpoints of a uniform grid: 1000 in 1-D, 50×50 in 2-D"),
];

/// A complete paired training comparison.
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    /// adfd's version.
    pub adfd_version: &'static str,
    /// The config that reproduces the run.
    pub config: Config,
    /// The shared learning rate actually used.
    pub lr: f64,
    /// How `lr` was chosen.
    pub lr_rule: String,
    /// `λ_max(G) = s₁²` of the AD run at initialization.
    pub lambda_max_ad: f64,
    /// The shared initial parameters.
    pub init: Network,
    /// Interior and boundary collocation points.
    pub points: Points,
    /// AD first, then FD in the order of `config.h`.
    pub runs: Vec<RunReport>,
    /// What each number means.
    pub definitions: std::collections::BTreeMap<&'static str, &'static str>,
}

/// Trains the paired comparison of `config` to the end (see [`Comparison`]).
pub fn run_train(config: &Config) -> Result<TrainReport> {
    run_train_with(config, |_| {})
}

/// [`run_train`] with an observer called after every step of every run.
pub fn run_train_with(
    config: &Config,
    mut observe: impl FnMut(&Observation),
) -> Result<TrainReport> {
    let mut c = Comparison::new(config)?;
    while !c.is_finished() {
        c.step_with(config.train.steps, &mut observe)?;
    }
    Ok(c.report())
}
