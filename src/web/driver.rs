//! What the browser worker runs, as plain Rust: the settings, the comparison in
//! progress, an optional sweep over `h`, the history of finished runs, and the
//! [`Snapshot`] the page draws. The wasm `Session` is a thin facade over a [`Driver`];
//! everything here is tested natively.

use super::snapshot::{
    HistoryView, PlotGrid, RunTraining, RunView, Snapshot, SpectrumView, SweepPoint, SweepView,
    Training,
};
use crate::config::{Config, ModelKind, Valid, MAX_SEED};
use crate::error::Result;
use crate::experiment::{self, Comparison, Experiment, Progress, Run};
use crate::optimizer::Optimizer;
use crate::problem::{PointSet, Points};
use crate::report::table::{self, Table};
use crate::report::Report;
use crate::spectrum::Threshold;
use std::collections::VecDeque;

/// Points per axis of the grid the solution panel is drawn on, in 1-D and 2-D.
const PLOT_1D: usize = 201;
const PLOT_2D: usize = 48;
/// Most finished runs kept for the entropy scatter.
pub const HISTORY: usize = 400;
/// Most points of a loss curve sent to the page (longer curves are thinned evenly).
const CURVE_POINTS: usize = 1500;
/// Most training steps of one run in a network sweep.
const SWEEP_TRAINING_STEPS: usize = 500;

/// FD steps `h` of a sweep, log-spaced by half decades from 10⁻¹: 12 for the RFM (down
/// to ~3·10⁻⁷, far enough to see FD's round-off floor), 7 for networks (down to 10⁻⁴;
/// each is a training run).
pub fn sweep_h(model: ModelKind) -> Vec<f64> {
    let count = if model == ModelKind::Rfm { 12 } else { 7 };
    (0..count)
        .map(|i| 10f64.powf(-1.0 - 0.5 * i as f64))
        .collect()
}

/// One finished run, for the entropy scatter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// The run was a network's (else the RFM's).
    pub network: bool,
    /// The FD step `h` (`None` for AD).
    pub h: Option<f64>,
    /// `H(a)` (RFM: of `A`; network: of `J` at step 0).
    pub entropy: f64,
    /// `exp H(a)`.
    pub effective_modes: f64,
    /// The true residual (RFM: of the fit; network: at the last measurement).
    pub residual_true: f64,
    /// Network only: `loss_end / loss₀`.
    pub loss_ratio: f64,
}

impl Outcome {
    /// What the scatter plots against entropy: the RFM's true residual, a network's
    /// loss ratio.
    fn y(&self) -> f64 {
        if self.network {
            self.loss_ratio
        } else {
            self.residual_true
        }
    }
}

/// The finished runs of a comparison (all once it is finished; none before setup).
fn outcomes(c: Option<&Comparison>) -> Vec<Outcome> {
    match c {
        None => Vec::new(),
        Some(Comparison::Rfm(c)) => c
            .fits()
            .iter()
            .map(|f| Outcome {
                network: false,
                h: f.run.mode.h(),
                entropy: f.run.entropy,
                effective_modes: f.run.effective_modes,
                residual_true: f.run.residual_true,
                loss_ratio: f64::NAN,
            })
            .collect(),
        Some(Comparison::Train(c)) => c
            .runs()
            .iter()
            .filter(|r| r.is_finished())
            .map(|r| {
                let k0 = r.kernels().first();
                Outcome {
                    network: true,
                    h: r.mode().h(),
                    entropy: k0.map_or(f64::NAN, |k| k.entropy),
                    effective_modes: k0.map_or(f64::NAN, |k| k.effective_modes),
                    residual_true: r.latest_true_residual().map_or(f64::NAN, |t| t.1),
                    loss_ratio: 1.0 / r.speed(c.config().train.decades).loss_reduction,
                }
            })
            .collect(),
    }
}

/// The most recent finished runs, oldest dropped first: at most [`HISTORY`].
#[derive(Clone, Debug, Default)]
pub struct History(VecDeque<Outcome>);

impl History {
    /// Adds a finished run, dropping the oldest when full.
    pub fn push(&mut self, outcome: Outcome) {
        if self.0.len() == HISTORY {
            self.0.pop_front();
        }
        self.0.push_back(outcome);
    }

