//! [`Config`]: everything that defines a run, and [`Valid`], the proof that it was checked.
//!
//! The ground floor of adfd: a `Config` names the problem, the model, the
//! differentiation modes, training and the entropy threshold. [`Config::check`] is the
//! only way to a [`Valid<Config>`], and a `Valid<Config>` is the only way into an
//! experiment, so validation runs exactly once per run. Every field's range is a row of
//! the one table of settings fields, [`settings::FIELDS`], which `check` walks; the
//! rules that are not the range of one field (memory bounds, activation smoothness, a
//! relative threshold below 1) are code in [`Config::check`]. Every error names its
//! field by path (`rfm.m`, `net.scale`, `train.lr`).
//!
//! * [`field`] — what a row of the table is, and what is derived from it;
//! * [`settings`] — the table;
//! * [`parse`] — the one set of parsers for numbers, lists and choices.

use crate::error::{Error, Result};
use crate::models::net::Architecture;
use crate::models::optimizer::Optimizer;
use crate::models::rfm::{Features, Init};
use crate::numeric::activation::Activation;
use crate::numeric::jet::Precision;
pub use crate::numeric::spectrum::default_threshold;
use crate::numeric::spectrum::Threshold;
use crate::pde::operator::DiffMode;
use crate::pde::problem::{Points, Problem, ProblemKind, Sampling};
use serde::{Deserialize, Serialize};
use std::ops::Deref;

pub mod field;
pub mod parse;
pub mod settings;

/// Largest number of matrix entries adfd will allocate (8 bytes each, ~400 MB).
pub const MAX_MATRIX_ENTRIES: usize = 50_000_000;
/// Largest seed: seeds must survive a round trip through JavaScript numbers.
pub const MAX_SEED: u64 = (1 << 53) - 1;
/// Most collocation points (interior `n`, 2-D boundary) and random features `m`.
pub const MAX_POINTS: u64 = 20_000;
/// Most FD step sizes `h` in one comparison.
pub const MAX_STEPS_H: usize = 12;

/// Which model a run trains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Random feature model, solved by least squares.
    #[default]
    Rfm,
    /// A network trained by GD or Adam.
    Network,
}

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

impl RfmConfig {
    /// Checks that the `rows × m` matrix `A` fits in [`MAX_MATRIX_ENTRIES`] (the
    /// fields' ranges are [`settings::FIELDS`]' and already checked).
    fn check_memory(&self, rows: usize) -> Result<()> {
        if rows.saturating_mul(self.m) > MAX_MATRIX_ENTRIES {
            return Err(Error::invalid(
                "rfm.m",
                format!(
                    "the {rows} × {} matrix would not fit in memory; keep rows × m ≤ {MAX_MATRIX_ENTRIES}",
                    self.m
                ),
            ));
        }
        Ok(())
    }
}

/// Settings of the trained network (see [`crate::models::net`]).
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
    /// The number of hidden layers actually used: `widths.len()`, or `layers` when
    /// `widths` is empty (without allocating, so safe before [`Config::check`]).
    pub fn depth(&self) -> usize {
        if self.widths.is_empty() {
            self.layers
        } else {
            self.widths.len()
        }
    }

    /// The hidden widths actually used (allocates [`NetConfig::depth`] entries: call
    /// it on a checked config).
    pub fn hidden(&self) -> Vec<usize> {
        if self.widths.is_empty() {
            vec![self.width; self.layers]
        } else {
            self.widths.clone()
        }
    }

    /// The architecture for inputs of dimension `dim` with activation `σ`.
    pub fn architecture(&self, dim: usize, activation: Activation) -> Architecture {
        Architecture {
            dim,
            widths: self.hidden(),
            activation,
        }
    }

    /// Checks that the Jacobian `J` (`rows × P`) of the network on inputs of dimension
    /// `dim` fits in [`MAX_MATRIX_ENTRIES`]. Call it once the fields' ranges are
    /// checked: the architecture is built from the layer count (`layers = 10¹²` must be
    /// a range error, not a 10¹²-entry allocation).
    fn check_memory(&self, rows: usize, dim: usize) -> Result<()> {
        // The parameter count does not depend on the activation.
        let params = self.architecture(dim, Activation::Tanh).num_params();
        if rows.saturating_mul(params) > MAX_MATRIX_ENTRIES {
            return Err(Error::invalid(
                "net.width",
                format!(
                    "the Jacobian J would be {rows} × {params} (residual rows × parameters), too large for memory; keep rows × parameters ≤ {MAX_MATRIX_ENTRIES}"
                ),
            ));
        }
        Ok(())
    }
}

