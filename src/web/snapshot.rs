//! The one schema of what the worker sends the page: [`Snapshot`].
//!
//! The worker's `Session` builds a `Snapshot` and serializes it once (serde, through
//! `serde-wasm-bindgen`, to a plain JS object with camelCase field names); the page
//! reads its text figures by those names, and the main thread's `Charts` deserializes
//! the same object back into this same type before drawing. So every field is named
//! and documented here, and nowhere else.
//!
//! Plain Rust (no wasm types), compiled on every target so it is tested natively.

use crate::experiment::config::ModelKind;
pub use crate::experiment::report::table::Table;
pub use crate::experiment::Progress;
use crate::numeric::spectrum::Threshold;
use crate::pde::problem::ProblemKind;
use serde::{Deserialize, Serialize};

/// The state of the page's computation at one moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Snapshot {
    /// Which settings this snapshot belongs to: the page numbers every settings change,
    /// and never draws a snapshot of an older generation under newer settings.
    pub generation: u32,
    /// False until the comparison is set up (features, points, the test operator, a
    /// network's initial kernels): the first unit of work after new settings.
    pub set_up: bool,
    /// `rfm` or `network`.
    pub model: ModelKind,
    /// The PDE.
    pub problem: ProblemKind,
    /// Its spatial dimension, 1 or 2.
    pub dim: usize,
    /// The seed of every random draw.
    pub seed: u64,
    /// The threshold `a` of `K(a)` and `H(a)`, relative or absolute.
    pub threshold: Threshold,
    /// True when the comparison and any sweep are complete.
    pub finished: bool,
    /// The last error (a numerical failure ended a run), for the page to show.
    pub error: Option<String>,
    /// Wall milliseconds per unit of progress (RFM: per run fitted, the runs fitted one
    /// per thread at once; network: per step of every run), `None` before the first.
    pub ms_per_unit: Option<f64>,
    /// Units of work done and in all (RFM: runs fitted; network: the largest step reached
    /// and the number of steps).
    pub progress: Progress,
    /// Training settings, for a network comparison.
    pub training: Option<Training>,
    /// AD first, then each FD step size `h`, in the order of the settings.
    pub runs: Vec<RunView>,
    /// The grid the solution panel draws on, and the exact solution there.
    pub grid: PlotGrid,
    /// A sweep over `h`, when one was started.
    pub sweep: Option<SweepView>,
    /// Finished runs of this model kind, for the entropy scatter.
    pub history: HistoryView,
    /// The readouts: the same run table the CLI prints.
    pub readouts: Table,
    /// What each chart shows, as a version: a chart whose version did not change since
    /// it was drawn need not be drawn again.
    pub charts: ChartVersions,
}

/// A version of what each chart draws (a hash of exactly the figures it depends on).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ChartVersions {
    /// The spectrum panel: each run's spectrum (its step and `K`) and the threshold.
    pub spectrum: String,
    /// The solution panel: each run's solution (the step it was taken at).
    pub solution: String,
    /// The loss panel: each network run's step, or the RFM's spectra and threshold.
    pub loss: String,
    /// The sweep panel: the sweep's progress.
    pub sweep: String,
    /// The entropy scatter: the finished runs.
    pub scatter: String,
}

impl ChartVersions {
    /// The versions of `snap`'s charts.
    pub fn of(snap: &Snapshot) -> ChartVersions {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let version = |parts: &dyn Fn(&mut DefaultHasher)| {
            let mut h = DefaultHasher::new();
            (
                snap.generation,
                snap.model as u8,
                snap.problem as u8,
                snap.seed,
            )
                .hash(&mut h);
            snap.runs.len().hash(&mut h);
            parts(&mut h);
            format!("{:016x}", h.finish())
        };
        let threshold = |h: &mut DefaultHasher| match snap.threshold {
            Threshold::Relative(a) => (0u8, a.to_bits()).hash(h),
            Threshold::Absolute(a) => (1u8, a.to_bits()).hash(h),
        };
        let steps = |h: &mut DefaultHasher| {
            for r in &snap.runs {
                r.spectrum.as_ref().map(|s| (s.step, s.cutoff)).hash(h);
            }
        };
        ChartVersions {
            spectrum: version(&|h| {
                threshold(h);
                steps(h);
            }),
            solution: version(&steps),
            loss: version(&|h| {
                threshold(h);
                steps(h);
                for r in &snap.runs {
                    r.training.as_ref().map(|t| t.step).hash(h);
                }
            }),
            sweep: version(&|h| {
                snap.sweep
                    .as_ref()
                    .map(|s| (s.progress.done, s.progress.total, s.h.len()))
                    .hash(h)
            }),
            scatter: version(&|h| {
                let e = &snap.history.entropy;
                (e.len(), e.last().map(|x| x.to_bits())).hash(h);
            }),
        }
    }
}

/// The training settings a network snapshot shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Training {
    /// The shared learning rate `η`.
    pub lr: f64,
    /// `gd` or `adam`.
    pub optimizer: String,
    /// `q`: speed counts the steps until the loss falls by `10^q`.
    pub decades: f64,
}