    /// Runs kept.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no run is kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The scatter's data: the runs of one model kind.
    fn view(&self, network: bool) -> HistoryView {
        let mine: Vec<&Outcome> = self.0.iter().filter(|o| o.network == network).collect();
        let (x_label, y_label) = if network {
            (
                "truncated entropy H(a) of J at step 0",
                "loss after training / initial loss",
            )
        } else {
            ("truncated entropy H(a) of A", "true PDE residual")
        };
        HistoryView {
            entropy: mine.iter().map(|o| o.entropy).collect(),
            y: mine.iter().map(|o| o.y()).collect(),
            ad: mine.iter().map(|o| o.h.is_none()).collect(),
            x_label: x_label.into(),
            y_label: y_label.into(),
        }
    }
}

/// A job: its settings, its comparison once set up, and whether a numerical failure
/// stopped it. Setting up (features, points, the test operator, a network's initial
/// kernels) is the job's first unit of work, not part of `configure`, so a change of
/// settings is answered at once and the page can stop a long setup.
#[derive(Clone, Debug)]
struct Job {
    config: Valid<Config>,
    comparison: Option<Comparison>,
    failed: bool,
}

impl Job {
    fn new(config: Valid<Config>) -> Job {
        Job {
            config,
            comparison: None,
            failed: false,
        }
    }

    /// The comparison, set up first if it is not yet.
    fn started(&mut self) -> Result<&mut Comparison> {
        if self.comparison.is_none() {
            self.comparison = Some(Comparison::new(&self.config)?);
        }
        Ok(self.comparison.as_mut().expect("just set up"))
    }

    fn is_finished(&self) -> bool {
        self.failed
            || self
                .comparison
                .as_ref()
                .is_some_and(Comparison::is_finished)
    }

    /// Progress; before setup, none of the planned units.
    fn progress(&self) -> Progress {
        match &self.comparison {
            Some(c) => c.progress(),
            None => Progress {
                done: 0,
                total: match self.config.model {
                    ModelKind::Rfm => self.config.modes().len(),
                    ModelKind::Network => self.config.train.steps,
                },
            },
        }
    }
}

/// The solution of one network run on the plot grid at one measured step.
#[derive(Clone, Debug, Default)]
struct NetView {
    step: usize,
    plot: Vec<f64>,
}

/// The worker's state: see the module docs.
#[derive(Clone, Debug)]
pub struct Driver {
    generation: u32,
    job: Job,
    sweep: Option<Job>,
    /// The solution panel's grid and the held-out test points.
    grid: PointSet,
    test: PointSet,
    /// The current job's milliseconds of work, and the progress they made (RFM: runs
    /// fitted; network: steps of every run).
    work_ms: (f64, usize),
    history: History,
    /// The finished job's runs are in the history already.
    recorded: bool,
    error: Option<String>,
    /// Cached per network run: its solution at the latest measured step.
    views: Vec<Option<NetView>>,
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
        PointSet::midpoints(2, PLOT_2D)
    }
}

impl Driver {
    /// A driver for `config`, idle: nothing is set up or computed before the first
    /// [`Driver::work`].
    pub fn new(config: Valid<Config>) -> Driver {
        let problem = config.problem();
        Driver {
            grid: plot_grid(problem.dim()),
            test: Points::test(&problem),
            job: Job::new(config),
            generation: 0,
            sweep: None,
            work_ms: (0.0, 0),
            history: History::default(),
            recorded: false,
            error: None,
            views: Vec::new(),
        }
    }

    /// The current settings.
    pub fn config(&self) -> &Valid<Config> {
        &self.job.config
    }

    /// The generation of the current settings: it changes whenever the comparison is
    /// replaced (new settings, reset, new seed), and every snapshot carries it.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Switches to `config` (a new generation of settings); its comparison is set up
    /// by the next [`Driver::work`]. Settings equal to the current ones keep the run
    /// (and any sweep) unless it failed.
    pub fn configure(&mut self, config: Valid<Config>) {
        if config == *self.config() && self.error.is_none() {
            return;
        }
        self.sweep = None;
        self.install(Job::new(config));
    }

