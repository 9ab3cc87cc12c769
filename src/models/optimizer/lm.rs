//! Levenberg–Marquardt: the damped Gauss–Newton step for a least-squares loss
//! `L(θ) = ‖r̃(θ)‖²`, and the rule that adapts its damping `μ`.
//!
//! Linearizing `r̃(θ − δ) ≈ r̃ − Jδ` (`J = ∂r̃/∂θ`, rows × parameters) and adding
//! `μ‖δ‖²` gives the step
//!
//! ```text
//! δ = (JᵀJ + μI)⁻¹ Jᵀ r̃ = Jᵀ (JJᵀ + μI)⁻¹ r̃
//! ```
//!
//! [`GaussNewton`] forms the smaller of the two Gram matrices once per step — `JJᵀ`
//! (the training kernel `G`) when there are no more rows than parameters, the
//! row-space or Woodbury form; `JᵀJ` otherwise — and solves `(· + μI) x = ·` by
//! Cholesky for each damping tried. For a linear PDE this is energy natural gradient
//! descent (Müller & Zeinhofer, ICML 2023, arXiv 2302.13163); the row-space form is the
//! one of arXiv 2505.12149. Cholesky of the Gram matrix rather than an SVD of `J`: one
//! `k³/3` factorization per damping tried (`k = min(rows, parameters)`) against an SVD's
//! `≈ 4·rows·parameters·k`, and the damping keeps it well posed.
//!
//! The damping follows Nielsen's rule (Madsen, Nielsen & Tingleff, *Methods for
//! Non-Linear Least Squares Problems*, 2004, §3.2), with the gain ratio
//! `ρ = (L(θ) − L(θ − δ)) / (L(θ) − ‖r̃ − Jδ‖²)` of the actual to the predicted decrease:
//! a step that lowers the loss is taken and `μ ← μ·max(1/3, 1 − (2ρ − 1)³)`, `ν ← 2`;
//! one that does not is refused and retried from the same `θ` with `μ ← μ·ν`, `ν ← 2ν`.
//! A step whose `μ` would exceed the bound `μ_max` is not tried: the run stops there
//! (adfd's choices: `μ₀ = 10⁻³`, `μ_max = 10⁸`, `μ ≥ 10⁻¹⁵`; see `config::TrainConfig`).

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt;
use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{matmul as triangular_matmul, BlockStructure};
use faer::{Accum, Mat, MatRef, Par};

/// The smallest damping the rule lowers `μ` to (adfd's choice): below it `JᵀJ + μI`
/// would be `JᵀJ` in floating point anyway.
pub const MU_MIN: f64 = 1e-15;

/// Which normal equations a [`GaussNewton`] solves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `rows ≤ parameters`: `(JJᵀ + μI) y = r̃`, then `δ = Jᵀ y`.
    RowSpace,
    /// `rows > parameters`: `(JᵀJ + μI) δ = Jᵀ r̃`.
    ParameterSpace,
}

/// One damped Gauss–Newton solve: `δ` and the decrease the linear model predicts.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// `δ = (JᵀJ + μI)⁻¹ Jᵀ r̃`; the step is `θ ← θ − δ`.
    pub delta: Vec<f64>,
    /// `‖r̃‖² − ‖r̃ − Jδ‖²`, the loss decrease the linearization predicts (≥ 0 in
    /// exact arithmetic).
    pub predicted: f64,
}

/// The normal equations of one step, formed once at `θ` and solved for any `μ`.
pub struct GaussNewton<'a> {
    j: MatRef<'a, f64>,
    form: Form,
    /// `JJᵀ` or `JᵀJ`; only the lower triangle is formed.
    gram: Mat<f64>,
    /// `r̃` (row space) or `Jᵀ r̃` (parameter space).
    rhs: Mat<f64>,
    /// `‖r̃‖²`.
    loss: f64,
}

impl<'a> GaussNewton<'a> {
    /// The normal equations of `J` (rows × parameters) and the scaled residual `r̃`,
    /// in the smaller [`Form`]: `2·rows·parameters·k/2` flops for the Gram matrix's
    /// lower triangle, `k = min(rows, parameters)`.
    pub fn new(j: MatRef<'a, f64>, r: &[f64]) -> Self {
        let form = if j.nrows() <= j.ncols() {
            Form::RowSpace
        } else {
            Form::ParameterSpace
        };
        Self::in_form(j, r, form)
    }