/// A singular spectrum and its truncated entropy at the snapshot's threshold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SpectrumView {
    /// Singular values `s_i` of `A` (RFM) or `J` (network), descending.
    pub singular_values: Vec<f64>,
    /// The threshold's level: `a·s₁` (relative) or `a` (absolute).
    pub level: f64,
    /// `K(a) = #{i : s_i > level}`.
    pub cutoff: usize,
    /// `H(a)`, adfd's truncated entropy.
    pub entropy: f64,
    /// `exp H(a)`.
    pub effective_modes: f64,
    /// The training step this spectrum of `J` was taken at (0 for the RFM).
    pub step: usize,
    /// The estimated round-off floor of `A` (`rfm::noise_floor`): singular values
    /// below it are rounding noise, and `K` counts noise when `level` lies below it.
    /// `None` for a network's `J`, which has no floor estimate yet.
    pub noise_floor: Option<f64>,
}

/// One run (a differentiation mode: AD, or FD at one `h`) of the comparison.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RunView {
    /// `AD` or `FD h=1e-2`.
    pub label: String,
    /// The FD step size `h`; `None` for AD.
    pub h: Option<f64>,
    /// The latest spectrum (RFM: of `A`; network: of `J` at its last measurement).
    pub spectrum: Option<SpectrumView>,
    /// RFM: `‖Aa − F‖²/rows` on the run's own system; network: the latest training
    /// loss on the run's own (AD or FD) operator.
    pub residual_system: f64,
    /// `mean (Lu − f)²` on the held-out test points with the exact (AD) operator;
    /// for a network, at its last measured step (`None` before the first).
    pub residual_true: Option<f64>,
    /// `‖u − u*‖/‖u*‖` on the test points.
    pub error_l2: f64,
    /// `max |u − u*|` on the test points.
    pub error_max: f64,
    /// RFM: milliseconds of the fit; network: milliseconds per training step.
    pub time_ms: f64,
    /// The fitted solution on [`PlotGrid`].
    pub u: Vec<f64>,
    /// Training curves and speed, for a network run.
    pub training: Option<RunTraining>,
}

/// A network run's curves and speed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RunTraining {
    /// Training steps taken.
    pub step: usize,
    /// `H(a)` of `J` at step 0.
    pub entropy0: f64,
    /// The loss curve: steps (thinned evenly to a bounded length, last kept) …
    pub loss_step: Vec<f64>,
    /// … and the training loss at each.
    pub loss: Vec<f64>,
    /// The true-residual curve: the steps where it was measured …
    pub true_step: Vec<f64>,
    /// … and the true residual there.
    pub true_residual: Vec<f64>,
    /// … and the solution's relative L2 error `‖u − u*‖/‖u*‖` there.
    pub error_l2: Vec<f64>,
    /// Levenberg–Marquardt: the damping `μ` of the latest recorded step's update.
    pub mu: Option<f64>,
    /// First step with `loss ≤ 10^{−q}·loss₀`, if reached.
    pub steps_to_target: Option<usize>,
    /// `loss₀ / loss_now`.
    pub loss_reduction: f64,
    /// Why the run stopped, once it has.
    pub stopped: Option<String>,
}

/// Where the solution panel draws: a 1-D line or a 2-D `n × n` grid of cell centres.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlotGrid {
    /// 1 or 2.
    pub dim: usize,
    /// Points per axis.
    pub n: usize,
    /// The 1-D abscissae (empty in 2-D).
    pub x: Vec<f64>,
    /// The exact solution at every grid point (row-major in 2-D, `y` outer).
    pub exact: Vec<f64>,
}

/// A sweep over log-spaced FD step sizes `h`: one comparison per h, AD once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SweepView {
    /// Units of work done and in all.
    pub progress: Progress,
    /// What `effective_modes` is (`exp H of A`, or `exp H of J at step 0`).
    pub entropy_label: String,
    /// What `residual_true` is.
    pub y_label: String,
    /// The FD step sizes finished so far.
    pub h: Vec<f64>,
    /// `H(a)` of each.
    pub entropy: Vec<f64>,
    /// `exp H(a)` of each.
    pub effective_modes: Vec<f64>,
    /// The true residual of each.
    pub residual_true: Vec<f64>,
    /// The AD run's figures, once it has finished.
    pub ad: Option<SweepPoint>,
}

/// The AD run of a sweep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SweepPoint {
    /// `H(a)`.
    pub entropy: f64,
    /// `exp H(a)`.
    pub effective_modes: f64,
    /// The true residual.
    pub residual_true: f64,
}

/// Finished runs, for the scatter of truncated entropy against outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoryView {
    /// `H(a)` of each run (RFM: of `A`; network: of `J` at step 0).
    pub entropy: Vec<f64>,
    /// Its outcome (RFM: the true residual; network: loss_end / loss₀).
    pub y: Vec<f64>,
    /// Whether each run was AD.
    pub ad: Vec<bool>,
    /// What `entropy` is.
    pub x_label: String,
    /// What `y` is.
    pub y_label: String,
}