    /// Starts the comparison again from the same initialization (same seed).
    pub fn reset(&mut self) {
        self.sweep = None;
        self.install(Job::new(self.config().clone()));
    }

    /// Draws the next seed (from the current one, so a sequence of seeds is
    /// reproducible: `seed ← (6364136223846793005·seed + 1442695040888963407) mod
    /// MAX_SEED`), restarts, and returns it.
    pub fn new_seed(&mut self) -> Result<u64> {
        let mut config = (**self.config()).clone();
        config.seed = config
            .seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
            % MAX_SEED;
        let seed = config.seed;
        self.configure(config.check()?);
        Ok(seed)
    }

    /// Queues a sweep of the current settings over [`sweep_h`] (AD once, then each
    /// `h`; networks train at most 500 steps per run); it runs after the comparison.
    pub fn sweep(&mut self) -> Result<()> {
        let mut c = (**self.config()).clone();
        c.h = sweep_h(c.model);
        c.train.steps = c.train.steps.min(SWEEP_TRAINING_STEPS);
        self.sweep = Some(Job::new(c.check()?));
        Ok(())
    }

    fn install(&mut self, job: Job) {
        self.job = job;
        self.generation = self.generation.wrapping_add(1);
        let problem = self.config().problem();
        self.grid = plot_grid(problem.dim());
        self.test = Points::test(&problem);
        self.work_ms = (0.0, 0);
        self.recorded = false;
        self.error = None;
        self.views.clear();
    }

    /// True when the comparison and any sweep are complete.
    pub fn is_finished(&self) -> bool {
        self.job.is_finished() && self.sweep.as_ref().is_none_or(Job::is_finished)
    }

    /// Works for about `budget_ms` milliseconds through the executor, on the
    /// comparison or, once it is finished, on the sweep; a job not yet set up is set
    /// up first, as one unit. Returns true when nothing is left to do. A numerical
    /// failure stops that job, is kept for the snapshot, and is returned.
    pub fn work(&mut self, budget_ms: f64) -> Result<bool> {
        let main = !self.job.is_finished();
        let job = match (main, &mut self.sweep) {
            (true, _) => &mut self.job,
            (false, Some(s)) if !s.is_finished() => s,
            _ => return Ok(true),
        };
        let before = job.progress().done;
        let units = match job.comparison.as_mut() {
            Some(comparison) => experiment::run_for(comparison, budget_ms),
            None => job.started().map(|_| Vec::new()),
        };
        let units = match units {
            Ok(units) => units,
            Err(e) => {
                job.failed = true;
                self.error = Some(e.to_string());
                return Err(e);
            }
        };
        let progressed = job.progress().done.saturating_sub(before);
        if main {
            self.work_ms.0 += units.iter().sum::<f64>();
            self.work_ms.1 += progressed;
            if self.job.is_finished() && !self.recorded {
                self.recorded = true;
                for o in outcomes(self.job.comparison.as_ref()) {
                    self.history.push(o);
                }
            }
        } else if let Some(s) = &self.sweep {
            if s.is_finished() {
                for o in outcomes(s.comparison.as_ref()) {
                    self.history.push(o);
                }
            }
        }
        Ok(self.is_finished())
    }

    /// The current comparison's report (runs not yet fitted are left out; networks
    /// report their runs so far). Sets the comparison up if it is not yet.
    pub fn report(&mut self) -> Result<Report> {
        Ok(self.job.started()?.report())
    }

