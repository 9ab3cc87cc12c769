//! Reports: everything a plot, a CSV, a test or an independent re-check needs.
//!
//! Every report is an [`Envelope`] — adfd's version, the [`Config`] that reproduces
//! it, and what each number means — around a body: [`RfmResults`] for the random
//! feature model, [`TrainResults`] for networks. The JSON form is the serde form
//! (`adfd rfm|train --json`, read back by `--config`); the CSV form, one row per run,
//! is [`Report::csv`], shared by the CLI's `--csv` and the page's download.

pub mod table;

use crate::experiment::config::Config;
use crate::models::net::kernel::KernelPoint;
use crate::models::net::Network;
use crate::models::rfm::Features;
use crate::pde::operator::DiffMode;
use crate::pde::problem::Points;
use serde::ser::{SerializeTuple, Serializer};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::ops::Deref;

/// A report's common frame around its `body`; JSON: `{adfd_version, config, …body,
/// definitions}`. Derefs to the body, so `report.runs` reads the runs.
#[derive(Clone, Debug, Serialize)]
pub struct Envelope<B> {
    /// adfd's version that produced the report.
    pub adfd_version: &'static str,
    /// The config that reproduces the run.
    pub config: Config,
    /// The results.
    #[serde(flatten)]
    pub body: B,
    /// What each number means.
    pub definitions: BTreeMap<&'static str, &'static str>,
}

impl<B> Envelope<B> {
    /// `body` wrapped with this version, `config` and the `definitions` of its kind.
    pub fn new(config: Config, body: B, definitions: &[(&'static str, &'static str)]) -> Self {
        Envelope {
            adfd_version: env!("CARGO_PKG_VERSION"),
            config,
            body,
            definitions: definitions.iter().copied().collect(),
        }
    }
}

impl<B> Deref for Envelope<B> {
    type Target = B;
    fn deref(&self) -> &B {
        &self.body
    }
}

/// A paired RFM comparison's report.
pub type RfmReport = Envelope<RfmResults>;
/// A paired training comparison's report.
pub type TrainReport = Envelope<TrainResults>;

/// Either kind of report (what the page exports): JSON is the inner report's.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Report {
    /// A random feature model comparison.
    Rfm(RfmReport),
    /// A network training comparison.
    Train(TrainReport),
}

impl Report {
    /// The report as CSV, one row per run.
    pub fn csv(&self) -> String {
        match self {
            Report::Rfm(r) => rfm_csv(r),
            Report::Train(r) => train_csv(r),
        }
    }
}

/// The result of one run (one differentiation mode) of an RFM comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RfmRun {
    /// AD, or FD with its step `h`; JSON `"mode": "ad"|"fd", "h": null|h`.
    #[serde(flatten)]
    pub mode: DiffMode,
    /// All singular values of this run's `A`, descending.
    pub singular_values: Vec<f64>,
    /// `K(a)`: singular values above the threshold.
    pub cutoff: usize,
    /// `H(a)`: truncated entropy of the singular values.
    pub entropy: f64,
    /// `exp H(a)`: effective number of modes.
    pub effective_modes: f64,
    /// The estimated round-off floor of this run's `A` in the config's precision,
    /// [`crate::models::rfm::noise_floor`]: `(ε/√3)·rms(δ_ij)·(√rows + √m)` with FD's
    /// `δ ∝ ‖c‖₂/hᵖ` (AD's is a lower estimate). Singular values below it are
    /// rounding noise.
    pub noise_floor: f64,
    /// True when `K(a)` counts noise as modes: some kept singular value
    /// `s_i > level` (`level = a·s₁` or `a`) lies at or below `noise_floor`.
    pub k_counts_noise: bool,
    /// `‖A a − F‖² / rows` on this run's own system.
    pub residual_system: f64,
    /// `mean (L u − f)²` over the test points, with `L` applied exactly (AD, f64).
    pub residual_true: f64,
    /// `‖u − u*‖₂ / ‖u*‖₂` over the test points.
    pub error_l2: f64,
    /// `max |u − u*|` over the test points.
    pub error_max: f64,
    /// Wall time of assembly, solve and entropy, in milliseconds. Runs are fitted one
    /// per thread at once, so on several threads it includes sharing the machine with
    /// the other runs.
    pub time_ms: f64,
}

/// The body of an [`RfmReport`].
#[derive(Clone, Debug, Serialize)]
pub struct RfmResults {
    /// The frozen features `w` (`m × d`) and `b` (`m`).
    pub features: Features,
    /// Interior and boundary collocation points.
    pub points: Points,
    /// One entry per run: AD first, then FD in the order of `config.h`.
    pub runs: Vec<RfmRun>,
    /// Wall time of fitting the runs, in ms: the sum of their `time_ms` on one thread,
    /// less on several (runs fitted at once overlap).
    pub time_ms: f64,
}

