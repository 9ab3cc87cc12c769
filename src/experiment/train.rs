//! The paired training comparison: AD and each FD step size from one initialization.
//!
//! A comparison holds one [`Run`] per differentiation mode (AD first, then each FD
//! step), all starting from the same initial parameters and points and sharing one
//! learning rate: a fixed `lr`, or `c / λ_max` with `λ_max = s₁²` the largest
//! eigenvalue of the AD run's initial kernel `G = JJᵀ`. (Scaling each FD run by its
//! own `λ_max` would compare different step sizes.)
//!
//! With Levenberg–Marquardt there is no learning rate: each run takes damped
//! Gauss–Newton steps ([`crate::models::optimizer::lm`]) on its own `J`, with its own damping.
//!
//! A run stops after `train.steps` steps, on reaching `loss_target`, or on divergence: a
//! non-finite loss or gradient stops it with that reason and restores the last
//! parameters whose loss was finite. A Levenberg–Marquardt run also stops when no
//! damping up to `mu_max` lowers its loss.
//!
//! Every `every` steps (and at step 0 and the stop) a run is recorded: its true PDE
//! residual and solution errors on the held-out test points, and its kernel spectrum.

use super::test_set::TestSet;
use super::{runs_at_once, Experiment, Progress};
use crate::error::{Error, Result};
use crate::experiment::config::{Config, Valid};
use crate::experiment::report::table::TrainRow;
use crate::experiment::report::{
    Envelope, LossPoint, Record, RunReport, Speed, StopReason, Stopped, TrainReport, TrainResults,
    TRAIN_DEFINITIONS,
};
use crate::models::net::kernel::{kernel_spectrum, KernelPoint};
use crate::models::net::lm as net_lm;
use crate::models::net::loss::loss_and_gradient;
use crate::models::net::residual::Residuals;
use crate::models::net::Network;
use crate::models::optimizer::lm::{Damping, Outcome};
use crate::models::optimizer::{AdamConstants, Optimizer, OptimizerState};
use crate::numeric::jet::Precision;
use crate::numeric::thinned::Thinned;
use crate::pde::operator::DiffMode;
use crate::pde::problem::Points;
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
    /// The recorded steps, thinned to at most [`KERNEL_POINTS`] + 1.
    records: Thinned<Record>,
    /// Every measured kernel spectrum, thinned to at most [`KERNEL_POINTS`] + 1.
    kernel: Thinned<KernelPoint>,
    /// The first step whose loss was at most `loss₀ · 10^−decades` (kept exactly,
    /// whatever the thinning).
    reached_target: Option<usize>,
    stopped: Option<Stopped>,
    /// This run's share of the wall time of the comparison's updates (see
    /// [`TrainComparison`]'s `step`).
    seconds: f64,
    /// Levenberg–Marquardt: the damping of the latest taken step.
    mu: Option<f64>,
    /// Levenberg–Marquardt: the buffers kept between steps.
    lm_work: net_lm::Workspace,
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
    /// The recorded steps: true residual, solution errors, damping (thinned as stored:
    /// see [`KERNEL_POINTS`]).
    pub fn records(&self) -> &Thinned<Record> {
        &self.records
    }
    /// The latest record.
    pub fn latest_record(&self) -> Option<&Record> {
        self.records.last()
    }
    /// The loss points kept, with every kept record's true residual merged in, by step.
    pub fn loss_points(&self) -> Vec<LossPoint> {
        let mut all: Vec<LossPoint> = self
            .records
            .iter()
            .map(|r| LossPoint {
                step: r.step,
                loss: r.loss,
                true_residual: Some(r.true_residual),
            })
            .collect();
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
        self.records.last().map(|r| (r.step, r.true_residual))
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

    /// The run's row of the run table so far, with `q = decades`.
    pub fn row(&self, decades: f64) -> TrainRow {
        let (k0, last) = (self.kernel.first(), self.records.last());
        let speed = self.speed(decades);
        TrainRow::of(
            self.mode,
            self.step,
            k0,
            last,
            &speed,
            self.stopped.as_ref(),
        )
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

    /// One optimizer update, with its wall time in seconds. Gives the new loss, or the
    /// stop if the run cannot go on (its parameters are then those of the last step).
    fn update(&mut self, lr: f64, precision: Precision) -> (Update, f64) {
        let start = Instant::now();
        let update = if matches!(self.optimizer, OptimizerState::Lm(_)) {
            self.lm_update(precision)
        } else {
            self.gradient_update(lr, precision)
        };
        (update, start.elapsed().as_secs_f64())
    }

    /// GD or Adam: the update along the gradient of the last step, then the new loss and
    /// gradient; on a non-finite one the previous parameters are restored.
    fn gradient_update(&mut self, lr: f64, precision: Precision) -> Update {
        self.prev.copy_from_slice(&self.net.theta);
        self.optimizer.update(&mut self.net.theta, &self.grad, lr);
        let loss = loss_and_gradient(&self.net, &self.res, precision, Some(&mut self.grad));
        if loss.is_finite() && finite(&self.grad) {
            return Ok(loss);
        }
        self.net.theta.copy_from_slice(&self.prev);
        Err(self.diverged(
            format!(
                "the loss became {}",
                if loss.is_nan() { "NaN" } else { "infinite" }
            ),
            format!("learning rate {lr:e}"),
        ))
    }

    /// Levenberg–Marquardt: `J` and `r̃` at the current parameters, then [`lm::step`]
    /// with this run's damping.
    fn lm_update(&mut self, precision: Precision) -> Update {
        let loss = self.latest_loss();
        let OptimizerState::Lm(damping) = &mut self.optimizer else {
            unreachable!("lm_update on a run without Levenberg–Marquardt")
        };
        let Some(outcome) = net_lm::step(
            &mut self.net,
            &self.res,
            precision,
            loss,
            damping,
            &mut self.lm_work,
        ) else {
            return Err(self.diverged(
                "the Jacobian J or the residual became NaN or infinite".into(),
                "Levenberg–Marquardt".into(),
            ));
        };
        match outcome {
            Outcome::Taken { loss, mu, .. } => {
                self.mu = Some(mu);
                Ok(loss)
            }
            Outcome::NoDecrease { mu, trials } => Err(Stopped {
                reason: StopReason::NoDecrease,
                step: self.step,
                message: if trials == 0 {
                    format!(
                        "no step tried: the damping μ = {mu:e} is above the bound mu_max = {:e}",
                        damping.mu_max
                    )
                } else {
                    format!(
                        "no decrease at μ = {mu:.1e}: no damped Gauss–Newton step with μ up to mu_max = {:e} lowered the loss after step {}; kept its parameters",
                        damping.mu_max, self.step
                    )
                },
            }),
        }
    }

    /// The stop of a run whose next update failed (`what` happened, `under` what).
    fn diverged(&self, what: String, under: String) -> Stopped {
        Stopped {
            reason: StopReason::Diverged,
            step: self.step,
            message: format!(
                "diverged: {what} at step {} ({under}); kept the parameters of step {}",
                self.step + 1,
                self.step
            ),
        }
    }

    /// Stores one step's loss and notes the step if it is the first whose loss reached
    /// `loss₀ · 10^−decades`.
    fn push_loss(&mut self, point: LossPoint, decades: f64) {
        let l0 = self.loss.first().map_or(point.loss, |p| p.loss);
        if self.reached_target.is_none() && point.loss <= l0 * 10f64.powf(-decades) {
            self.reached_target = Some(point.step);
        }
        self.loss.push(point);
    }

    /// Records the current state on the test points (true residual, solution errors,
    /// damping) and, with `config`, its kernel spectrum.
    fn record(&mut self, test: &TestSet, config: &Config) -> Result<()> {
        let record = test.record(&self.net, self.step, self.latest_loss(), self.mu);
        if let Some(last) = self.loss.last_mut().filter(|p| p.step == self.step) {
            last.true_residual = Some(record.true_residual);
        }
        self.records.push(record);
        self.measure_kernel(config)
    }

    /// The rest of a step after [`Run::update`]: the stop rules, and every `every`
    /// steps (and at the stop) a record on the test points and the kernel spectrum.
    fn finish_step(&mut self, update: Update, config: &Config, test: &TestSet) -> Result<()> {
        let tc = &config.train;
        let loss = match update {
            Ok(loss) => loss,
            Err(stop) => {
                // The kept state may fall between records: record it now.
                if self.records.last().is_none_or(|r| r.step != self.step) {
                    let record = test.record(&self.net, self.step, self.latest_loss(), self.mu);
                    if let Some(last) = self.loss.last_mut() {
                        last.true_residual = Some(record.true_residual);
                    }
                    self.records.push(record);
                }
                self.stopped = Some(stop);
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
                reason: StopReason::Steps,
                step: t,
                message: format!("took all {} steps", tc.steps),
            }),
            _ => None,
        };
        let point = LossPoint {
            step: t,
            loss,
            true_residual: None,
        };
        self.push_loss(point, tc.decades);
        if t.is_multiple_of(tc.every) || stopped.is_some() {
            self.record(test, config)?;
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
    /// The held-out test points.
    test: TestSet,
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
            optimizer: OptimizerState::new(t.optimizer, adam, Damping::new(t.mu0, t.mu_max), p),
            step: 0,
            loss: Thinned::new(LOSS_POINTS),
            records: Thinned::new(KERNEL_POINTS),
            kernel: Thinned::new(KERNEL_POINTS),
            reached_target: None,
            stopped: None,
            seconds: 0.0,
            mu: None,
            lm_work: net_lm::Workspace::default(),
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
            true_residual: None,
        };
        run.push_loss(point, cfg.train.decades);
        run.record(&self.test, cfg)?;
        Ok(run)
    }
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
            test: TestSet::new(&problem),
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
            _ if config.train.optimizer == Optimizer::Lm => 1.0,
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
    /// depend on the thread count) — GD and Adam all at once, Levenberg–Marquardt, which
    /// holds a Jacobian per run, [`runs_at_once`] at a time — timed together: each run is
    /// credited with the updates' wall time in proportion to its own update's time (on
    /// one thread, its own time; on several, where runs overlap, its share of the
    /// comparison's throughput). Then the stop rules and measurements, [`runs_at_once`]
    /// runs at a time in parallel (so the Jacobians held at once stay bounded), in run
    /// order.
    fn step(&mut self) -> Result<()> {
        use rayon::prelude::*;
        let (lr, precision) = (self.lr, self.config.precision);
        let updating = match self.config.train.optimizer {
            Optimizer::Lm => runs_at_once(&self.config),
            Optimizer::Gd | Optimizer::Adam => self.runs.len(),
        };
        let start = Instant::now();
        let mut updates: Vec<Option<(Update, f64)>> = Vec::with_capacity(self.runs.len());
        for batch in self.runs.chunks_mut(updating.max(1)) {
            updates.par_extend(
                batch
                    .par_iter_mut()
                    .map(|run| (!run.is_finished()).then(|| run.update(lr, precision))),
            );
        }
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

    /// Steps taken by the furthest run, out of `train.steps`.
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
                _ if config.train.optimizer == Optimizer::Lm => format!(
                    "none: Levenberg–Marquardt takes the damped Gauss–Newton step θ ← θ − (JᵀJ + μI)⁻¹Jᵀr̃, μ from μ₀ = {:e} by Nielsen's rule, bound mu_max = {:e}",
                    config.train.mu0, config.train.mu_max
                ),
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
                    records: r.records.to_vec(),
                    error_l2: r.latest_record().map_or(f64::NAN, |x| x.error_l2),
                    error_max: r.latest_record().map_or(f64::NAN, |x| x.error_max),
                    kernel: r.kernel.to_vec(),
                    speed: r.speed(config.train.decades),
                    stopped: r.stopped.clone(),
                })
                .collect(),
        };
        Envelope::new((**config).clone(), body, TRAIN_DEFINITIONS)
    }
}
