//! Experiments: a paired AD-vs-FD comparison, stepped by one executor.
//!
//! An [`Experiment`] is set up from a [`Valid<Config>`] (init), advanced one unit of
//! work at a time ([`Experiment::step`]), watched between units (observe), and turned
//! into its report at any moment ([`Experiment::report`]). Two implement it:
//!
//! * [`RfmComparison`] — the random feature model; a unit fits one run (AD, or FD at
//!   one `h`): assembly of `A`, SVD least squares, spectrum, truncated entropy, errors.
//! * [`TrainComparison`] — networks; a unit is one optimizer step of every run that
//!   has not stopped.
//!
//! [`Comparison`] is either, chosen by `config.model`. The executor functions
//! [`run`] (to the end, with an observer) and [`run_for`] (for a slice of time) are
//! the only loops that drive experiments: the CLI, the tests, the benchmarks and the
//! browser worker all go through them.
//!
//! The layer's folder also holds what an experiment is made from and what it gives, on
//! the floors below and above it: [`config`] (the settings, validated, and the one
//! table of settings fields), [`report`] (JSON and CSV), [`budget`] (a config's
//! memory and work, estimated before anything runs) and `claims` (native only: the
//! paper's claims measured over many seeds).

pub mod budget;
#[cfg(not(target_arch = "wasm32"))]
pub mod claims;
pub mod config;
pub mod report;
mod rfm;
mod test_set;
mod train;

pub use rfm::{RfmComparison, RfmFit};
pub use train::{Run, TrainComparison, KERNEL_POINTS, LOSS_POINTS};

use crate::error::Result;
use crate::experiment::config::{Config, ModelKind, Valid};
use crate::experiment::report::Report;
use serde::{Deserialize, Serialize};
use web_time::Instant;

/// Units of work done and in all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Units done.
    pub done: usize,
    /// Units in all.
    pub total: usize,
}

/// A comparison that can be advanced one unit of work at a time.
pub trait Experiment: Sized {
    /// What [`Experiment::report`] returns.
    type Report;
    /// Sets the experiment up from a checked config: points, features or the initial
    /// network, all drawn from the config's seed.
    fn new(config: &Valid<Config>) -> Result<Self>;
    /// Does one unit of work. Does nothing once finished.
    fn step(&mut self) -> Result<()>;
    /// Units done and in all.
    fn progress(&self) -> Progress;
    /// True when nothing is left to do.
    fn is_finished(&self) -> bool;
    /// The report of everything so far.
    fn report(&self) -> Self::Report;
}

/// Most entries of the large matrices that runs in flight may hold together (the RFM's
/// `A`, a network's Jacobian `J`): a fit holds about five times its `A` (the SVD's copy,
/// factors and workspace), a kernel measurement about twice its `J`, so runs in
/// parallel add at most ~160 MB to one run's peak.
pub const PARALLEL_ENTRIES: usize = 4_000_000;

/// How many runs of `config`'s comparison do their heavy work at once: one per rayon
/// thread, while their matrices (RFM: `A`, `rows × m`, while a run is fitted; networks:
/// `J`, `rows × P`, while a run's kernel spectrum is measured) hold at most
/// [`PARALLEL_ENTRIES`] entries together; at least one. Each run is computed by the
/// same code from its own data, so results do not depend on this number.
pub fn runs_at_once(config: &Config) -> usize {
    let cols = match config.model {
        ModelKind::Rfm => config.rfm.m,
        ModelKind::Network => config.architecture().num_params(),
    };
    let entries = (config.rows() * cols).max(1);
    rayon::current_num_threads()
        .min(PARALLEL_ENTRIES / entries)
        .max(1)
}

/// Runs `op` on a thread of rayon's pool and returns its result.
///
/// The parallel loops inside `op` (the rows of a loss, the columns of an assembly)
/// then share their work with the pool's other threads directly. Called from outside
/// the pool, each loop would hand its work over and put the caller to sleep until it
/// is done: on this 2-core machine that handover and wake-up took about a third of a
/// training step at m = n = 100 (`cargo bench --bench train`). Results are the same
/// bits either way: the blocks and their order of summation are fixed. Inside the
/// pool, or where rayon has no threads (the single-threaded wasm), `op` runs inline.
pub fn on_pool<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| op())
}

/// Runs `experiment` to the end on rayon's pool ([`on_pool`]), calling `observe`
/// after every unit of work.
pub fn run_to_end<E: Experiment + Send>(
    experiment: &mut E,
    mut observe: impl FnMut(&E) + Send,
) -> Result<()> {
    on_pool(|| {
        while !experiment.is_finished() {
            experiment.step()?;
            observe(experiment);
        }
        Ok(())
    })
}

/// Sets up the experiment of `config`, runs it to the end (observing every unit of
/// work) and returns its report.
pub fn run<E: Experiment + Send>(
    config: &Valid<Config>,
    observe: impl FnMut(&E) + Send,
) -> Result<E::Report> {
    let mut experiment = E::new(config)?;
    run_to_end(&mut experiment, observe)?;
    Ok(experiment.report())
}

/// Works on `experiment` for about `slice_ms` milliseconds (at least one unit if any
/// is left) on rayon's pool ([`on_pool`]), returning the milliseconds each unit took.
/// The browser worker's slice.
pub fn run_for<E: Experiment + Send>(experiment: &mut E, slice_ms: f64) -> Result<Vec<f64>> {
    on_pool(|| {
        let start = Instant::now();
        let mut units = Vec::new();
        while !experiment.is_finished() {
            let t = Instant::now();
            experiment.step()?;
            units.push(t.elapsed().as_secs_f64() * 1e3);
            if start.elapsed().as_secs_f64() * 1e3 >= slice_ms {
                break;
            }
        }
        Ok(units)
    })
}

/// Runs the paired RFM comparison of `config` (AD plus every FD step size, on the same
/// features and points) to its report.
pub fn run_rfm(config: &Valid<Config>) -> Result<crate::experiment::report::RfmReport> {
    run::<RfmComparison>(config, |_| {})
}

/// Trains the paired network comparison of `config` (AD plus every FD step size, from one
/// initialization with one shared learning rate) to its report.
pub fn run_train(config: &Valid<Config>) -> Result<crate::experiment::report::TrainReport> {
    run::<TrainComparison>(config, |_| {})
}

/// The comparison `config.model` asks for.
#[derive(Clone, Debug)]
pub enum Comparison {
    /// Random feature model.
    Rfm(RfmComparison),
    /// Network training.
    Train(TrainComparison),
}

impl Experiment for Comparison {
    type Report = Report;

    fn new(config: &Valid<Config>) -> Result<Self> {
        Ok(match config.model {
            ModelKind::Rfm => Comparison::Rfm(RfmComparison::new(config)?),
            ModelKind::Network => Comparison::Train(TrainComparison::new(config)?),
        })
    }

    fn step(&mut self) -> Result<()> {
        match self {
            Comparison::Rfm(c) => c.step(),
            Comparison::Train(c) => c.step(),
        }
    }

    fn progress(&self) -> Progress {
        match self {
            Comparison::Rfm(c) => c.progress(),
            Comparison::Train(c) => c.progress(),
        }
    }

    fn is_finished(&self) -> bool {
        match self {
            Comparison::Rfm(c) => c.is_finished(),
            Comparison::Train(c) => c.is_finished(),
        }
    }

    fn report(&self) -> Report {
        match self {
            Comparison::Rfm(c) => Report::Rfm(c.report()),
            Comparison::Train(c) => Report::Train(c.report()),
        }
    }
}
