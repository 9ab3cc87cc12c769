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

use crate::keyword::keyword_enum;
use crate::numeric::activation::Activation;
use crate::numeric::jet::{factorial, Number, Precision, Real};
use crate::numeric::random::{Rng, Stream};
use crate::pde::operator::{ad_recipe, DiffMode, DiffOp, Field, Prepared, Stencil};
use crate::pde::problem::{PointSet, Points, Problem};
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

    /// `u(x_i) = Σ_j a_j φ_j(x_i)` at each of `points`, feature by feature over all
    /// points at once (the pre-activations `w_j·x_i + b_j`, then
    /// [`Activation::taylor_slice`] with `k = 0`), each sum in the order of `j`.
    pub fn values(&self, a: &[f64], points: &PointSet) -> Vec<f64> {
        let x = Coordinates::of(points);
        let n = points.len();
        let (mut u, mut z, mut s) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for (j, aj) in a.iter().enumerate() {
            let phi = self.feature(j);
            x.pre_activations(phi.w, phi.b, &[0.0; 2], &mut z);
            self.activation.taylor_slice(0, &z, &mut s, None);
            for (ui, si) in u.iter_mut().zip(&s) {
                *ui += aj * si;
            }
        }
        u
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
    let a = if T::IS_F64 {
        let mut blocks = vec![Block::new(
            &interior_op,
            interior.coefficient,
            &points.interior,
        )];
        for prepared in &boundary_ops {
            blocks.push(Block::new(prepared, sqrt_lambda, &points.boundary));
        }
        columns(features, &blocks, row_specs.len())
    } else {
        let mut a = DMatrix::zeros(row_specs.len(), m);
        for j in 0..m {
            let phi = features.feature(j);
            let mut col = a.column_mut(j);
            for ((op, c, x, _), entry) in row_specs.iter().zip(col.iter_mut()) {
                *entry = c * op.apply::<T, _>(&phi, x).to64();
            }
        }
        a
    };
    let f = row_specs.iter().map(|r| r.3).collect();
    System { a, f }
}

/// A point set's coordinates, one contiguous column per dimension, so that a
/// feature's pre-activations over all points vectorize.
struct Coordinates(Vec<Vec<f64>>);

impl Coordinates {
    fn of(set: &PointSet) -> Self {
        Coordinates(
            (0..set.dim)
                .map(|k| set.iter().map(|p| p[k]).collect())
                .collect(),
        )
    }

    fn len(&self) -> usize {
        self.0.first().map_or(0, Vec::len)
    }

    /// `z_i = b + Σ_k (x_ik + shift_k) w_k`, summed from `b` in the order of `k` (the
    /// scalar route's order, so the same bits).
    fn pre_activations(&self, w: &[f64], b: f64, shift: &[f64], z: &mut [f64]) {
        z.fill(b);
        for ((xk, wk), sk) in self.0.iter().zip(w).zip(shift) {
            for (zi, xi) in z.iter_mut().zip(xk) {
                *zi += (xi + sk) * wk;
            }
        }
    }
}

/// One block of rows of `A`: an operator applied at a set of points, times `c`.
struct Block<'a> {
    op: &'a Prepared,
    c: f64,
    x: Coordinates,
}

impl<'a> Block<'a> {
    fn new(op: &'a Prepared, c: f64, set: &PointSet) -> Self {
        Block {
            op,
            c,
            x: Coordinates::of(set),
        }
    }
}

/// `A` in f64 column by column (the fast path of [`assemble`]): for feature `j` and a
/// block of `n` points, the pre-activations `z_i = b_j + Σ_k x_ik w_jk` of all points at
/// once, then the activation's Taylor coefficient over the whole column
/// ([`Activation::taylor_slice`], vectorized for tanh), then the operator:
///
/// ```text
/// AD:  A_ij = c · p! S_p(z_ij) · Σ_(v, ω) ω (w_j·v)ᵖ        (the directions of `ad_recipe`)
/// FD:  A_ij = c · (Σ_s ω_s σ(b_j + Σ_k (x_ik + h s_k) w_jk)) / hᵖ
/// ```
///
/// with the same operations in the same order as the scalar route (FD entries are equal
/// to it bit for bit; AD entries are the closed-form `σ⁽ᵖ⁾` instead of the jets'
/// recurrence). The columns are split across rayon's threads; every column is computed
/// by one thread from its own data, so the result does not depend on the thread count.
fn columns(features: &Features, blocks: &[Block], rows: usize) -> DMatrix<f64> {
    let m = features.len();
    let data = crate::numeric::dense::par_columns(rows, m, |j, column| {
        fill_column(features, blocks, j, column)
    });
    DMatrix::from_vec(rows, m, data)
}

