//! One validated [`Config`] per run, and the serializable [`RfmReport`] it produces.
//!
//! The same `Config → Report` path serves the CLI, the tests and the browser.
//! A report holds everything needed to plot, export, test or re-check a run with an
//! independent implementation: the config, the frozen features, the points, and
//! for each differentiation mode its full singular spectrum, `K`, `H`, `exp H`,
//! residuals and errors.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::keyword::keyword_enum;
use crate::operator::DiffMode;
use crate::problem::{Points, Problem, ProblemKind, Sampling};
use crate::rfm::{self, Features, Init};
use crate::spectrum::{self, Threshold};
use serde::{Deserialize, Serialize};
use web_time::Instant;

/// Floating-point precision of model evaluation (and so of the FD stencils).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Double precision (default).
    F64,
    /// Single precision: makes FD's round-off floor `ε/hᵖ` visible at moderate `h`.
    F32,
}

keyword_enum!(Precision, "precision", { F64 => "f64", F32 => "f32" });

/// Settings of the random feature model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RfmConfig {
    /// Number of features `m`.
    pub m: usize,
    /// Range `R` of the inner parameters (`U[−R, R]`, or the standard deviation for normal).
    pub scale: f64,
    /// Distribution of the inner parameters.
    pub init: Init,
    /// Least-squares cut: singular values `≤ rcond · s₁` are discarded in the solve.
    pub rcond: f64,
}

impl Default for RfmConfig {
    fn default() -> Self {
        RfmConfig {
            m: 400,
            scale: 10.0,
            init: Init::Uniform,
            rcond: 1e-13,
        }
    }
}

/// Which model a run trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Random feature model, solved by least squares ([`run_rfm`]).
    Rfm,
    /// A network trained by GD or Adam ([`crate::net::train::run_train`]).
    Network,
}

/// Settings of the trained network (see [`crate::net`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetConfig {
    /// Width `m` of every hidden layer (unless `widths` is given).
    pub width: usize,
    /// Number of hidden layers `L` (1: the two-layer network of the theory).
    pub layers: usize,
    /// Per-layer widths `m₁ … m_L`; empty means `layers` layers of `width`.
    pub widths: Vec<usize>,
    /// Init range `R` of the first layer: `w, b ~ U[−R, R]`.
    pub scale: f64,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            width: 100,
            layers: 1,
            widths: Vec::new(),
            scale: 5.0,
        }
    }
}

impl NetConfig {
    /// The hidden widths actually used.
    pub fn hidden(&self) -> Vec<usize> {
        if self.widths.is_empty() {
            vec![self.width; self.layers]
        } else {
            self.widths.clone()
        }
    }
}

/// Settings of training (shared by every run of a paired comparison).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Full-batch gradient descent or Adam.
    pub optimizer: crate::net::train::Optimizer,
    /// A fixed learning rate shared by all runs; `None`: `lr_scale / λ_max` of the AD run's initial kernel.
    pub lr: Option<f64>,
    /// `c` in `lr = c / λ_max(G_AD at init)`, used when `lr` is `None`. For GD on
    /// `L = ‖r̃‖²` the linearized residual evolves as `r̃ ← (I − 2η JJᵀ) r̃`, stable for
    /// `η < 1/λ_max`, i.e. `c < 1` (default 0.5).
    pub lr_scale: f64,
    /// Step budget.
    pub steps: usize,
    /// Every how many steps the kernel spectrum and the true residual are recorded.
    pub every: usize,
    /// `q`: training speed counts the steps until the loss falls by `10^q`.
    pub decades: f64,
    /// Stop a run once its loss is at or below this value.
    pub loss_target: Option<f64>,
    /// Adam's `β₁`.
    pub beta1: f64,
    /// Adam's `β₂`.
    pub beta2: f64,
    /// Adam's `ε`.
    pub epsilon: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            optimizer: crate::net::train::Optimizer::Gd,
            lr: None,
            lr_scale: 0.5,
            steps: 2000,
            every: 50,
            decades: 2.0,
            loss_target: None,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }
}

