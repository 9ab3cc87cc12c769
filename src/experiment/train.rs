//! The paired training comparison: AD and each FD step from one initialization.
//!
//! A comparison holds one [`Run`] per differentiation mode (AD first, then each FD
//! step), all starting from the same initial parameters and points and sharing one
//! learning rate: a fixed `lr`, or `c / λ_max` with `λ_max = s₁²` the largest
//! eigenvalue of the AD run's initial kernel `G = JJᵀ`. (Scaling each FD run by its
//! own `λ_max` would compare different step sizes.)
//!
//! A run stops on its step budget, on reaching `loss_target`, or on divergence: a
//! non-finite loss or gradient stops it with that reason and restores the last
//! parameters whose loss was finite.

use super::{runs_at_once, Experiment, Progress};
use crate::config::{Config, Valid};
use crate::error::{Error, Result};
use crate::jet::Precision;
use crate::net::kernel::{kernel_spectrum, KernelPoint};
use crate::net::loss::loss_and_gradient;
use crate::net::residual::Residuals;
use crate::net::Network;
use crate::operator::DiffMode;
use crate::optimizer::{AdamConstants, OptimizerState};
use crate::problem::Points;
use crate::report::{
    Envelope, LossPoint, RunReport, Speed, StopReason, Stopped, TrainReport, TrainResults,
    TRAIN_DEFINITIONS,
};
use crate::thinned::Thinned;
use web_time::Instant;

/// One run of a comparison: a mode, its residual rows, parameters, optimizer state
/// and history.
#[derive(Clone, Debug)]
pub struct Run {
    mode: DiffMode,
    res: Residuals,
    net: Network,
    grad: Vec<f64>,
    /// Parameters before the latest update, restored if it diverges.
    prev: Vec<f64>,
    optimizer: OptimizerState,
    step: usize,
    /// The loss at every step, thinned to at most [`LOSS_POINTS`] + 1.
    loss: Thinned<LossPoint>,
    /// The steps with a true residual, thinned to at most [`KERNEL_POINTS`] + 1.
    measured: Thinned<LossPoint>,
    /// Every measured kernel spectrum, thinned to at most [`KERNEL_POINTS`] + 1.
    kernel: Thinned<KernelPoint>,
    /// The first step whose loss was at most `loss₀ · 10^−decades` (kept exactly,
    /// whatever the thinning).
    reached_target: Option<usize>,
    stopped: Option<Stopped>,
    /// This run's share of the wall time of the comparison's updates (see
    /// [`TrainComparison`]'s `step`).
    seconds: f64,
}

/// Most loss points kept per run (every step up to this many; beyond, thinned evenly
/// to between half and all of it, always with step 0 and the latest step).
pub const LOSS_POINTS: usize = 4096;
/// Most kernel spectra kept per run, thinned the same way.
pub const KERNEL_POINTS: usize = 256;