    /// The state as the page draws it.
    pub fn snapshot(&mut self) -> Snapshot {
        let c = &self.job.config;
        let problem = c.problem();
        let threshold = c.threshold;
        let runs = match &self.job.comparison {
            None => Vec::new(),
            Some(Comparison::Rfm(cmp)) => cmp
                .fits()
                .iter()
                .map(|fit| {
                    let r = &fit.run;
                    RunView {
                        label: r.mode.to_string(),
                        h: r.mode.h(),
                        spectrum: Some(spectrum_view(
                            &r.singular_values,
                            threshold,
                            r.cutoff,
                            r.entropy,
                            r.effective_modes,
                            0,
                            Some(r.noise_floor),
                        )),
                        residual_system: r.residual_system,
                        residual_true: Some(r.residual_true),
                        error_l2: r.error_l2,
                        error_max: r.error_max,
                        time_ms: r.time_ms,
                        u: cmp.features().values(&fit.coefficients, &self.grid),
                        training: None,
                    }
                })
                .collect(),
            Some(Comparison::Train(cmp)) => {
                self.views.resize(cmp.runs().len(), None);
                let decades = cmp.config().train.decades;
                cmp.runs()
                    .iter()
                    .zip(self.views.iter_mut())
                    .map(|(run, view)| {
                        let measured = run.latest_kernel().map_or(0, |k| k.step);
                        if view.as_ref().is_none_or(|v| v.step != measured) {
                            *view = Some(net_view(run, &self.grid, measured));
                        }
                        let view = view.as_ref().expect("just filled");
                        net_run_view(run, view, threshold, decades)
                    })
                    .collect()
            }
        };
        let training = match &self.job.comparison {
            Some(Comparison::Train(cmp)) => Some(Training {
                lr: cmp.lr(),
                optimizer: cmp.config().train.optimizer.to_string(),
                decades: cmp.config().train.decades,
            }),
            _ => None,
        };
        let progress = self.job.progress();
        let network = c.model == ModelKind::Network;
        let readouts = match &self.job.comparison {
            None => Table::default(),
            Some(Comparison::Rfm(cmp)) => table::rfm(
                cmp.fits().iter().map(|f| &f.run),
                &threshold,
                c.precision,
                problem.dim(),
            ),
            Some(Comparison::Train(cmp)) => {
                let t = &cmp.config().train;
                let rows: Vec<_> = cmp.runs().iter().map(|r| r.row(t.decades)).collect();
                table::train(
                    &rows,
                    &threshold,
                    t.decades,
                    t.optimizer == Optimizer::Lm,
                    problem.dim(),
                )
            }
        };
        Snapshot {
            generation: self.generation,
            set_up: self.job.comparison.is_some(),
            model: c.model,
            problem: c.problem,
            dim: problem.dim(),
            seed: c.seed,
            threshold,
            finished: self.is_finished(),
            error: self.error.clone(),
            ms_per_step: (self.work_ms.1 > 0).then(|| self.work_ms.0 / self.work_ms.1 as f64),
            progress,
            training,
            runs,
            grid: PlotGrid {
                dim: self.grid.dim,
                n: if self.grid.dim == 1 { PLOT_1D } else { PLOT_2D },
                x: if self.grid.dim == 1 {
                    self.grid.coords.clone()
                } else {
                    Vec::new()
                },
                exact: self.grid.iter().map(|x| problem.exact(x)).collect(),
            },
            sweep: self.sweep.as_ref().map(sweep_view),
            history: self.history.view(network),
            readouts,
        }
    }
}

fn spectrum_view(
    singular_values: &[f64],
    threshold: Threshold,
    cutoff: usize,
    entropy: f64,
    effective_modes: f64,
    step: usize,
    noise_floor: Option<f64>,
) -> SpectrumView {
    SpectrumView {
        singular_values: singular_values.to_vec(),
        cut: threshold.cut(singular_values.first().copied().unwrap_or(0.0)),
        cutoff,
        entropy,
        effective_modes,
        step,
        noise_floor,
    }
}

fn net_view(run: &Run, grid: &PointSet, step: usize) -> NetView {
    let net = run.network();
    NetView {
        step,
        plot: grid.iter().map(|x| net.value(x)).collect(),
    }
}

/// Evenly thins `(step, value)` pairs to at most [`CURVE_POINTS`], keeping the last.
fn thin(points: Vec<(f64, f64)>) -> (Vec<f64>, Vec<f64>) {
    let stride = points.len().div_ceil(CURVE_POINTS).max(1);
    let last = points.len().saturating_sub(1);
    points
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % stride == 0 || *i == last)
        .map(|(_, p)| p)
        .unzip()
}