    /// The normal equations in the given [`Form`], whatever the shape (both give the
    /// same step; the smaller one is cheaper).
    pub fn in_form(j: MatRef<'a, f64>, r: &[f64], form: Form) -> Self {
        assert_eq!(j.nrows(), r.len(), "one residual per row of J");
        let r = Mat::from_fn(r.len(), 1, |i, _| r[i]);
        let loss = r.col(0).iter().map(|v| v * v).sum();
        let k = match form {
            Form::RowSpace => j.nrows(),
            Form::ParameterSpace => j.ncols(),
        };
        let (left, right) = match form {
            Form::RowSpace => (j, j.transpose()),
            Form::ParameterSpace => (j.transpose(), j),
        };
        let gram = gram_lower(left, right);
        let rhs = match form {
            Form::RowSpace => r,
            Form::ParameterSpace => {
                let mut g = Mat::zeros(k, 1);
                matmul(
                    g.as_mut(),
                    Accum::Replace,
                    j.transpose(),
                    r.as_ref(),
                    1.0,
                    Par::Seq,
                );
                g
            }
        };
        GaussNewton {
            j,
            form,
            gram,
            rhs,
            loss,
        }
    }

    /// Which normal equations are solved.
    pub fn form(&self) -> Form {
        self.form
    }

    /// `‖r̃‖²` at the linearization point.
    pub fn loss(&self) -> f64 {
        self.loss
    }

    /// The step at damping `μ > 0`, or `None` when `Gram + μI` is not numerically
    /// positive definite (its Cholesky factorization fails). The predicted decrease is
    /// `‖r̃‖² − μ²‖y‖²` in the row space (there `Jδ = JJᵀy = r̃ − μy`) and
    /// `δᵀJᵀr̃ + μ‖δ‖²` in the parameter space (there `JᵀJδ = Jᵀr̃ − μδ`).
    pub fn step(&self, mu: f64) -> Option<Step> {
        let k = self.gram.nrows();
        // L Lᵀ = Gram + μI in place on a copy of the lower triangle (faer's `Llt::new`
        // would copy it once more).
        let mut l = Mat::from_fn(k, k, |i, j| match i.cmp(&j) {
            std::cmp::Ordering::Greater => self.gram[(i, j)],
            std::cmp::Ordering::Equal => self.gram[(i, j)] + mu,
            std::cmp::Ordering::Less => 0.0,
        });
        let mut mem = MemBuffer::new(llt::factor::cholesky_in_place_scratch::<f64>(
            k,
            Par::Seq,
            Default::default(),
        ));
        let stack = MemStack::new(&mut mem);
        llt::factor::cholesky_in_place(
            l.as_mut(),
            Default::default(),
            Par::Seq,
            stack,
            Default::default(),
        )
        .ok()?;
        let mut x = self.rhs.clone();
        llt::solve::solve_in_place(l.as_ref(), x.as_mut(), Par::Seq, stack);
        let x_norm2: f64 = x.col(0).iter().map(|v| v * v).sum();
        let (delta, predicted) = match self.form {
            Form::RowSpace => {
                let mut delta = Mat::zeros(self.j.ncols(), 1);
                matmul(
                    delta.as_mut(),
                    Accum::Replace,
                    self.j.transpose(),
                    x.as_ref(),
                    1.0,
                    Par::Seq,
                );
                (delta, self.loss - mu * mu * x_norm2)
            }
            Form::ParameterSpace => {
                let along: f64 = x
                    .col(0)
                    .iter()
                    .zip(self.rhs.col(0).iter())
                    .map(|(d, g)| d * g)
                    .sum();
                (x, along + mu * x_norm2)
            }
        };
        let delta: Vec<f64> = delta.col(0).iter().copied().collect();
        delta
            .iter()
            .all(|d| d.is_finite())
            .then_some(Step { delta, predicted })
    }
}

/// Side of the square tiles the Gram matrix is formed in.
const GRAM_TILE: usize = 128;