impl Run {
    /// The differentiation mode.
    pub fn mode(&self) -> DiffMode {
        self.mode
    }
    /// Training steps taken.
    pub fn step(&self) -> usize {
        self.step
    }
    /// Current parameters.
    pub fn network(&self) -> &Network {
        &self.net
    }
    /// The loss curve so far (thinned as stored: see [`LOSS_POINTS`]).
    pub fn loss_curve(&self) -> &Thinned<LossPoint> {
        &self.loss
    }
    /// The steps where the true residual was measured (thinned as stored: see
    /// [`KERNEL_POINTS`]).
    pub fn measured(&self) -> &Thinned<LossPoint> {
        &self.measured
    }
    /// The loss points kept, with every kept measurement merged in, by step.
    pub fn loss_points(&self) -> Vec<LossPoint> {
        let mut all: Vec<LossPoint> = self.measured.to_vec();
        let seen: std::collections::BTreeSet<usize> = all.iter().map(|p| p.step).collect();
        all.extend(
            self.loss
                .iter()
                .filter(|p| !seen.contains(&p.step))
                .copied(),
        );
        all.sort_by_key(|p| p.step);
        all
    }
    /// The latest training loss.
    pub fn latest_loss(&self) -> f64 {
        self.loss.last().map_or(f64::NAN, |p| p.loss)
    }
    /// The latest measured true residual (and its step).
    pub fn latest_true_residual(&self) -> Option<(usize, f64)> {
        self.measured
            .last()
            .and_then(|p| p.true_residual.map(|r| (p.step, r)))
    }
    /// Kernel spectra recorded so far (thinned as stored: see [`KERNEL_POINTS`]).
    pub fn kernels(&self) -> &Thinned<KernelPoint> {
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

    /// Training speed so far with `q = decades` (the config's `train.decades`).
    pub fn speed(&self, decades: f64) -> Speed {
        let l0 = self.loss.first().map_or(f64::NAN, |p| p.loss);
        let last = self.latest_loss();
        Speed {
            decades,
            initial_loss: l0,
            steps_to_target: self.reached_target,
            final_loss: last,
            loss_reduction: l0 / last,
            steps_per_second: if self.seconds > 0.0 {
                self.step as f64 / self.seconds
            } else {
                0.0
            },
        }
    }

    /// One optimizer update and the new loss and gradient, with its wall time in
    /// seconds. Gives the loss, or the stop if the update diverged (the previous
    /// parameters are then restored).
    fn update(&mut self, lr: f64, precision: Precision) -> (Update, f64) {
        let start = Instant::now();
        self.prev.copy_from_slice(&self.net.theta);
        self.optimizer.update(&mut self.net.theta, &self.grad, lr);
        let loss = loss_and_gradient(&self.net, &self.res, precision, Some(&mut self.grad));
        let seconds = start.elapsed().as_secs_f64();
        if loss.is_finite() && finite(&self.grad) {
            return (Ok(loss), seconds);
        }
        self.net.theta.copy_from_slice(&self.prev);
        let diverged = Stopped {
            reason: StopReason::Diverged,
            step: self.step,
            message: format!(
                "diverged: the loss became {} at step {} (learning rate {lr:e}); kept the parameters of step {}",
                if loss.is_nan() { "NaN" } else { "infinite" },
                self.step + 1,
                self.step
            ),
        };
        (Err(diverged), seconds)
    }

    /// Stores one step's loss (and true residual, when measured), and notes the step
    /// if it is the first whose loss reached `loss₀ · 10^−decades`.
    fn record(&mut self, point: LossPoint, decades: f64) {
        let l0 = self.loss.first().map_or(point.loss, |p| p.loss);
        if self.reached_target.is_none() && point.loss <= l0 * 10f64.powf(-decades) {
            self.reached_target = Some(point.step);
        }
        if point.true_residual.is_some() {
            self.measured.push(point);
        }
        self.loss.push(point);
    }

    /// The rest of a step after [`Run::update`]: the stop rules, and every `every`
    /// steps (and at the stop) the true residual on `test` and the kernel spectrum.
    fn finish_step(&mut self, update: Update, config: &Config, test: &Residuals) -> Result<()> {
        let tc = &config.train;
        let loss = match update {
            Ok(loss) => loss,
            Err(diverged) => {
                // The kept state may fall between measurements: measure it now.
                if let Some(last) = self.loss.last_mut().filter(|p| p.true_residual.is_none()) {
                    last.true_residual = Some(true_residual(test, &self.net));
                    let last = *last;
                    self.measured.push(last);
                }
                self.stopped = Some(diverged);
                return Ok(());
            }
        };
        self.step += 1;
        let t = self.step;
        let stopped = match tc.loss_target {
            Some(target) if loss <= target => Some(Stopped {
                reason: StopReason::LossTarget,
                step: t,
                message: format!("reached the loss target {target:e} at step {t}"),
            }),
            _ if t >= tc.steps => Some(Stopped {
                reason: StopReason::Budget,
                step: t,
                message: format!("used the budget of {} steps", tc.steps),
            }),
            _ => None,
        };
        let measure = t.is_multiple_of(tc.every) || stopped.is_some();
        let point = LossPoint {
            step: t,
            loss,
            true_residual: measure.then(|| true_residual(test, &self.net)),
        };
        self.record(point, tc.decades);
        if measure {
            self.measure_kernel(config)?;
        }
        self.stopped = stopped;
        Ok(())
    }

    /// Records the kernel spectrum of `J` at the current step.
    fn measure_kernel(&mut self, config: &Config) -> Result<()> {
        let k = kernel_spectrum(
            &self.net,
            &self.res,
            config.precision,
            config.threshold,
            self.step,
            &format!("the {} Jacobian J", self.mode),
        )?;
        self.kernel.push(k);
        Ok(())
    }
}

/// A paired AD-vs-FD training comparison, advanced one step of every run at a time.
#[derive(Clone, Debug)]
pub struct TrainComparison {
    config: Valid<Config>,
    points: Points,
    /// The exact (AD, f64) interior residual rows on the held-out test points.
    test: Residuals,
    init: Network,
    runs: Vec<Run>,
    lr: f64,
    lambda_max_ad: f64,
}

/// What an update gives: the new loss, or the stop if it diverged.
type Update = std::result::Result<f64, Stopped>;

fn finite(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite())
}