/// Settings of training (shared by every run of a paired comparison).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Full-batch gradient descent, Adam or Levenberg–Marquardt.
    pub optimizer: Optimizer,
    /// A fixed learning rate shared by all runs; `None`: `lr_scale / λ_max` of the AD run's initial kernel.
    pub lr: Option<f64>,
    /// `c` in `lr = c / λ_max(G_AD at init)`, used when `lr` is `None`. For GD on
    /// `L = ‖r̃‖²` the linearized residual evolves as `r̃ ← (I − 2η JJᵀ) r̃`, stable for
    /// `η < 1/λ_max`, i.e. `c < 1` (default 0.5).
    pub lr_scale: f64,
    /// Training steps of each run.
    pub steps: usize,
    /// Every how many training steps the kernel spectrum and the true residual are recorded.
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
    /// Levenberg–Marquardt's initial damping `μ₀` (see [`crate::models::optimizer::lm`]).
    pub mu0: f64,
    /// Levenberg–Marquardt's bound: a run stops when no damping `μ ≤ mu_max` lowers
    /// its loss.
    pub mu_max: f64,
}

/// Levenberg–Marquardt, 200 steps recorded every 10: a two-layer network's defaults on
/// the 1-D problems (see [`Config::defaults_for`]).
impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            optimizer: Optimizer::Lm,
            lr: None,
            lr_scale: 0.5,
            steps: 200,
            every: 10,
            decades: 2.0,
            loss_target: None,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            mu0: 1e-3,
            mu_max: 1e8,
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
    /// Finite-difference steps `h` compared with AD (AD always runs first).
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

/// adfd's RFM defaults for one problem (docs/science.md, section 8): the feature
/// scale `R` and the FD step sizes `h` in each precision, chosen so that the AD fit is good
/// and every FD step size sits in the truncation regime (above its round-off floor).
struct ProblemDefaults {
    /// Feature scale `R`: 10 in 1-D; 2 in 2-D, where 400 features of scale 10
    /// oscillate faster than a 20 × 20 grid resolves and even AD fits poorly.
    scale: f64,
    /// FD step sizes in f64.
    h_f64: &'static [f64],
    /// FD step sizes in f32, whose round-off floor `ε/hᵖ` is reached at larger `h`.
    h_f32: &'static [f64],
}

fn problem_defaults(problem: ProblemKind) -> ProblemDefaults {
    let (scale, h_f64, h_f32): (f64, &'static [f64], &'static [f64]) = match problem {
        ProblemKind::Poisson1d => (10.0, &[1e-1, 1e-2, 1e-3], &[1e-1, 3e-2]),
        ProblemKind::Biharmonic1d => (10.0, &[1e-1, 3e-2, 1e-2], &[2e-1, 1e-1]),
        ProblemKind::Poisson2d => (2.0, &[2e-1, 1e-1, 5e-2], &[2e-1, 1e-1]),
        ProblemKind::Biharmonic2d => (2.0, &[2e-1, 1e-1, 5e-2], &[2e-1]),
    };
    ProblemDefaults {
        scale,
        h_f64,
        h_f32,
    }
}

/// adfd's network defaults for one problem (docs/science.md, section 8): sizes and
/// a number of Levenberg–Marquardt steps at which AD's network learns the solution (a
/// relative L2 error ≤ 10⁻⁶ in 1-D, ≤ 10⁻⁴ on Poisson 2-D, ≤ 10⁻³ on biharmonic 2-D,
/// seeds 0–9) in a few seconds on 2 cores (tests/defaults.rs).
struct NetDefaults {
    /// Interior points: 100 in 1-D, a 20 × 20 grid in 2-D.
    n: usize,
    /// Hidden width.
    width: usize,
    /// Init range `R` of the first layer: 5 in 1-D, 2 on Poisson 2-D, 3 on biharmonic 2-D.
    scale: f64,
    /// Levenberg–Marquardt steps.
    steps: usize,
    /// Record every this many steps (the error curve's resolution).
    every: usize,
}

fn net_defaults(problem: ProblemKind) -> NetDefaults {
    let (n, width, scale, steps, every) = match problem {
        ProblemKind::Poisson1d | ProblemKind::Biharmonic1d => (100, 150, 5.0, 200, 10),
        ProblemKind::Poisson2d => (400, 60, 2.0, 300, 10),
        ProblemKind::Biharmonic2d => (400, 50, 3.0, 300, 10),
    };
    NetDefaults {
        n,
        width,
        scale,
        steps,
        every,
    }
}

/// A network's FD step sizes `h`: each half the one before, so that the stencil's `h²` shows
/// as a fourfold error; f32 stops at 0.1, where its round-off `ε/hᵖ` is still small.
fn net_h(precision: Precision) -> Vec<f64> {
    match precision {
        Precision::F64 => vec![2e-1, 1e-1, 5e-2],
        Precision::F32 => vec![2e-1, 1e-1],
    }
}