/// The lower triangle of `left · right` (`k × k`, `left` is `k × P`, `right = leftᵀ`),
/// by tiles of [`GRAM_TILE`]² on and below the diagonal, computed in parallel (rayon),
/// each by one sequential faer product (a triangular one on the diagonal): the tiles
/// depend on `k` only, so the matrix is the same bits on any thread count. The entries
/// above the diagonal are left 0.
fn gram_lower(left: MatRef<'_, f64>, right: MatRef<'_, f64>) -> Mat<f64> {
    use rayon::prelude::*;
    let k = left.nrows();
    let starts: Vec<usize> = (0..k).step_by(GRAM_TILE).collect();
    let tiles: Vec<(usize, usize)> = starts
        .iter()
        .flat_map(|&j0| {
            starts
                .iter()
                .filter(move |&&i0| i0 >= j0)
                .map(move |&i0| (i0, j0))
        })
        .collect();
    let size = |s: usize| (k - s).min(GRAM_TILE);
    let blocks: Vec<Mat<f64>> = tiles
        .par_iter()
        .map(|&(i0, j0)| {
            let (h, w) = (size(i0), size(j0));
            let mut t = Mat::zeros(h, w);
            let (l, r) = (left.subrows(i0, h), right.subcols(j0, w));
            if i0 == j0 {
                triangular_matmul(
                    t.as_mut(),
                    BlockStructure::TriangularLower,
                    Accum::Replace,
                    l,
                    BlockStructure::Rectangular,
                    r,
                    BlockStructure::Rectangular,
                    1.0,
                    Par::Seq,
                );
            } else {
                matmul(t.as_mut(), Accum::Replace, l, r, 1.0, Par::Seq);
            }
            t
        })
        .collect();
    let mut gram = Mat::zeros(k, k);
    for (&(i0, j0), t) in tiles.iter().zip(&blocks) {
        gram.as_mut()
            .submatrix_mut(i0, j0, t.nrows(), t.ncols())
            .copy_from(t);
    }
    gram
}

/// Nielsen's damping state: `μ`, the factor `ν` that the next refusal multiplies it by,
/// and the bound `μ_max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Damping {
    /// The damping the next step is tried at.
    pub mu: f64,
    /// The next refusal's factor: 2, doubled by each refusal in a row.
    nu: f64,
    /// No step is tried at a damping above this bound.
    pub mu_max: f64,
}

impl Damping {
    /// Starts at `μ₀` with `ν = 2`.
    pub const fn new(mu0: f64, mu_max: f64) -> Self {
        Damping {
            mu: mu0,
            nu: 2.0,
            mu_max,
        }
    }

    /// After a taken step with gain ratio `ρ`: `μ ← max(μ·max(1/3, 1 − (2ρ − 1)³), μ_min)`,
    /// `ν ← 2`. `ρ` is read in `[0, 1]` (a decrease predicted as none by round-off
    /// counts as `ρ = 1`, a negative prediction as `ρ = 0`).
    fn taken(&mut self, rho: f64) {
        let rho = if rho.is_nan() {
            1.0
        } else {
            rho.clamp(0.0, 1.0)
        };
        let factor = (1.0f64 / 3.0).max(1.0 - (2.0 * rho - 1.0).powi(3));
        self.mu = (self.mu * factor).max(MU_MIN);
        self.nu = 2.0;
    }

    /// After a refused step: `μ ← μ·ν`, `ν ← 2ν`.
    fn refused(&mut self) {
        self.mu *= self.nu;
        self.nu *= 2.0;
    }
}

/// What one Levenberg–Marquardt step did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// A step lowered the loss and was taken.
    Taken {
        /// The new loss.
        loss: f64,
        /// The damping it was taken at.
        mu: f64,
        /// Solves tried, the taken one included.
        trials: usize,
    },
    /// No damping up to the bound lowered the loss; `θ` is unchanged.
    NoDecrease {
        /// The damping the next try would have needed (above the bound).
        mu: f64,
        /// Solves tried.
        trials: usize,
    },
}