impl TrainComparison {
    /// The shared learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
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

    /// Returns every run to the shared initial parameters (same init, same points).
    pub fn reset(&mut self) -> Result<()> {
        *self = Self::new(&self.config.clone())?;
        Ok(())
    }

    /// A run of `mode` at the initial parameters, with its loss, true residual and
    /// kernel spectrum at step 0.
    fn start_run(&self, mode: DiffMode) -> Result<Run> {
        let cfg = &self.config;
        let t = &cfg.train;
        let p = self.init.theta.len();
        let adam = AdamConstants {
            beta1: t.beta1,
            beta2: t.beta2,
            epsilon: t.epsilon,
        };
        let mut run = Run {
            mode,
            res: Residuals::new(&cfg.problem(), &self.points, mode, cfg.lambda),
            net: self.init.clone(),
            grad: vec![0.0; p],
            prev: self.init.theta.clone(),
            optimizer: OptimizerState::new(t.optimizer, adam, p),
            step: 0,
            loss: Thinned::new(LOSS_POINTS),
            measured: Thinned::new(KERNEL_POINTS),
            kernel: Thinned::new(KERNEL_POINTS),
            reached_target: None,
            stopped: None,
            seconds: 0.0,
        };
        let l0 = loss_and_gradient(&run.net, &run.res, cfg.precision, Some(&mut run.grad));
        if !(l0.is_finite() && finite(&run.grad)) {
            return Err(Error::NonFinite {
                what: format!("the initial {mode} loss"),
            });
        }
        let point = LossPoint {
            step: 0,
            loss: l0,
            true_residual: Some(true_residual(&self.test, &run.net)),
        };
        run.record(point, cfg.train.decades);
        run.measure_kernel(cfg)?;
        Ok(run)
    }
}

/// `mean (L u − f)²` over the test points with the exact operator (AD, f64).
fn true_residual(test: &Residuals, net: &Network) -> f64 {
    loss_and_gradient(net, test, Precision::F64, None)
}

impl Experiment for TrainComparison {
    type Report = TrainReport;