/// Everything that defines a run; with the seed it reproduces the run exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The PDE.
    pub problem: ProblemKind,
    /// Frequency `k` of the exact solution `Π sin(kπ x_i)`.
    pub k: u32,
    /// Activation `σ`.
    pub activation: Activation,
    /// Number of interior collocation points `n` (a 2-D grid uses `⌊√n⌋²`).
    pub n: usize,
    /// Number of boundary points in 2-D (0: `4⌈√n⌉`); 1-D always uses the two end points.
    pub n_boundary: usize,
    /// Placement of interior (and 2-D boundary) points.
    pub sampling: Sampling,
    /// Weight `λ` of the boundary residuals.
    pub lambda: f64,
    /// Seed of every random draw.
    pub seed: u64,
    /// Finite-difference steps compared with AD (AD always runs first).
    pub h: Vec<f64>,
    /// Accuracy order of the stencils: 2 or 4.
    pub order: u8,
    /// Precision of model evaluation.
    pub precision: Precision,
    /// Threshold `a` of `K(a)` and `H(a)`.
    pub threshold: Threshold,
    /// Random feature model settings.
    pub rfm: RfmConfig,
    /// Which model: `rfm` (default) or `network`.
    pub model: ModelKind,
    /// Network settings.
    pub net: NetConfig,
    /// Training settings.
    pub train: TrainConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            problem: ProblemKind::Poisson1d,
            k: 1,
            activation: Activation::Tanh,
            n: 400,
            n_boundary: 0,
            sampling: Sampling::Grid,
            lambda: 1.0,
            seed: 1,
            h: vec![1e-1, 1e-2, 1e-3],
            order: 2,
            precision: Precision::F64,
            threshold: Threshold::Relative(1e-8),
            rfm: RfmConfig::default(),
            model: ModelKind::Rfm,
            net: NetConfig::default(),
            train: TrainConfig::default(),
        }
    }
}

/// Largest number of matrix entries adfd will allocate (8 bytes each, ~400 MB).
pub const MAX_MATRIX_ENTRIES: usize = 50_000_000;
/// Largest seed: seeds must survive a round trip through JavaScript numbers.
pub const MAX_SEED: u64 = (1 << 53) - 1;

fn check_range<T: PartialOrd + std::fmt::Display>(field: &str, v: T, lo: T, hi: T) -> Result<()> {
    if v >= lo && v <= hi {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{v} is out of range; allowed {lo}..={hi}"),
        ))
    }
}

fn check_positive(field: &str, v: f64, hi: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 && v <= hi {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{v} must be a finite number in (0, {hi}]"),
        ))
    }
}