/// What held-out test points are, in both kinds of report.
const TEST_POINTS: (&str, &str) = (
    "test_points",
    "a uniform grid of 1000 points in 1-D, 50×50 in 2-D, at t_k = −1 + 2(k + θ)/N with θ = ½ + 1/(2·65537): the cell midpoints moved by 1/(65537·N), so that no test point is ever a grid collocation point −1 + 2i/(n+1) (they stay ≥ 1/(65537·N) apart for every n ≤ 20000; random collocation points are continuous draws)",
);

/// What each number of an RFM report means.
pub const RFM_DEFINITIONS: &[(&str, &str)] = &[
    ("singular_values", "all singular values of A (interior rows c·L φ_j(x_i), then √λ·B φ_j(y_l) per boundary operator), descending"),
    ("cutoff", "K(a) = #{i : s_i > a·s_1} (relative) or #{i : s_i > a} (absolute)"),
    ("entropy", "H(a) = −Σ_{i≤K} p_i ln p_i with p_i = s_i / Σ_{j≤K} s_j (adfd's definition)"),
    ("effective_modes", "exp H(a)"),
    ("noise_floor", "estimated round-off floor of A: (ε/√3)·√(mean_ij δ_ij²)·(√rows + √m), δ_ij = ρ_i·K_ij·√(g(z)² + g'(z)²·Σ_k (w_jk x_ik)²), z = w_j·x_i + b_j; FD: K = ‖stencil weights‖₂/h^p, g = σ; AD: K = |w_j|^p, g = σ^(p) (a lower estimate); ρ_i = |c| interior, √λ boundary; ε = 2^-24 (f32) or 2^-53 (f64). Singular values below it are rounding noise"),
    ("k_counts_noise", "true when K(a) counts noise as modes: some s_i with level < s_i ≤ noise_floor (level = a·s_1, or a if absolute)"),
    ("residual_system", "‖A a − F‖² / rows on the run's own (AD or FD) system"),
    ("residual_true", "mean over test points of (L u − f)², L applied by AD in f64"),
    ("error_l2", "relative L2 error ‖u − u*‖ / ‖u*‖ over the test points"),
    ("error_max", "max |u − u*| over the test points"),
    ("time_ms", "in a run: wall time of its assembly, solve and entropy in ms; runs are fitted one per thread at once, so on several threads each run shares the machine with the others. At the top level: wall time of fitting all the runs (their sum on one thread, less on several)"),
    TEST_POINTS,
];

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

/// A training run at one recorded step: every `every` steps, at step 0 and at the stop.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Record {
    /// Training step `t`.
    pub step: usize,
    /// Training loss `L(θ_t)` of the run's own (AD or FD) residual.
    pub loss: f64,
    /// `mean (L u − f)²` over the test points, `L` exact (AD, f64).
    pub true_residual: f64,
    /// `‖u − u*‖₂ / ‖u*‖₂` over the test points (as the RFM's `error_l2`).
    pub error_l2: f64,
    /// `max |u − u*|` over the test points (as the RFM's `error_max`).
    pub error_max: f64,
    /// Levenberg–Marquardt: the damping `μ` of step `t`'s taken update (`null` at step
    /// 0 and for GD and Adam).
    pub mu: Option<f64>,
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The run took all its `train.steps` steps.
    Steps,
    /// The loss reached `loss_target`.
    LossTarget,
    /// The loss or gradient became NaN or infinite; the last finite state was kept.
    Diverged,
    /// Levenberg–Marquardt: no damping up to `mu_max` lowered the loss.
    NoDecrease,
}

impl StopReason {
    /// The reason's name, as in JSON: `steps`, `loss_target`, `diverged`, `no_decrease`.
    pub fn name(self) -> &'static str {
        match self {
            StopReason::Steps => "steps",
            StopReason::LossTarget => "loss_target",
            StopReason::Diverged => "diverged",
            StopReason::NoDecrease => "no_decrease",
        }
    }
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
    /// true residuals excluded). The runs of a comparison are stepped in parallel: each
    /// is credited with the updates' wall time in proportion to its own update time,
    /// so on several threads the runs' times add up to the comparison's.
    pub steps_per_second: f64,
}