/// One Levenberg–Marquardt step from `theta`, whose loss is `loss` and whose
/// linearization is `gn`: tries `θ − δ(μ)` with `loss_at` until one lowers the loss
/// (then `theta` becomes it) or `μ` passes `damping.mu_max` (then `theta` is left as it
/// was). A failed factorization or a non-finite trial loss counts as a refusal, so the
/// loop ends for every input: `μ` grows at least twofold per refusal.
pub fn step(
    theta: &mut [f64],
    loss: f64,
    gn: &GaussNewton,
    damping: &mut Damping,
    mut loss_at: impl FnMut(&[f64]) -> f64,
) -> Outcome {
    let mut candidate = vec![0.0; theta.len()];
    let mut trials = 0;
    while damping.mu <= damping.mu_max {
        trials += 1;
        let mu = damping.mu;
        if let Some(s) = gn.step(mu) {
            for ((c, t), d) in candidate.iter_mut().zip(theta.iter()).zip(&s.delta) {
                *c = t - d;
            }
            let trial = loss_at(&candidate);
            if trial < loss {
                damping.taken((loss - trial) / s.predicted);
                theta.copy_from_slice(&candidate);
                return Outcome::Taken {
                    loss: trial,
                    mu,
                    trials,
                };
            }
        }
        damping.refused();
    }
    Outcome::NoDecrease {
        mu: damping.mu,
        trials,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(rows: usize, cols: usize, data: &[f64]) -> MatRef<'_, f64> {
        MatRef::from_row_major_slice(data, rows, cols)
    }

    /// `r̃ = Aθ − b` for a 4 × 2 `A`: one step at tiny damping from θ = 0 is the
    /// least-squares solution, whose normal equations `AᵀA θ = Aᵀb` are solved here by
    /// hand (Cramer's rule), independently of faer.
    #[test]
    fn one_undamped_step_solves_a_linear_least_squares_problem() {
        let a = [1.0, 2.0, 3.0, -1.0, 0.5, 4.0, -2.0, 1.0];
        let b = [1.0, 2.0, -1.0, 0.5];
        let j = view(4, 2, &a);
        let r: Vec<f64> = b.iter().map(|v| -v).collect(); // r̃(0) = −b
        let gn = GaussNewton::new(j, &r);
        assert_eq!(gn.form(), Form::ParameterSpace);
        let s = gn.step(1e-14).unwrap();
        let theta = [-s.delta[0], -s.delta[1]];
        let (mut n, mut g) = ([0.0; 4], [0.0; 2]);
        for i in 0..4 {
            let (x, y) = (a[2 * i], a[2 * i + 1]);
            n[0] += x * x;
            n[1] += x * y;
            n[3] += y * y;
            g[0] += x * b[i];
            g[1] += y * b[i];
        }
        let det = n[0] * n[3] - n[1] * n[1];
        let want = [
            (g[0] * n[3] - n[1] * g[1]) / det,
            (n[0] * g[1] - n[1] * g[0]) / det,
        ];
        for k in 0..2 {
            assert!((theta[k] - want[k]).abs() < 1e-12, "{theta:?} vs {want:?}");
        }
        // The linear model is exact for a linear residual: predicted = actual decrease.
        let after: f64 = (0..4)
            .map(|i| (a[2 * i] * theta[0] + a[2 * i + 1] * theta[1] - b[i]).powi(2))
            .sum();
        assert!((s.predicted - (gn.loss() - after)).abs() < 1e-12 * gn.loss());
    }

    /// The two forms are the same step: `(JᵀJ + μI)⁻¹Jᵀr̃ = Jᵀ(JJᵀ + μI)⁻¹r̃`. For this
    /// wide `J` the parameter-space matrix is singular but for `μ` (condition ~ 1/μ),
    /// so the agreement is to `~ε/μ`: why [`GaussNewton::new`] picks the smaller form.
    #[test]
    fn row_and_parameter_space_forms_agree() {
        let data: Vec<f64> = (0..15).map(|i| ((i * 7 % 11) as f64 - 5.0) / 3.0).collect();
        let r = [0.3, -1.2, 2.0];
        let wide = GaussNewton::new(view(3, 5, &data), &r);
        let tall = GaussNewton::in_form(view(3, 5, &data), &r, Form::ParameterSpace);
        assert_eq!(wide.form(), Form::RowSpace);
        for mu in [1e-6, 1e-2, 1.0, 100.0] {
            let (a, b) = (wide.step(mu).unwrap(), tall.step(mu).unwrap());
            let tol = 1e-13 / mu.min(1.0);
            for (x, y) in a.delta.iter().zip(&b.delta) {
                assert!(
                    (x - y).abs() < tol * (1.0 + x.abs()),
                    "μ = {mu}: {x} vs {y}"
                );
            }
            assert!((a.predicted - b.predicted).abs() < tol, "μ = {mu}");
            assert!(a.predicted >= 0.0 && a.predicted <= wide.loss());
        }
    }

    /// Rosenbrock as least squares, `r̃ = (10(θ₂ − θ₁²), 1 − θ₁)`: from (−1.2, 1) the
    /// steps reach the minimum (1, 1), and every taken step lowers the loss.
    #[test]
    fn converges_on_rosenbrock() {
        let residual = |t: &[f64]| [10.0 * (t[1] - t[0] * t[0]), 1.0 - t[0]];
        let loss_at = |t: &[f64]| residual(t).iter().map(|v| v * v).sum::<f64>();
        let mut theta = [-1.2, 1.0];
        let mut damping = Damping::new(1e-3, 1e8);
        let mut loss = loss_at(&theta);
        for _ in 0..100 {
            let j = [-20.0 * theta[0], 10.0, -1.0, 0.0];
            let r = residual(&theta);
            let gn = GaussNewton::new(view(2, 2, &j), &r);
            match step(&mut theta, loss, &gn, &mut damping, loss_at) {
                Outcome::Taken { loss: l, .. } => {
                    assert!(l < loss);
                    loss = l;
                }
                Outcome::NoDecrease { .. } => break,
            }
        }
        assert!(
            (theta[0] - 1.0).abs() < 1e-8 && (theta[1] - 1.0).abs() < 1e-8,
            "{theta:?}"
        );
    }

    /// At a minimum no step lowers the loss: the loop ends above the bound with θ
    /// untouched, after finitely many tries.
    #[test]
    fn stops_when_no_damping_lowers_the_loss() {
        let j = [1.0, 0.0, 0.0, 1.0];
        let r = [1e-3, -2e-3];
        let gn = GaussNewton::new(view(2, 2, &j), &r);
        let mut theta = [0.5, 0.5];
        let mut damping = Damping::new(1e-3, 1e8);
        // A loss that never decreases (θ is a minimum of the true loss).
        let out = step(&mut theta, gn.loss(), &gn, &mut damping, |_| f64::NAN);
        match out {
            Outcome::NoDecrease { mu, trials } => {
                assert!(mu > 1e8 && trials < 20, "μ = {mu}, {trials} tries");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(theta, [0.5, 0.5]);
    }

    /// Past one tile (`k > GRAM_TILE`, tiles on and below the diagonal, the last one
    /// partial) the Gram matrix is still `JJᵀ`'s lower triangle, checked against plain
    /// dot products, whether J is stored by rows or by columns.
    #[test]
    fn the_tiled_gram_matrix_is_j_jt() {
        let (rows, cols) = (2 * GRAM_TILE + 37, 2 * GRAM_TILE + 80);
        let data: Vec<f64> = (0..rows * cols)
            .map(|i| ((i * 7919 % 1013) as f64 - 506.0) / 300.0)
            .collect();
        let r = vec![1.0; rows];
        let by_rows = GaussNewton::new(view(rows, cols, &data), &r);
        let by_cols = GaussNewton::new(
            MatRef::from_column_major_slice(&data, cols, rows).transpose(),
            &r,
        );
        assert_eq!(by_rows.form(), Form::RowSpace);
        for i in 0..rows {
            for j in 0..=i {
                let dot: f64 = (0..cols)
                    .map(|k| data[i * cols + k] * data[j * cols + k])
                    .sum();
                for gn in [&by_rows, &by_cols] {
                    let g = gn.gram[(i, j)];
                    assert!(
                        (g - dot).abs() <= 1e-12 * (1.0 + dot.abs()),
                        "({i}, {j}): {g} vs {dot}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_damping_rule_is_nielsens() {
        let mut d = Damping::new(1.0, 1e8);
        d.taken(1.0); // a perfect prediction: μ/3
        assert!((d.mu - 1.0 / 3.0).abs() < 1e-15);
        d.taken(0.5); // 1 − 0 = 1: μ unchanged
        assert!((d.mu - 1.0 / 3.0).abs() < 1e-15);
        d.refused();
        d.refused(); // ×2, then ×4
        assert!((d.mu - 8.0 / 3.0).abs() < 1e-14);
        d.taken(0.0); // a poor step: 1 − (−1)³ = 2, and ν resets to 2
        assert!((d.mu - 16.0 / 3.0).abs() < 1e-14);
        d.refused();
        assert!((d.mu - 32.0 / 3.0).abs() < 1e-13);
        let mut floor = Damping::new(MU_MIN, 1.0);
        floor.taken(1.0);
        assert_eq!(floor.mu, MU_MIN);
    }
}