fn net_run_view(run: &Run, view: &NetView, threshold: Threshold, decades: f64) -> RunView {
    let curve = run.loss_curve();
    let (loss_step, loss) = thin(curve.iter().map(|p| (p.step as f64, p.loss)).collect());
    let records = run.records();
    let (true_step, true_residual) = thin(
        records
            .iter()
            .map(|r| (r.step as f64, r.true_residual))
            .collect(),
    );
    let (_, error_l2) = thin(
        records
            .iter()
            .map(|r| (r.step as f64, r.error_l2))
            .collect(),
    );
    let latest = run.latest_record();
    let speed = run.speed(decades);
    RunView {
        label: run.mode().to_string(),
        h: run.mode().h(),
        spectrum: run.latest_kernel().map(|k| {
            spectrum_view(
                &k.singular_values,
                threshold,
                k.cutoff,
                k.entropy,
                k.effective_modes,
                k.step,
                None,
            )
        }),
        residual_system: run.latest_loss(),
        residual_true: run.latest_true_residual().map(|r| r.1),
        error_l2: latest.map_or(f64::NAN, |r| r.error_l2),
        error_max: latest.map_or(f64::NAN, |r| r.error_max),
        time_ms: if speed.steps_per_second > 0.0 {
            1e3 / speed.steps_per_second
        } else {
            f64::NAN
        },
        u: view.plot.clone(),
        training: Some(RunTraining {
            step: run.step(),
            entropy0: run.kernels().first().map_or(f64::NAN, |k| k.entropy),
            loss_step,
            loss,
            true_step,
            true_residual,
            error_l2,
            mu: latest.and_then(|r| r.mu),
            steps_to_target: speed.steps_to_target,
            loss_reduction: speed.loss_reduction,
            stopped: run.stopped().map(|s| s.message.clone()),
        }),
    }
}