/// One run in a [`TrainReport`].
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// AD, or FD with its step `h`; JSON `"mode": "ad"|"fd", "h": null|h`.
    #[serde(flatten)]
    pub mode: DiffMode,
    /// `[step, loss, true_residual]` for every step.
    pub loss: Vec<LossPoint>,
    /// The run at step 0, every `every` steps and at the end: loss, true residual,
    /// solution errors and (Levenberg–Marquardt) damping.
    pub records: Vec<Record>,
    /// `‖u − u*‖₂ / ‖u*‖₂` over the test points at the last record.
    pub error_l2: f64,
    /// `max |u − u*|` over the test points at the last record.
    pub error_max: f64,
    /// Kernel spectra at step 0 and every `every` steps (and at the end).
    pub kernel: Vec<KernelPoint>,
    /// Training speed.
    pub speed: Speed,
    /// Why the run stopped (`null` while it is still running).
    pub stopped: Option<Stopped>,
}

impl RunReport {
    /// The last measured true residual.
    pub fn true_residual(&self) -> Option<f64> {
        self.records.last().map(|r| r.true_residual)
    }

    /// The run's row of the run table.
    pub fn row(&self) -> table::TrainRow {
        let step = self.loss.last().map_or(0, |p| p.step);
        let (k0, last) = (self.kernel.first(), self.records.last());
        table::TrainRow::of(
            self.mode,
            step,
            k0,
            last,
            &self.speed,
            self.stopped.as_ref(),
        )
    }
}

/// The body of a [`TrainReport`].
#[derive(Clone, Debug, Serialize)]
pub struct TrainResults {
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
}

/// What each number in a training report means.
pub const TRAIN_DEFINITIONS: &[(&str, &str)] = &[
    ("loss", "[step, L, true_residual]: L = mean_i r_i² + λ mean_l r_b,l² with this run's (AD or FD) operators; true_residual = mean over test points of (L u − f)² with L exact (AD, f64), null when not measured"),
    ("records", "{step, loss, true_residual, error_l2, error_max, mu} at step 0, every `every` steps and at the stop; mu = the Levenberg–Marquardt damping of that step's taken update (null for GD and Adam)"),
    ("error_l2", "relative L2 error ‖u − u*‖ / ‖u*‖ over the test points, at the last record"),
    ("error_max", "max |u − u*| over the test points, at the last record"),
    ("kernel.singular_values", "singular values s_i of J = ∂r̃/∂θ, r̃ = [r/√n ; √(λ/n_b) r_b]; the eigenvalues of the training kernel G = JJᵀ are s_i²"),
    ("kernel.cutoff", "K(a) = #{i : s_i > a·s_1} (relative) or #{i : s_i > a} (absolute), of the singular values of J"),
    ("kernel.entropy", "H(a) = −Σ_{i≤K} p_i ln p_i with p_i = s_i / Σ_{j≤K} s_j (adfd's definition)"),
    ("speed.steps_to_target", "first step t with L(θ_t) ≤ 10^{−q} L(θ_0), q = decades; null if not reached"),
    ("speed.steps_per_second", "steps / seconds of this run's updates (loss + gradient + update); the runs are stepped in parallel and each is credited with the updates' wall time in proportion to its own update time"),
    ("lr", "GD and Adam: one learning rate shared by every run, fixed or c / λ_max with λ_max = s_1² of the AD run's initial J; Levenberg–Marquardt: 1, the full damped Gauss–Newton step θ ← θ − (JᵀJ + μI)⁻¹Jᵀr̃"),
    TEST_POINTS,
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// The RFM report as CSV: one row per run.
pub fn rfm_csv(report: &RfmReport) -> String {
    let mut out = String::from("mode,h,cutoff,entropy,effective_modes,noise_floor,k_counts_noise,residual_system,residual_true,error_l2,error_max,time_ms\n");
    for r in &report.runs {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.mode.name(),
            opt(r.mode.h()),
            r.cutoff,
            r.entropy,
            r.effective_modes,
            r.noise_floor,
            r.k_counts_noise,
            r.residual_system,
            r.residual_true,
            r.error_l2,
            r.error_max,
            r.time_ms
        );
    }
    out
}

/// The training report as CSV: one row per run (spectrum figures at step 0).
pub fn train_csv(report: &TrainReport) -> String {
    let mut out = String::from("mode,h,cutoff0,entropy0,effective_modes0,steps_to_target,initial_loss,final_loss,true_residual,error_l2,error_max,steps_per_second,stopped\n");
    for r in &report.runs {
        let k0 = r.kernel.first();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.mode.name(),
            opt(r.mode.h()),
            opt(k0.map(|k| k.cutoff)),
            opt(k0.map(|k| k.entropy)),
            opt(k0.map(|k| k.effective_modes)),
            opt(r.speed.steps_to_target),
            r.speed.initial_loss,
            r.speed.final_loss,
            opt(r.true_residual()),
            r.error_l2,
            r.error_max,
            r.speed.steps_per_second,
            r.stopped.as_ref().map_or("running", |s| s.reason.name())
        );
    }
    out
}