crate::numeric::dense::multiversion! {
    /// Column `j` of `A` (see [`columns`]).
    fn fill_column(features: &Features, blocks: &[Block], j: usize, col: &mut [f64]) {
        let phi = features.feature(j);
        let d = features.dim;
        let (mut z, mut s) = (Vec::new(), Vec::new());
        let mut start = 0;
        for block in blocks {
            let n = block.x.len();
            let out = &mut col[start..start + n];
            start += n;
            z.resize(n, 0.0);
            s.resize(n, 0.0);
            match block.op {
                Prepared::Ad(op) => {
                    let (p, dirs) = ad_recipe(*op, d);
                    let mut g = 0.0;
                    for (v, omega) in &dirs {
                        let q: f64 = (0..d).map(|k| phi.w[k] * v[k]).sum();
                        g += omega * q.powi(p as i32);
                    }
                    block.x.pre_activations(phi.w, phi.b, &[0.0; 2], &mut z);
                    phi.activation.taylor_slice(p, &z, out, None);
                    let scale = block.c * factorial(p) * g;
                    for o in out.iter_mut() {
                        *o *= scale;
                    }
                }
                Prepared::Fd { stencil, h } => {
                    out.fill(0.0);
                    for (off, omega) in &stencil.taps {
                        let shift = [h * off[0] as f64, h * off[1] as f64];
                        block.x.pre_activations(phi.w, phi.b, &shift, &mut z);
                        phi.activation.taylor_slice(0, &z, &mut s, None);
                        for (o, si) in out.iter_mut().zip(&s) {
                            *o += omega * si;
                        }
                    }
                    let hp = h.powi(stencil.p as i32);
                    for o in out.iter_mut() {
                        *o = block.c * (*o / hp);
                    }
                }
            }
        }
    }
}

/// The exact (AD, f64) interior operator applied to every feature at `points`:
/// `T_ij = c·L φ_j(x_i)`, so that `T a − f` is the true PDE residual of `u`. Built by
/// the fast path of AD's interior rows in [`assemble`] (closed-form `σ⁽ᵖ⁾`,
/// vectorized, column-parallel): the page's first result waits for it (the 1-D test
/// grid is 1000 points).
pub fn interior_operator_matrix(
    problem: &Problem,
    features: &Features,
    points: &PointSet,
) -> DMatrix<f64> {
    let t = problem.interior();
    let op = Prepared::new(t.op, DiffMode::Ad, problem.dim());
    let block = Block::new(&op, t.coefficient, points);
    columns(features, &[block], points.len())
}

