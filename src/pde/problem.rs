//! The PDE problems, their manufactured exact solutions, and collocation points.
//!
//! | id | equation on Ω | boundary operators | exact solution |
//! |---|---|---|---|
//! | poisson1d | `−u'' = f` on (−1, 1) | `u = g` | `sin(kπx)` |
//! | biharmonic1d | `u'''' = f` on (−1, 1) | `u = g`, `u'' = g₂` | `sin(kπx)` |
//! | poisson2d | `−Δu = f` on (−1, 1)² | `u = g` | `sin(kπx) sin(kπy)` |
//! | biharmonic2d | `Δ²u = f` on (−1, 1)² | `u = g`, `Δu = g₂` | `sin(kπx) sin(kπy)` |
//!
//! With `a = kπ` and `u = Π_i sin(a x_i)` in `d` dimensions, `Δu = −d a² u` and
//! `Δ²u = d² a⁴ u`, which give `f`, `g` and `g₂` in closed form.

use crate::keyword::keyword_enum;
use crate::numeric::random::{Rng, Stream};
use crate::pde::operator::DiffOp;
use serde::{Deserialize, Serialize};

/// Which PDE.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemKind {
    /// `−u'' = f` on (−1, 1), `u = g` at ±1.
    #[default]
    Poisson1d,
    /// `u'''' = f` on (−1, 1), `u = g` and `u'' = g₂` at ±1.
    Biharmonic1d,
    /// `−Δu = f` on (−1, 1)², `u = g` on the boundary.
    Poisson2d,
    /// `Δ²u = f` on (−1, 1)², `u = g` and `Δu = g₂` on the boundary.
    Biharmonic2d,
}

keyword_enum!(ProblemKind, "problem", {
    Poisson1d => "poisson1d",
    Biharmonic1d => "biharmonic1d",
    Poisson2d => "poisson2d",
    Biharmonic2d => "biharmonic2d",
});

impl ProblemKind {
    /// Spatial dimension `d` (1 or 2).
    pub fn dim(self) -> usize {
        match self {
            ProblemKind::Poisson1d | ProblemKind::Biharmonic1d => 1,
            ProblemKind::Poisson2d | ProblemKind::Biharmonic2d => 2,
        }
    }
}

/// A PDE with its manufactured solution `u = Π_i sin(kπ x_i)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Problem {
    /// Which equation.
    pub kind: ProblemKind,
    /// Frequency `k` of the exact solution.
    pub k: u32,
}

/// A term of the PDE: `coefficient · op(u)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term {
    /// The sign or weight in front of the operator.
    pub coefficient: f64,
    /// The differential operator.
    pub op: DiffOp,
}

impl Problem {
    /// Spatial dimension `d` (1 or 2).
    pub fn dim(&self) -> usize {
        self.kind.dim()
    }

    /// The interior operator `L`: `−Δ` for Poisson, `Δ²` for biharmonic.
    pub fn interior(&self) -> Term {
        match self.kind {
            ProblemKind::Poisson1d | ProblemKind::Poisson2d => Term {
                coefficient: -1.0,
                op: DiffOp::Laplacian,
            },
            ProblemKind::Biharmonic1d | ProblemKind::Biharmonic2d => Term {
                coefficient: 1.0,
                op: DiffOp::Bilaplacian,
            },
        }
    }

    /// The boundary operators `B`, in order: `u`, then `Δu` (`u''` in 1-D) for biharmonic.
    pub fn boundary(&self) -> &'static [DiffOp] {
        match self.kind {
            ProblemKind::Poisson1d | ProblemKind::Poisson2d => &[DiffOp::Value],
            ProblemKind::Biharmonic1d | ProblemKind::Biharmonic2d => {
                &[DiffOp::Value, DiffOp::Laplacian]
            }
        }
    }

    /// The highest derivative order any operator of the problem needs (2 or 4).
    pub fn order(&self) -> usize {
        self.interior().op.order()
    }

    /// The exact solution `u(x) = Π_i sin(kπ x_i)`.
    pub fn exact(&self, x: &[f64]) -> f64 {
        let a = self.k as f64 * std::f64::consts::PI;
        x.iter().map(|&xi| (a * xi).sin()).product()
    }

    /// `op` applied to the exact solution, in closed form:
    /// `Δu = −d a² u`, `Δ²u = d² a⁴ u` with `a = kπ`.
    pub fn exact_op(&self, op: DiffOp, x: &[f64]) -> f64 {
        let a2 = (self.k as f64 * std::f64::consts::PI).powi(2);
        let d = self.dim() as f64;
        let u = self.exact(x);
        match op {
            DiffOp::Value => u,
            DiffOp::Laplacian => -d * a2 * u,
            DiffOp::Bilaplacian => d * d * a2 * a2 * u,
        }
    }

    /// The source `f = L u*` at an interior point.
    pub fn source(&self, x: &[f64]) -> f64 {
        let t = self.interior();
        t.coefficient * self.exact_op(t.op, x)
    }
}

