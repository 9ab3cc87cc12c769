//! The random feature model `u(x) = Σ_j a_j σ(w_j·x + b_j)`.
//!
//! The inner weights `w_j ∈ ℝᵈ` and biases `b_j` are drawn once (seeded) and
//! frozen; only the outer coefficients `a` are fitted, by linear least squares
//! `A a ≈ F` with
//!
//! ```text
//! A = [ c·L φ_j(x_i)         ]   n interior rows (c = −1 for −Δ, +1 for Δ²), no row scaling
//!     [ √λ · B₁ φ_j(y_l)     ]   one block per boundary operator, in the order
//!     [ √λ · B₂ φ_j(y_l) …   ]   u, then u'' / Δu
//! F = [ f(x_i) ; √λ g(y_l) ; √λ g₂(y_l) ]
//! ```
//!
//! where `φ_j(x) = σ(w_j·x + b_j)` and every derivative is taken by the run's
//! [`DiffMode`] (AD or a finite-difference stencil).

use crate::activation::Activation;
use crate::jet::{Number, Real};
use crate::keyword::keyword_enum;
use crate::operator::{apply_ad, DiffMode, Field, Prepared};
use crate::problem::{PointSet, Points, Problem};
use crate::random::{Rng, Stream};
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

/// How the frozen inner parameters are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// `w_j, b_j ~ U[−R, R]` independently.
    Uniform,
    /// `w_j, b_j ~ N(0, R²)` independently.
    Normal,
}

keyword_enum!(Init, "init", { Uniform => "uniform", Normal => "normal" });

/// The frozen random features: `w` (`m × d`, row-major) and `b` (`m`).
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    /// Input dimension `d`.
    pub dim: usize,
    /// Weights, `d` per feature.
    pub w: Vec<f64>,
    /// Biases.
    pub b: Vec<f64>,
    /// The activation `σ`.
    pub activation: Activation,
}

impl Serialize for Features {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let w: Vec<&[f64]> = self.w.chunks_exact(self.dim).collect();
        let mut st = s.serialize_struct("Features", 2)?;
        st.serialize_field("w", &w)?;
        st.serialize_field("b", &self.b)?;
        st.end()
    }
}

/// One feature `φ(x) = σ(w·x + b)` as a [`Field`].
#[derive(Clone, Copy, Debug)]
pub struct Feature<'a> {
    /// Weight vector `w`.
    pub w: &'a [f64],
    /// Bias `b`.
    pub b: f64,
    /// Activation `σ`.
    pub activation: Activation,
}

impl Field for Feature<'_> {
    #[inline(always)]
    fn eval<X: Number>(&self, x: &[X]) -> X {
        let mut z = X::constant(X::Real::of(self.b));
        for (xk, wk) in x.iter().zip(self.w) {
            z = z + xk.scale(X::Real::of(*wk));
        }
        self.activation.eval(z)
    }
}

impl Features {
    /// Draws `m` features in `dim` dimensions from the parameter stream of `seed`:
    /// for each `j`, first the `d` entries of `w_j`, then `b_j`.
    pub fn sample(
        dim: usize,
        m: usize,
        scale: f64,
        init: Init,
        activation: Activation,
        seed: u64,
    ) -> Self {
        let mut rng = Rng::new(seed, Stream::Parameters);
        let mut draw = || match init {
            Init::Uniform => rng.uniform(-scale, scale),
            Init::Normal => scale * rng.normal(),
        };
        let (mut w, mut b) = (Vec::with_capacity(m * dim), Vec::with_capacity(m));
        for _ in 0..m {
            for _ in 0..dim {
                w.push(draw());
            }
            b.push(draw());
        }
        Features {
            dim,
            w,
            b,
            activation,
        }
    }

    /// Number of features `m`.
    pub fn len(&self) -> usize {
        self.b.len()
    }

    /// True when there are no features.
    pub fn is_empty(&self) -> bool {
        self.b.is_empty()
    }

    /// The `j`-th feature.
    pub fn feature(&self, j: usize) -> Feature<'_> {
        Feature {
            w: &self.w[j * self.dim..(j + 1) * self.dim],
            b: self.b[j],
            activation: self.activation,
        }
    }

    /// `u(x) = Σ_j a_j φ_j(x)` at each of `points`.
    pub fn values(&self, a: &[f64], points: &PointSet) -> Vec<f64> {
        points
            .iter()
            .map(|x| {
                (0..self.len())
                    .map(|j| a[j] * self.feature(j).eval::<f64>(x))
                    .sum()
            })
            .collect()
    }
}

/// The system `A a ≈ F` of one differentiation mode.
#[derive(Clone, Debug)]
pub struct System {
    /// The matrix `A` (rows: interior, then each boundary operator's block).
    pub a: DMatrix<f64>,
    /// The right-hand side `F`.
    pub f: Vec<f64>,
}

/// Number of rows of `A`: `n + n_b · (number of boundary operators)`.
pub fn rows(problem: &Problem, points: &Points) -> usize {
    points.interior.len() + points.boundary.len() * problem.boundary().len()
}

/// Assembles `A` and `F` for `mode`, evaluating the features in precision `T`.
pub fn assemble<T: Real>(
    problem: &Problem,
    features: &Features,
    points: &Points,
    mode: DiffMode,
    lambda: f64,
) -> System {
    let interior = problem.interior();
    let sqrt_lambda = lambda.sqrt();
    let dim = problem.dim();
    let interior_op = Prepared::new(interior.op, mode, dim);
    let boundary_ops: Vec<Prepared> = problem
        .boundary()
        .iter()
        .map(|&op| Prepared::new(op, mode, dim))
        .collect();
    let mut row_specs = Vec::with_capacity(rows(problem, points));
    for x in points.interior.iter() {
        row_specs.push((&interior_op, interior.coefficient, x, problem.source(x)));
    }
    for (&op, prepared) in problem.boundary().iter().zip(&boundary_ops) {
        for y in points.boundary.iter() {
            row_specs.push((
                prepared,
                sqrt_lambda,
                y,
                sqrt_lambda * problem.exact_op(op, y),
            ));
        }
    }
    let m = features.len();
    let mut a = DMatrix::zeros(row_specs.len(), m);
    for j in 0..m {
        let phi = features.feature(j);
        let mut col = a.column_mut(j);
        for ((op, c, x, _), entry) in row_specs.iter().zip(col.iter_mut()) {
            *entry = c * op.apply::<T, _>(&phi, x).to64();
        }
    }
    let f = row_specs.iter().map(|r| r.3).collect();
    System { a, f }
}

/// The exact (AD, f64) interior operator applied to every feature at `points`:
/// `T_ij = c·L φ_j(x_i)`, so that `T a − f` is the true PDE residual of `u`.
pub fn interior_operator_matrix(
    problem: &Problem,
    features: &Features,
    points: &PointSet,
) -> DMatrix<f64> {
    let t = problem.interior();
    DMatrix::from_fn(points.len(), features.len(), |i, j| {
        t.coefficient * apply_ad::<f64, _>(t.op, &features.feature(j), points.point(i))
    })
}