/// The round-off floor of `A` assembled in `precision`: an estimate of `‖E‖₂` for the
/// rounding noise `E` of the entries, so that singular values of `A` below it are noise.
///
/// ```text
/// floor = √(mean_ij δ_ij²) · (√rows + √m)
/// δ_ij  = (ε/√3) · ρ_i · K_ij · √( g(z_ij)² + g'(z_ij)² · Σ_k (w_jk x_ik)² ),   z_ij = w_j·x_i + b_j
///   FD:  K_ij = ‖c_B‖₂ / hᵖ = √(Σ_s c_s²) / hᵖ,   g = σ
///   AD:  K_ij = |w_j|ᵖ,                           g = σ⁽ᵖ⁾   (A_ij = ±ρ_i |w_j|ᵖ σ⁽ᵖ⁾(z_ij))
///   ρ_i = |c| on interior rows (c·L), √λ on boundary rows; B, p: row i's operator and its order;
///   ε = Precision::unit_roundoff (2⁻²⁴ for f32, 2⁻⁵³ for f64)
/// ```
///
/// Why each factor:
///
/// * **ε/√3 · √(g² + g'² Σ_k (w_k x_k)²)** — one model value `g(z)` carries two
///   independent roundings that matter: its own (at most `ε|g|`), and those of the
///   products `w_k x_k` inside `z` (at most `ε|w_k x_k|` each), which move `g` by
///   `g'·ε|w_k x_k|`. A rounding error spread evenly on `[−ε|v|, ε|v|]` has rms
///   `ε|v|/√3`. Both terms matter: measured against the f32 noise below, the value
///   term alone accounts for 0.5–1.0 of it, the `|w||x||σ'|` term alone for
///   0.3–0.6 at `R = 2` and 0.4–1.1 at `R = 10` (its share grows with `|w|`).
/// * **K = ‖c_B‖₂/hᵖ for FD** — the stencil adds its taps' values with weights
///   `c_s/hᵖ`, and the taps' rounding errors are independent, so their rms combine
///   in the ℓ2 norm of the weights (`√6` for `u''`, `√70` for `u''''`), not the
///   worst-case `Σ|c_s|` (4, 16), which overestimates by 1.6–2.5×. Every tap's value
///   is taken at the centre `x_i` (the taps lie within `2h|w|` of it in `z`). This
///   is the `ε/hᵖ` of FD's round-off, per row block: boundary blocks use their own,
///   lower-order, stencils and the weight `√λ`.
/// * **K = |w|ᵖ, g = σ⁽ᵖ⁾ for AD** — AD's entries are the exact derivatives
///   `|w|ᵖ σ⁽ᵖ⁾(z)` of the ridge functions, rounded with no `1/hᵖ` amplification. This
///   is a *lower* estimate: the jets' recurrences round several times per
///   coefficient (the measured noise is 2–4× the estimate); it stays near `ε·s₁`,
///   far below FD's floor at the same precision.
/// * **√(mean δ²) · (√rows + √m)** — a `rows × m` matrix with independent entries
///   of rms size `δ` has `‖E‖₂ ≈ δ(√rows + √m)` (the edge of its singular-value
///   distribution); with a variance profile, `δ` is the entries' rms.
///
/// Left out, because they perturb `A` smoothly instead of adding noise: roundings
/// that move a whole column or row (`w_j`, `b_j`, `x_i` and `h` stored in
/// `precision`: the matrix of slightly different features or points), and the
/// rounding of order-4 stencils' non-dyadic weights (`4/3`, `1/12`, `28/3`, `1/6`:
/// the stencil of `L + κ` with `κ = Σ_s fl(c_s)/hᵖ`, in f32 about twice the noise in
/// norm, but ≈ `κ` times the smooth value matrix `σ(z_ij)`, which leaves the small
/// singular values as meaningful).
///
/// Checked against the measured f32 noise `‖A_f32 − A_f64‖₂` of the same features
/// and points in tests/noise_floor.rs, on all four problems, `h = 10⁻¹ … 10⁻⁴`,
/// `R = 2, 10` and stencil orders 2 and 4: for FD the estimate is 0.6–1.5× the
/// measured noise; for AD 0.3–0.5×.
pub fn noise_floor(
    problem: &Problem,
    features: &Features,
    points: &Points,
    mode: DiffMode,
    lambda: f64,
    precision: Precision,
) -> f64 {
    let interior = problem.interior();
    let mut blocks: Vec<(DiffOp, f64, &PointSet)> =
        vec![(interior.op, interior.coefficient.abs(), &points.interior)];
    for &op in problem.boundary() {
        blocks.push((op, lambda.sqrt(), &points.boundary));
    }
    let m = features.len();
    let (mut sum, mut entries) = (0.0, 0usize);
    for (op, rho, set) in blocks {
        let p = op.order();
        // FD: the stencil's gain on the values σ; AD: |w|ᵖ on σ⁽ᵖ⁾.
        let (stencil_gain, g_order) = match mode {
            DiffMode::Fd { h, order } => {
                let taps = Stencil::new(op, problem.dim(), order).taps;
                let l2 = taps.iter().map(|(_, c)| c * c).sum::<f64>().sqrt();
                (Some(l2 / h.powi(p as i32)), 0)
            }
            DiffMode::Ad => (None, p),
        };
        // Feature by feature over all points at once: `g = k! S_k`, `g' = (k+1)! S_{k+1}`
        // with `k = g_order`, and `Σ_k (w_k x_k)²` per point.
        let x = Coordinates::of(set);
        let n = x.len();
        let k = g_order;
        let (fact, fact_next) = (factorial(k), factorial(k + 1));
        let (mut z, mut g, mut dg, mut wx2) =
            (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for j in 0..m {
            let phi = features.feature(j);
            x.pre_activations(phi.w, phi.b, &[0.0; 2], &mut z);
            phi.activation.taylor_slice(k, &z, &mut g, Some(&mut dg));
            wx2.fill(0.0);
            for (xk, wk) in x.0.iter().zip(phi.w) {
                for (acc, xi) in wx2.iter_mut().zip(xk) {
                    *acc += (wk * xi) * (wk * xi);
                }
            }
            let w2: f64 = phi.w.iter().map(|wk| wk * wk).sum();
            let gain = rho * stencil_gain.unwrap_or_else(|| w2.powi(p as i32 / 2));
            for ((gi, dgi), wx2i) in g.iter().zip(&dg).zip(&wx2) {
                let (gi, dgi) = (fact * gi, fact_next * dgi);
                sum += gain * gain * (gi * gi + dgi * dgi * wx2i);
            }
            entries += n;
        }
    }
    if entries == 0 {
        return 0.0;
    }
    let rows = (entries / m) as f64;
    let rms = (sum / entries as f64).sqrt();
    precision.unit_roundoff() / 3f64.sqrt() * rms * (rows.sqrt() + (m as f64).sqrt())
}