impl Config {
    /// adfd's defaults for `model` on `problem` in `precision`: the shared settings of
    /// [`Config::default`] with the precision's threshold ([`default_threshold`]), the
    /// problem's RFM feature scale `R` and the problem's network sizes and training
    /// (Levenberg–Marquardt); the points `n` and FD step sizes `h` are the model's. The CLI
    /// starts from these for the flags it is not given; the page moves the settings a
    /// user has not touched to them when the problem, precision or model changes.
    pub fn defaults_for(problem: ProblemKind, precision: Precision, model: ModelKind) -> Config {
        let d = problem_defaults(problem);
        let net = net_defaults(problem);
        let (n, h) = match model {
            ModelKind::Rfm => (
                400,
                match precision {
                    Precision::F64 => d.h_f64.to_vec(),
                    Precision::F32 => d.h_f32.to_vec(),
                },
            ),
            ModelKind::Network => (net.n, net_h(precision)),
        };
        Config {
            problem,
            k: 1,
            activation: Activation::Tanh,
            n,
            n_boundary: 0,
            sampling: Sampling::Grid,
            lambda: 1.0,
            seed: 1,
            h,
            order: 2,
            precision,
            threshold: default_threshold(precision),
            rfm: RfmConfig {
                scale: d.scale,
                ..RfmConfig::default()
            },
            model,
            net: NetConfig {
                width: net.width,
                scale: net.scale,
                ..NetConfig::default()
            },
            train: TrainConfig {
                steps: net.steps,
                every: net.every,
                ..TrainConfig::default()
            },
        }
    }
}

/// The RFM on Poisson 1-D in f64: [`Config::defaults_for`]`(poisson1d, f64, rfm)`.
impl Default for Config {
    fn default() -> Self {
        Config::defaults_for(ProblemKind::Poisson1d, Precision::F64, ModelKind::Rfm)
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

    /// The network architecture of this config.
    pub fn architecture(&self) -> Architecture {
        self.net.architecture(self.problem().dim(), self.activation)
    }

    /// The differentiation modes of a paired comparison: AD, then FD at each `h`.
    pub fn modes(&self) -> Vec<DiffMode> {
        std::iter::once(DiffMode::Ad)
            .chain(self.h.iter().map(|&h| DiffMode::Fd {
                h,
                order: self.order,
            }))
            .collect()
    }

    /// Residual rows: the interior points actually used (`⌊√n⌋²` on a 2-D grid) plus
    /// boundary points × boundary operators.
    pub fn rows(&self) -> usize {
        let problem = self.problem();
        let n = match (problem.dim(), self.sampling) {
            (2, Sampling::Grid) => Points::grid_side(self.n).pow(2),
            _ => self.n,
        };
        n + self.boundary_points() * problem.boundary().len()
    }

    /// Checks every field against its row of [`settings::FIELDS`] (the other model's
    /// settings too, so a checked config is finite everywhere and its JSON reads back),
    /// then the rules that span fields: 2-D boundary points from `n`, `relu^k`'s `k ∈
    /// 1..=12` and smoothness `k ≥ p + 1` for an operator of order `p`, a relative
    /// threshold below 1, and the running model's matrices against
    /// [`MAX_MATRIX_ENTRIES`]. The error names the field by path. The only way to a
    /// [`Valid<Config>`].
    pub fn check(self) -> Result<Valid<Config>> {
        for field in settings::FIELDS {
            field.check(&self)?;
        }
        let problem = self.problem();
        if problem.dim() == 2 && self.n_boundary == 0 && self.boundary_points() as u64 > MAX_POINTS
        {
            return Err(Error::invalid(
                "n_boundary",
                format!("too many boundary points; at most {MAX_POINTS}"),
            ));
        }
        if let Activation::ReluPow(k) = self.activation {
            // The range the activation's name accepts (`relu^k`), so the config's
            // JSON reads back.
            if !(1..=12).contains(&k) {
                return Err(Error::invalid(
                    "activation",
                    format!("relu^{k} is out of range; allowed relu^k with k = 1..=12"),
                ));
            }
        }
        self.activation.check_smoothness(problem.order())?;
        self.threshold.check()?;
        // The other model's settings are unused but travel with the config (the page's
        // hidden controls, the exported JSON): they are in range (above), though only
        // the model that runs is held to the memory bound.
        match self.model {
            ModelKind::Rfm => self.rfm.check_memory(self.rows())?,
            ModelKind::Network => self.net.check_memory(self.rows(), problem.dim())?,
        }
        Ok(Valid(self))
    }
}

/// A value that passed its check: the only way to build one is [`Config::check`], so
/// whatever takes a `Valid<Config>` never validates again.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Valid<T>(T);

impl<T> Valid<T> {
    /// The checked value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Valid<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