fn sweep_view(job: &Job) -> SweepView {
    let (done, total) = match &job.comparison {
        Some(Comparison::Train(c)) => (
            c.runs().iter().map(Run::step).sum(),
            c.runs().len() * c.config().train.steps,
        ),
        _ if job.config.model == ModelKind::Network => {
            (0, job.config.modes().len() * job.config.train.steps)
        }
        _ => {
            let p = job.progress();
            (p.done, p.total)
        }
    };
    let network = job.config.model == ModelKind::Network;
    let runs = outcomes(job.comparison.as_ref());
    let fd: Vec<&Outcome> = runs.iter().filter(|r| r.h.is_some()).collect();
    SweepView {
        progress: Progress { done, total },
        entropy_label: if network {
            "exp H of J at step 0"
        } else {
            "exp H of A"
        }
        .into(),
        y_label: if network {
            "true residual after training"
        } else {
            "true PDE residual"
        }
        .into(),
        h: fd.iter().map(|r| r.h.unwrap_or(f64::NAN)).collect(),
        entropy: fd.iter().map(|r| r.entropy).collect(),
        effective_modes: fd.iter().map(|r| r.effective_modes).collect(),
        residual_true: fd.iter().map(|r| r.residual_true).collect(),
        ad: runs.iter().find(|r| r.h.is_none()).map(|r| SweepPoint {
            entropy: r.entropy,
            effective_modes: r.effective_modes,
            residual_true: r.residual_true,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jet::Precision;
    use crate::problem::ProblemKind;

    fn small() -> Valid<Config> {
        let mut c = Config {
            n: 40,
            h: vec![1e-1, 1e-3],
            ..Config::default()
        };
        c.rfm.m = 40;
        c.check().unwrap()
    }

    #[test]
    fn a_finished_comparison_fills_the_snapshot_and_the_history_once() {
        let mut d = Driver::new(small());
        while !d.work(50.0).unwrap() {}
        let s = d.snapshot();
        assert!(s.finished);
        assert_eq!(s.runs.len(), 3);
        assert_eq!(s.runs[0].label, "AD");
        assert_eq!(s.runs[1].label, "FD h=1e-1");
        assert_eq!(s.runs[0].u.len(), PLOT_1D);
        // Each RFM run's round-off floor; FD's grows like 1/h² (the interior rows').
        let floor = |i: usize| s.runs[i].spectrum.as_ref().unwrap().noise_floor.unwrap();
        assert!(floor(0) < floor(1));
        assert!(
            (floor(2) / floor(1) / 1e4 - 1.0).abs() < 1e-2,
            "interior rows dominate"
        );
        assert_eq!(s.history.entropy.len(), 3);
        assert!(d.work(50.0).unwrap());
        assert_eq!(d.snapshot().history.entropy.len(), 3, "recorded once");
    }

    #[test]
    fn each_settings_change_is_a_new_generation_and_equal_settings_keep_the_run() {
        let mut d = Driver::new(small());
        let g0 = d.snapshot().generation;
        d.configure(small());
        assert_eq!(d.snapshot().generation, g0, "same settings");
        let mut c = (**d.config()).clone();
        c.seed = 5;
        d.configure(c.check().unwrap());
        assert_eq!(d.snapshot().generation, g0 + 1);
        assert_eq!(d.snapshot().seed, 5);
    }

    #[test]
    fn configure_sets_nothing_up_and_the_first_unit_of_work_does() {
        // A setup that takes seconds (the 2-D test operator is 2500 × 20000) is not
        // part of configure: the worker answers at once and can be stopped.
        let mut heavy =
            Config::defaults_for(ProblemKind::Poisson2d, Precision::F64, ModelKind::Rfm);
        heavy.rfm.m = 20_000;
        heavy.n = 50;
        let mut d = Driver::new(small());
        let start = web_time::Instant::now();
        d.configure(heavy.check().unwrap());
        assert!(start.elapsed().as_millis() < 500, "{:?}", start.elapsed());
        let s = d.snapshot();
        assert!(!s.set_up && s.runs.is_empty() && !s.finished);
        assert_eq!((s.progress.done, s.progress.total), (0, 4));

        d.configure(small());
        assert!(!d.work(0.0).unwrap(), "setup is one unit");
        assert!(d.snapshot().set_up);
        assert_eq!(d.snapshot().progress.done, 0);
        assert!(!d.work(0.0).unwrap());
        // One unit fits the next runs, one per thread.
        let s = d.snapshot();
        assert_eq!(
            s.progress.done,
            rayon::current_num_threads().min(s.progress.total)
        );
    }

    #[test]
    fn time_per_step_counts_runs_fitted_and_steps_taken() {
        // ms_per_step divides by the progress made: RFM runs fitted (two at once on two
        // threads), network steps of every run.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let mut net = small().into_inner();
        net.model = ModelKind::Network;
        net.train.steps = 7;
        for (config, progress) in [(small(), 3), (net.check().unwrap(), 7)] {
            let mut d = Driver::new(config);
            pool.install(|| while !d.work(0.0).unwrap() {});
            assert_eq!(d.work_ms.1, progress);
            assert!(d.snapshot().ms_per_step.is_some_and(|ms| ms > 0.0));
        }
    }

    #[test]
    fn history_is_bounded() {
        let mut h = History::default();
        let o = Outcome {
            network: false,
            h: None,
            entropy: 1.0,
            effective_modes: 1.0,
            residual_true: 1.0,
            loss_ratio: 1.0,
        };
        for _ in 0..HISTORY + 10 {
            h.push(o);
        }
        assert_eq!(h.len(), HISTORY);
    }

    #[test]
    fn network_snapshots_carry_training_curves() {
        let mut c = Config {
            n: 20,
            h: vec![1e-1],
            model: ModelKind::Network,
            ..Config::default()
        };
        c.net.width = 8;
        c.train.steps = 6;
        c.train.every = 3;
        let mut d = Driver::new(c.check().unwrap());
        while !d.work(50.0).unwrap() {}
        let s = d.snapshot();
        let t = s.runs[0].training.as_ref().unwrap();
        assert_eq!(t.loss.len(), 7, "steps 0..=6");
        assert_eq!(t.true_step, vec![0.0, 3.0, 6.0]);
        assert_eq!(s.runs[0].spectrum.as_ref().unwrap().step, 6);
        assert_eq!(s.runs[0].spectrum.as_ref().unwrap().noise_floor, None);
        assert_eq!(s.progress.done, 6);
    }
}