impl Config {
    /// The problem this config describes.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: self.problem,
            k: self.k,
        }
    }

    /// Boundary points actually used: 2 in 1-D; in 2-D `n_boundary`, or `4⌈√n⌉` if 0.
    pub fn boundary_points(&self) -> usize {
        match (self.problem().dim(), self.n_boundary) {
            (1, _) => 2,
            (_, 0) => 4 * (self.n as f64).sqrt().ceil() as usize,
            (_, nb) => nb,
        }
    }

    /// The collocation points of this config (seeded by `seed`).
    pub fn points(&self) -> Points {
        Points::new(
            &self.problem(),
            self.n,
            self.boundary_points(),
            self.sampling,
            self.seed,
        )
    }

    /// The frozen random features of this config (seeded by `seed`).
    pub fn features(&self) -> Features {
        let r = &self.rfm;
        Features::sample(
            self.problem().dim(),
            r.m,
            r.scale,
            r.init,
            self.activation,
            self.seed,
        )
    }

    /// The differentiation modes of a paired run: AD, then FD at each `h`.
    pub fn modes(&self) -> Vec<DiffMode> {
        std::iter::once(DiffMode::Ad)
            .chain(self.h.iter().map(|&h| DiffMode::Fd {
                h,
                order: self.order,
            }))
            .collect()
    }

    /// Checks every field against its allowed range; the error names the field.
    pub fn validate(&self) -> Result<()> {
        let problem = self.problem();
        check_range("k", self.k, 1, 16)?;
        check_range("n", self.n, 1, 20_000)?;
        check_range("n_boundary", self.n_boundary, 0, 20_000)?;
        if problem.dim() == 2 && self.n_boundary == 0 && self.boundary_points() > 20_000 {
            return Err(Error::invalid(
                "n_boundary",
                "too many boundary points; at most 20000",
            ));
        }
        check_positive("lambda", self.lambda, 1e8)?;
        check_range("seed", self.seed, 0, MAX_SEED)?;
        if self.h.len() > 12 {
            return Err(Error::invalid(
                "h",
                format!("{} steps given; at most 12", self.h.len()),
            ));
        }
        for mode in self.modes() {
            mode.validate()?;
        }
        if self.order != 2 && self.order != 4 {
            return Err(Error::invalid(
                "order",
                format!("stencil order {} must be 2 or 4", self.order),
            ));
        }
        self.activation.check_smoothness(problem.order())?;
        self.threshold.validate()?;
        check_range("m", self.rfm.m, 1, 20_000)?;
        check_positive("scale", self.rfm.scale, 1e4)?;
        if !(self.rfm.rcond > 0.0 && self.rfm.rcond < 1.0) {
            return Err(Error::invalid(
                "rcond",
                format!("{} must lie in (0, 1), e.g. 1e-13", self.rfm.rcond),
            ));
        }
        let rows = self.n + self.boundary_points() * problem.boundary().len();
        if rows.saturating_mul(self.rfm.m) > MAX_MATRIX_ENTRIES {
            return Err(Error::invalid(
                "m",
                format!(
                    "the {rows} × {} matrix would not fit in memory; keep rows × m ≤ {MAX_MATRIX_ENTRIES}",
                    self.rfm.m
                ),
            ));
        }
        if self.model == ModelKind::Network {
            self.validate_network()?;
        }
        Ok(())
    }

    /// Residual rows of a network run: `n` interior (after grid rounding) plus
    /// boundary points × boundary operators.
    pub fn residual_rows(&self) -> usize {
        let problem = self.problem();
        let n = match (problem.dim(), self.sampling) {
            (2, Sampling::Grid) => {
                let side = ((self.n as f64).sqrt().floor() as usize).max(1);
                side * side
            }
            _ => self.n,
        };
        n + self.boundary_points() * problem.boundary().len()
    }

    /// Number of network parameters `P` for this config's architecture.
    pub fn network_params(&self) -> usize {
        crate::net::Architecture {
            dim: self.problem().dim(),
            widths: self.net.hidden(),
            activation: self.activation,
        }
        .num_params()
    }

    /// Checks the network and training fields (called by [`Config::validate`] when
    /// `model` is `network`, and always by the trainer), including that the
    /// Jacobian `J` (rows × parameters) fits in memory.
    pub fn validate_network(&self) -> Result<()> {
        let net = &self.net;
        check_range("width", net.width, 1, 5000)?;
        check_range("layers", net.layers, 1, 8)?;
        if !net.widths.is_empty() {
            if net.widths.len() > 8 {
                return Err(Error::invalid(
                    "widths",
                    format!("{} layers given; at most 8", net.widths.len()),
                ));
            }
            for &w in &net.widths {
                check_range("widths", w, 1, 5000)?;
            }
        }
        check_positive("scale", net.scale, 1e4)?;
        let t = &self.train;
        if let Some(lr) = t.lr {
            check_positive("lr", lr, 1e6)?;
        }
        check_positive("lr_scale", t.lr_scale, 100.0)?;
        check_range("steps", t.steps, 1, 1_000_000)?;
        check_range("every", t.every, 1, 1_000_000)?;
        check_positive("decades", t.decades, 30.0)?;
        if let Some(target) = t.loss_target {
            if !(target.is_finite() && target >= 0.0) {
                return Err(Error::invalid(
                    "loss_target",
                    format!("{target} must be a finite number ≥ 0"),
                ));
            }
        }
        for (field, v) in [("beta1", t.beta1), ("beta2", t.beta2)] {
            if !(0.0..1.0).contains(&v) {
                return Err(Error::invalid(field, format!("{v} must lie in [0, 1)")));
            }
        }
        check_positive("epsilon", t.epsilon, 1.0)?;
        let rows = self.residual_rows();
        let params = self.network_params();
        if rows.saturating_mul(params) > MAX_MATRIX_ENTRIES {
            return Err(Error::invalid(
                "width",
                format!(
                    "the Jacobian J would be {rows} × {params} (residual rows × parameters), too large for memory; keep rows × parameters ≤ {MAX_MATRIX_ENTRIES}"
                ),
            ));
        }
        Ok(())
    }
}