/// How interior collocation points are placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sampling {
    /// A uniform grid strictly inside Ω (in 2-D: `⌊√n⌋²` points).
    Grid,
    /// Independent uniform draws from Ω (seeded).
    Random,
}

keyword_enum!(Sampling, "sampling", { Grid => "grid", Random => "random" });

/// A set of points in `d` dimensions, stored flat (`x₀ y₀ x₁ y₁ …` in 2-D).
#[derive(Clone, Debug, PartialEq)]
pub struct PointSet {
    /// Spatial dimension.
    pub dim: usize,
    /// Coordinates, `dim` per point.
    pub coords: Vec<f64>,
}

impl PointSet {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.coords.len() / self.dim
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.coords.is_empty()
    }

    /// The `i`-th point.
    pub fn point(&self, i: usize) -> &[f64] {
        &self.coords[i * self.dim..(i + 1) * self.dim]
    }

    /// Iterates over the points.
    pub fn iter(&self) -> impl Iterator<Item = &[f64]> {
        self.coords.chunks_exact(self.dim)
    }
}

impl Serialize for PointSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// The collocation points of a run: interior (for `L u = f`) and boundary (for `B u = g`).
#[derive(Clone, Debug, Serialize)]
pub struct Points {
    /// Interior points `x_i`.
    pub interior: PointSet,
    /// Boundary points `y_l`.
    pub boundary: PointSet,
}

/// `n` interior grid coordinates in (−1, 1): `−1 + 2i/(n + 1)`, `i = 1..n`.
fn open_grid(n: usize) -> impl Iterator<Item = f64> + Clone {
    (1..=n).map(move |i| -1.0 + 2.0 * i as f64 / (n + 1) as f64)
}

/// The point at arc length `s ∈ [0, 8)` along the boundary of (−1, 1)², counter-clockwise
/// from the corner (−1, −1).
fn perimeter_point(s: f64) -> [f64; 2] {
    let (side, t) = ((s / 2.0).floor() as usize % 4, s % 2.0);
    match side {
        0 => [-1.0 + t, -1.0],
        1 => [1.0, -1.0 + t],
        2 => [1.0 - t, 1.0],
        _ => [-1.0, 1.0 - t],
    }
}

impl Points {
    /// Places `n` interior points by `sampling` and the boundary points: the two end
    /// points in 1-D; in 2-D `n_boundary` points along ∂Ω, evenly spaced from the
    /// corner (−1, −1) for a grid, uniform in arc length (seeded) for random sampling.
    pub fn new(
        problem: &Problem,
        n: usize,
        n_boundary: usize,
        sampling: Sampling,
        seed: u64,
    ) -> Self {
        let dim = problem.dim();
        let mut rng = Rng::new(seed, Stream::Interior);
        let interior = match (dim, sampling) {
            (1, Sampling::Grid) => open_grid(n).collect(),
            (_, Sampling::Grid) => {
                let g = open_grid(Points::grid_side(n));
                g.clone()
                    .flat_map(|y| g.clone().flat_map(move |x| [x, y]))
                    .collect()
            }
            (_, Sampling::Random) => (0..n * dim).map(|_| rng.uniform(-1.0, 1.0)).collect(),
        };
        let mut rng = Rng::new(seed, Stream::Boundary);
        let boundary = if dim == 1 {
            vec![-1.0, 1.0]
        } else {
            (0..n_boundary)
                .flat_map(|l| {
                    let s = match sampling {
                        Sampling::Grid => 8.0 * l as f64 / n_boundary as f64,
                        Sampling::Random => rng.uniform(0.0, 8.0),
                    };
                    perimeter_point(s)
                })
                .collect()
        };
        Points {
            interior: PointSet {
                dim,
                coords: interior,
            },
            boundary: PointSet {
                dim,
                coords: boundary,
            },
        }
    }

    /// Points per side of a 2-D grid of (at most) `n` points: `max(⌊√n⌋, 1)`.
    pub fn grid_side(n: usize) -> usize {
        ((n as f64).sqrt().floor() as usize).max(1)
    }

    /// Held-out test points for errors and the true residual: a uniform grid of
    /// 1000 points in 1-D and 50 × 50 in 2-D, each coordinate shifted off the cell
    /// midpoints so that it never equals a collocation coordinate
    /// ([`PointSet::test_grid`]).
    pub fn test(problem: &Problem) -> PointSet {
        PointSet::test_grid(problem.dim(), Points::test_per_axis(problem))
    }

    /// How many held-out test points [`Points::test`] has, without building them:
    /// `N^d` with `N` its points per axis.
    pub fn test_len(problem: &Problem) -> usize {
        Points::test_per_axis(problem).pow(problem.dim() as u32)
    }

