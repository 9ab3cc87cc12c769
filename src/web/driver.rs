//! What the browser worker runs, as plain Rust: the settings, the comparison in
//! progress, an optional sweep over `h`, the history of finished runs
//! ([`super::history`]), and the [`Snapshot`] the page draws, assembled from
//! [`super::views`]. The wasm `Session` is a thin facade over a [`Driver`]; everything
//! here is tested natively.

use super::history::{outcomes, History, Source};
use super::snapshot::{ChartVersions, Snapshot, Training};
use super::views::{self, NetSolution};
use crate::error::Result;
use crate::experiment::config::{Config, ModelKind, Valid, MAX_SEED};
use crate::experiment::report::Report;
use crate::experiment::{self, Comparison, Experiment, Progress};
use crate::pde::problem::PointSet;

/// Most training steps of one run in a network sweep.
const SWEEP_TRAINING_STEPS: usize = 500;

/// FD step sizes `h` of a sweep, log-spaced by half decades from 10⁻¹: 12 for the RFM (down
/// to ~3·10⁻⁷, far enough to see FD's round-off floor), 7 for networks (down to 10⁻⁴;
/// each is a training run).
pub fn sweep_h(model: ModelKind) -> Vec<f64> {
    let count = if model == ModelKind::Rfm { 12 } else { 7 };
    (0..count)
        .map(|i| 10f64.powf(-1.0 - 0.5 * i as f64))
        .collect()
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

/// The current job's work: milliseconds of it, and the units of progress they made (RFM:
/// runs fitted; network: steps of every run).
#[derive(Clone, Copy, Debug, Default)]
struct Work {
    ms: f64,
    units: usize,
}

/// The worker's state: see the module docs.
#[derive(Clone, Debug)]
pub struct Driver {
    generation: u32,
    job: Job,
    sweep: Option<Job>,
    /// The solution panel's grid.
    grid: PointSet,
    /// The current job's work so far.
    work: Work,
    history: History,
    /// The finished job's runs are in the history already.
    recorded: bool,
    error: Option<String>,
    /// Cached per network run: its solution at the latest measured step.
    views: Vec<Option<NetSolution>>,
}

impl Driver {
    /// A driver for `config`, idle: nothing is set up or computed before the first
    /// [`Driver::work`].
    pub fn new(config: Valid<Config>) -> Driver {
        let problem = config.problem();
        Driver {
            grid: views::plot_grid(problem.dim()),
            job: Job::new(config),
            generation: 0,
            sweep: None,
            work: Work::default(),
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
        self.grid = views::plot_grid(problem.dim());
        self.work = Work::default();
        self.recorded = false;
        self.error = None;
        self.views.clear();
    }

    /// True when the comparison and any sweep are complete.
    pub fn is_finished(&self) -> bool {
        self.job.is_finished() && self.sweep.as_ref().is_none_or(Job::is_finished)
    }

    /// Works for about `slice_ms` milliseconds through the executor, on the
    /// comparison or, once it is finished, on the sweep; a job not yet set up is set
    /// up first, as one unit. Returns true when nothing is left to do. A numerical
    /// failure stops that job, is kept for the snapshot, and is returned.
    pub fn work(&mut self, slice_ms: f64) -> Result<bool> {
        let main = !self.job.is_finished();
        let job = match (main, &mut self.sweep) {
            (true, _) => &mut self.job,
            (false, Some(s)) if !s.is_finished() => s,
            _ => return Ok(true),
        };
        let before = job.progress().done;
        let units = match job.comparison.as_mut() {
            Some(comparison) => experiment::run_for(comparison, slice_ms),
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
            self.work.ms += units.iter().sum::<f64>();
            self.work.units += progressed;
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
                .map(|fit| views::rfm_run(cmp, fit, threshold, &self.grid))
                .collect(),
            Some(Comparison::Train(cmp)) => {
                self.views.resize(cmp.runs().len(), None);
                let decades = cmp.config().train.decades;
                cmp.runs()
                    .iter()
                    .zip(self.views.iter_mut())
                    .map(|(run, view)| {
                        let measured = run.latest_kernel().map_or(0, |k| k.step);
                        if view.as_ref().is_none_or(|v| v.step() != measured) {
                            *view = Some(views::net_solution(run, &self.grid, measured));
                        }
                        let view = view.as_ref().expect("just filled");
                        views::net_run(run, view, threshold, decades)
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
        let readouts = views::readouts(self.job.comparison.as_ref(), c);
        let mut snapshot = Snapshot {
            generation: self.generation,
            set_up: self.job.comparison.is_some(),
            model: c.model,
            problem: c.problem,
            dim: problem.dim(),
            seed: c.seed,
            threshold,
            finished: self.is_finished(),
            error: self.error.clone(),
            ms_per_unit: (self.work.units > 0).then(|| self.work.ms / self.work.units as f64),
            progress,
            training,
            runs,
            grid: views::plot_grid_view(&self.grid, &problem),
            sweep: self
                .sweep
                .as_ref()
                .map(|j| views::sweep(&j.config, j.comparison.as_ref(), j.progress())),
            history: self.history.view(Source::of(c)),
            readouts,
            charts: ChartVersions::default(),
        };
        snapshot.charts = ChartVersions::of(&snapshot);
        snapshot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::jet::Precision;
    use crate::pde::problem::ProblemKind;

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
        assert_eq!(s.runs[0].u.len(), views::PLOT_1D);
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
        // ms_per_unit divides by the progress made: RFM runs fitted (two at once on two
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
            assert_eq!(d.work.units, progress);
            assert!(d.snapshot().ms_per_unit.is_some_and(|ms| ms > 0.0));
        }
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