/// `"ad"` or `"fd"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModeName {
    /// Automatic differentiation.
    Ad,
    /// Finite differences.
    Fd,
}

/// The result of one differentiation mode in an RFM comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfmRun {
    /// `ad` or `fd`.
    pub mode: ModeName,
    /// FD step `h` (`null` for AD).
    pub h: Option<f64>,
    /// All singular values of this mode's `A`, descending.
    pub singular_values: Vec<f64>,
    /// `K(a)`: singular values above the threshold.
    pub cutoff: usize,
    /// `H(a)`: truncated entropy of the singular values.
    pub entropy: f64,
    /// `exp H(a)`: effective number of modes.
    pub effective_modes: f64,
    /// `‖A a − F‖² / rows` on this mode's own system.
    pub residual_system: f64,
    /// `mean (L u − f)²` over the test points, with `L` applied exactly (AD, f64).
    pub residual_true: f64,
    /// `‖u − u*‖₂ / ‖u*‖₂` over the test points.
    pub error_l2: f64,
    /// `max |u − u*|` over the test points.
    pub error_max: f64,
    /// Wall time of assembly, solve and entropy, in milliseconds.
    pub time_ms: f64,
}

impl RfmRun {
    /// The differentiation mode of this run.
    pub fn diff_mode(&self, order: u8) -> DiffMode {
        match self.h {
            None => DiffMode::Ad,
            Some(h) => DiffMode::Fd { h, order },
        }
    }
}

/// What each reported number means, carried in every JSON report.
pub const RFM_DEFINITIONS: &[(&str, &str)] = &[
    ("singular_values", "all singular values of A (interior rows c·L φ_j(x_i), then √λ·B φ_j(y_l) per boundary operator), descending"),
    ("cutoff", "K(a) = #{i : s_i > a·s_1} (relative) or #{i : s_i > a} (absolute)"),
    ("entropy", "H(a) = −Σ_{i≤K} p_i ln p_i with p_i = s_i / Σ_{j≤K} s_j (adfd's definition)"),
    ("effective_modes", "exp H(a)"),
    ("residual_system", "‖A a − F‖² / rows on the run's own (AD or FD) system"),
    ("residual_true", "mean over test points of (L u − f)², L applied by AD in f64"),
    ("error_l2", "relative L2 error ‖u − u*‖ / ‖u*‖ over the test points"),
    ("error_max", "max |u − u*| over the test points"),
    ("test_points", "midpoints of a uniform grid: 1000 in 1-D, 50×50 in 2-D"),
];

/// A complete RFM comparison: AD and each FD step on the same features and points.
#[derive(Clone, Debug, Serialize)]
pub struct RfmReport {
    /// adfd's version that produced the report.
    pub adfd_version: &'static str,
    /// The config that reproduces the run.
    pub config: Config,
    /// The frozen features `w` (`m × d`) and `b` (`m`).
    pub features: Features,
    /// Interior and boundary collocation points.
    pub points: Points,
    /// One entry per mode: AD first, then FD in the order of `config.h`.
    pub runs: Vec<RfmRun>,
    /// What each number means.
    pub definitions: std::collections::BTreeMap<&'static str, &'static str>,
}

/// Runs the paired RFM comparison of `config`: AD plus every FD step, on the same
/// features and points.
pub fn run_rfm(config: &Config) -> Result<RfmReport> {
    run_rfm_with(config, |_, _| {})
}

/// [`run_rfm`] with an observer called after each mode with its index and result.
pub fn run_rfm_with(config: &Config, mut observe: impl FnMut(usize, &RfmRun)) -> Result<RfmReport> {
    let setup = RfmSetup::new(config)?;
    let mut runs = Vec::new();
    for (index, mode) in config.modes().into_iter().enumerate() {
        let run = setup.run_mode(mode)?.run;
        observe(index, &run);
        runs.push(run);
    }
    Ok(setup.into_report(runs))
}

/// One differentiation mode's fit: its [`RfmRun`] and the fitted outer coefficients `a`.
#[derive(Clone, Debug)]
pub struct RfmFit {
    /// The reported figures.
    pub run: RfmRun,
    /// The least-squares coefficients `a` (one per feature).
    pub coefficients: Vec<f64>,
}