    /// The test grid's points per axis: 1000 in 1-D, 50 in 2-D.
    fn test_per_axis(problem: &Problem) -> usize {
        if problem.dim() == 1 {
            1000
        } else {
            50
        }
    }
}

/// The prime `P` in the test grid's shift `½ + 1/(2P)` (see [`PointSet::test_grid`]):
/// `2¹⁶ + 1`, above `2(n + 1)` for every allowed `n ≤ 20000`.
pub const TEST_SHIFT_PRIME: u64 = 65_537;

impl PointSet {
    /// The held-out test grid: `N = per_axis` points per axis (`N` in 1-D, `N × N` in
    /// 2-D, `x` fastest) at
    ///
    /// ```text
    /// t_k = −1 + 2(k + θ)/N,   k = 0..N,   θ = ½ + 1/(2P) = (P + 1)/(2P),   P = 65537 (prime)
    /// ```
    ///
    /// — the cell midpoints (`θ = ½`) moved by `1/(NP)` — evenly spread and strictly
    /// inside `(−1, 1)` (`0 < θ < 1`).
    ///
    /// **No test coordinate equals a grid collocation coordinate** `c = −1 + 2i/(n+1)`
    /// (1-D, and each axis of a 2-D grid with `n` its side), for any `n + 1 ≤ P/2`
    /// (every allowed `n`): with `M = (2k + 1)(n + 1) − 2iN`,
    ///
    /// ```text
    /// t − c = (P·M + (n + 1)) / (N·P·(n + 1))
    /// ```
    ///
    /// If `M = 0`, `|t − c| = 1/(NP)`. If `M ≠ 0`, `|P·M + (n + 1)| ≥ P − (n + 1)`, so
    /// `|t − c| ≥ 1/(N(n + 1)) − 1/(NP) ≥ 1/(NP)` when `n + 1 ≤ P/2`. Hence every
    /// test coordinate lies at least `1/(NP)` from every collocation coordinate —
    /// `1.5·10⁻⁸` in 1-D (`N = 1000`), `3.1·10⁻⁷` in 2-D (`N = 50`) — while f64
    /// computes either within `5·10⁻¹⁶` of its exact value (`k·P + (P + 1)/2` and
    /// `N·P` are exact integers, then one division and one subtraction), so they never
    /// coincide in floating point either. Plain midpoints would: when `n + 1` is a
    /// multiple of `2N` every midpoint is a collocation point (`n = 1999` in 1-D, a
    /// 99 × 99 grid in 2-D).
    /// Randomly sampled collocation points are continuous draws: a coincidence has
    /// probability zero.
    pub fn test_grid(dim: usize, per_axis: usize) -> PointSet {
        let (p, n) = (TEST_SHIFT_PRIME, per_axis as u64);
        // θ = a/P with a = (P + 1)/2; k·P + a and N·P are exact in f64.
        let (a, denominator) = (p / 2 + 1, (n * p) as f64);
        PointSet::tensor(
            dim,
            (0..n).map(|k| -1.0 + 2.0 * (k * p + a) as f64 / denominator),
        )
    }

    /// The cell midpoints `−1 + (2i + 1)/n`, `i = 0..n`, of a uniform grid of `n` cells
    /// per axis on (−1, 1)ᵈ (`n` points in 1-D, `n × n` in 2-D, `x` fastest).
    pub fn midpoints(dim: usize, n: usize) -> PointSet {
        PointSet::tensor(dim, (0..n).map(|i| -1.0 + (2 * i + 1) as f64 / n as f64))
    }

    /// The points of `axis` in 1-D, or of `axis × axis` in 2-D (`x` fastest).
    fn tensor(dim: usize, axis: impl Iterator<Item = f64>) -> PointSet {
        let axis: Vec<f64> = axis.collect();
        let coords = if dim == 1 {
            axis
        } else {
            axis.iter()
                .flat_map(|&y| axis.iter().flat_map(move |&x| [x, y]))
                .collect()
        };
        PointSet { dim, coords }
    }
}

/// How far a fitted `u` is from the exact solution `u*` on a set of points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SolutionError {
    /// Relative L2 error `‖u − u*‖₂ / ‖u*‖₂`.
    pub l2: f64,
    /// Max error `max |u − u*|`.
    pub max: f64,
}

impl SolutionError {
    /// The errors of the values `u` against the exact values `exact` at the same points.
    pub fn of(u: &[f64], exact: &[f64]) -> Self {
        let (mut se, mut sn, mut max) = (0.0, 0.0, 0f64);
        for (u, e) in u.iter().zip(exact) {
            se += (u - e) * (u - e);
            sn += e * e;
            max = max.max((u - e).abs());
        }
        SolutionError {
            l2: (se / sn).sqrt(),
            max,
        }
    }
}