    /// Samples the points and the initial network (seeded), sets up one run per mode
    /// (AD, then each `h`) measuring each run's initial loss, true residual and kernel
    /// spectrum, and fixes the shared learning rate: `config.train.lr`, or
    /// `lr_scale / λ_max(G_AD at init)`.
    fn new(config: &Valid<Config>) -> Result<Self> {
        let problem = config.problem();
        let init = Network::init(config.architecture(), config.net.scale, config.seed);
        let mut c = TrainComparison {
            config: config.clone(),
            points: config.points(),
            test: Residuals::exact_interior(&problem, &Points::test(&problem)),
            init,
            runs: Vec::new(),
            lr: 0.0,
            lambda_max_ad: 0.0,
        };
        let runs = config
            .modes()
            .into_iter()
            .map(|mode| c.start_run(mode))
            .collect::<Result<Vec<_>>>()?;
        c.lambda_max_ad = runs[0]
            .kernel
            .first()
            .expect("measured at step 0")
            .lambda_max();
        c.lr = match config.train.lr {
            Some(lr) => lr,
            None if c.lambda_max_ad.is_nan() || c.lambda_max_ad <= 0.0 => {
                return Err(Error::invalid(
                    "train.lr_scale",
                    "the AD kernel's λ_max is 0, so lr = c/λ_max is undefined; give a fixed lr",
                ))
            }
            None => config.train.lr_scale / c.lambda_max_ad,
        };
        c.runs = runs;
        Ok(c)
    }

    /// One training step of every run that has not stopped. First every update, the
    /// runs in parallel (each is the same code on its own data, so the results do not
    /// depend on the thread count), timed together: each run is credited with the
    /// updates' wall time in proportion to its own update's time (on one thread, its
    /// own time; on several, where runs overlap, its share of the comparison's
    /// throughput). Then the stop rules and measurements, [`runs_at_once`] runs at a
    /// time in parallel (so the Jacobians held at once stay bounded), in run order.
    fn step(&mut self) -> Result<()> {
        use rayon::prelude::*;
        let (lr, precision) = (self.lr, self.config.precision);
        let start = Instant::now();
        let updates: Vec<Option<(Update, f64)>> = self
            .runs
            .par_iter_mut()
            .map(|run| (!run.is_finished()).then(|| run.update(lr, precision)))
            .collect();
        let wall = start.elapsed().as_secs_f64();
        let own: f64 = updates.iter().flatten().map(|u| u.1).sum();
        let (config, test) = (&self.config, &self.test);
        let mut pending = self
            .runs
            .iter_mut()
            .zip(updates)
            .filter_map(|(run, update)| {
                let (update, seconds) = update?;
                run.seconds += if own > 0.0 { wall * seconds / own } else { 0.0 };
                Some((run, update))
            });
        let at_once = runs_at_once(config);
        loop {
            let batch: Vec<_> = pending.by_ref().take(at_once).collect();
            if batch.is_empty() {
                return Ok(());
            }
            let done: Vec<Result<()>> = batch
                .into_par_iter()
                .map(|(run, update)| run.finish_step(update, config, test))
                .collect();
            done.into_iter().collect::<Result<()>>()?;
        }
    }

    /// Steps taken by the furthest run, out of the budget.
    fn progress(&self) -> Progress {
        Progress {
            done: self.runs.iter().map(Run::step).max().unwrap_or(0),
            total: self.config.train.steps,
        }
    }

    fn is_finished(&self) -> bool {
        self.runs.iter().all(Run::is_finished)
    }

    fn report(&self) -> TrainReport {
        let config = &self.config;
        let body = TrainResults {
            lr: self.lr,
            lr_rule: match config.train.lr {
                Some(_) => "fixed (config.train.lr)".into(),
                None => format!(
                    "lr = c / λ_max(G_AD at step 0) = {} / {:e}",
                    config.train.lr_scale, self.lambda_max_ad
                ),
            },
            lambda_max_ad: self.lambda_max_ad,
            init: self.init.clone(),
            points: self.points.clone(),
            runs: self
                .runs
                .iter()
                .map(|r| RunReport {
                    mode: r.mode,
                    loss: r.loss_points(),
                    kernel: r.kernel.to_vec(),
                    speed: r.speed(config.train.decades),
                    stopped: r.stopped.clone(),
                })
                .collect(),
        };
        Envelope::new((**config).clone(), body, TRAIN_DEFINITIONS)
    }
}