/// Everything a paired RFM comparison shares between its modes: features, points and
/// the exact operator on the test points. Lets a caller (the web worker) run one mode
/// at a time, so it can pause and report progress between modes.
pub struct RfmSetup {
    config: Config,
    problem: Problem,
    /// The frozen features.
    pub features: Features,
    /// Interior and boundary collocation points.
    pub points: Points,
    test: crate::problem::PointSet,
    test_op: nalgebra::DMatrix<f64>,
    test_f: Vec<f64>,
    exact: Vec<f64>,
    exact_norm: f64,
}

impl RfmSetup {
    /// Validates `config` and draws features and points from its seed.
    pub fn new(config: &Config) -> Result<Self> {
        config.validate()?;
        let problem = config.problem();
        let features = config.features();
        let points = config.points();
        let test = Points::test(&problem);
        let test_op = rfm::interior_operator_matrix(&problem, &features, &test);
        let test_f: Vec<f64> = test.iter().map(|x| problem.source(x)).collect();
        let exact: Vec<f64> = test.iter().map(|x| problem.exact(x)).collect();
        let exact_norm = exact.iter().map(|v| v * v).sum::<f64>().sqrt();
        Ok(RfmSetup {
            config: config.clone(),
            problem,
            features,
            points,
            test,
            test_op,
            test_f,
            exact,
            exact_norm,
        })
    }

    /// Assembles, solves and measures one differentiation mode.
    pub fn run_mode(&self, mode: DiffMode) -> Result<RfmFit> {
        let (config, problem, features, points) =
            (&self.config, &self.problem, &self.features, &self.points);
        let start = Instant::now();
        let system = match config.precision {
            Precision::F64 => rfm::assemble::<f64>(problem, features, points, mode, config.lambda),
            Precision::F32 => rfm::assemble::<f32>(problem, features, points, mode, config.lambda),
        };
        let what = format!("the {} matrix A", mode.label());
        let (a, s) = spectrum::least_squares(&system.a, &system.f, config.rfm.rcond, &what)?;
        let ent = spectrum::truncated_entropy(&s, config.threshold)?;
        let av = nalgebra::DVector::from_column_slice(&a);
        let fitted = &system.a * &av;
        let residual_system = mean_sq(fitted.iter().zip(&system.f).map(|(p, f)| p - f));
        let time_ms = start.elapsed().as_secs_f64() * 1e3;

        let lu = &self.test_op * &av;
        let residual_true = mean_sq(lu.iter().zip(&self.test_f).map(|(p, f)| p - f));
        let u = features.values(&a, &self.test);
        let diff: Vec<f64> = u.iter().zip(&self.exact).map(|(u, e)| u - e).collect();
        let run = RfmRun {
            mode: if mode == DiffMode::Ad {
                ModeName::Ad
            } else {
                ModeName::Fd
            },
            h: mode.h(),
            singular_values: s,
            cutoff: ent.cutoff,
            entropy: ent.entropy,
            effective_modes: ent.effective_modes,
            residual_system,
            residual_true,
            error_l2: diff.iter().map(|d| d * d).sum::<f64>().sqrt() / self.exact_norm,
            error_max: diff.iter().fold(0.0, |m, d| m.max(d.abs())),
            time_ms,
        };
        Ok(RfmFit {
            run,
            coefficients: a,
        })
    }

    /// The report of the runs made so far with this setup, leaving the setup usable
    /// (the web page exports a report while its comparison is still on screen).
    pub fn report(&self, runs: Vec<RfmRun>) -> RfmReport {
        RfmReport {
            adfd_version: env!("CARGO_PKG_VERSION"),
            config: self.config.clone(),
            features: self.features.clone(),
            points: self.points.clone(),
            runs,
            definitions: RFM_DEFINITIONS.iter().copied().collect(),
        }
    }

    /// The report of the runs made with this setup.
    pub fn into_report(self, runs: Vec<RfmRun>) -> RfmReport {
        RfmReport {
            adfd_version: env!("CARGO_PKG_VERSION"),
            config: self.config,
            features: self.features,
            points: self.points,
            runs,
            definitions: RFM_DEFINITIONS.iter().copied().collect(),
        }
    }
}

fn mean_sq(it: impl ExactSizeIterator<Item = f64>) -> f64 {
    let n = it.len().max(1) as f64;
    it.map(|v| v * v).sum::<f64>() / n
}
