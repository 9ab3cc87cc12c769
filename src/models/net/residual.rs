//! The residual rows of a network loss, and how each is probed.
//!
//! Every residual is `r = c · (op u)(x) − g`, where `op u(x)` is written as a sum of
//! *probes*: `op u(x) = Σ γ · [u(x' + t v)]_p`, the `p`-th Taylor coefficient of
//! the network along direction `v` from base point `x'`, weighted by `γ`.
//!
//! * AD: `x' = x`, and the directions `v` and weights `w` of
//!   [`ad_recipe`] with `γ = p!·w` (the 2-D `Δ²u`
//!   polarizes its mixed term).
//! * FD: one probe per stencil tap, `x' = x + h s`, `p = 0`, `γ = w_s / hᵖ`
//!   (the taps of [`Stencil`]).
//!
//! Probes with the same base point form a [`Group`], so a two-layer network
//! evaluates `σ` once per (group, neuron).
//!
//! The loss is `L = mean_i r_i² + λ mean_l r_b,l² = Σ_rows ω r²` with `ω = 1/n` for
//! interior rows and `ω = λ / n_b` for the `n_b` boundary rows (boundary points ×
//! boundary operators). The scaled residual is `r̃ = √ω r`, so `L = ‖r̃‖²`.

use crate::numeric::jet::factorial;
use crate::pde::operator::{ad_recipe, DiffMode, DiffOp, Stencil};
use crate::pde::problem::{PointSet, Points, Problem};

/// Probes sharing one base point `x'`: directions `v` with weights `γ`, all of order `p`.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Base point `x'` (unused coordinates are 0).
    pub x: [f64; 2],
    /// Taylor order `p` (0, 2 or 4).
    pub p: usize,
    /// `(v, γ)` pairs.
    pub dirs: Vec<([f64; 2], f64)>,
    /// `Some(c)` when the probes collapse: `Σ_dirs γ (w·v)ᵖ = c ‖w‖ᵖ` for every `w`
    /// (AD's `u`, `Δu` and `Δ²u`, with `c = p!`: `Δ^{p/2} σ(w·x + b) = σ⁽ᵖ⁾(z) ‖w‖ᵖ`).
    /// A layer whose input is `x` itself can then propagate the one sum instead of a jet
    /// per direction (collapsed Taylor mode; Dangel, Siebert, Zeinhofer & Walther,
    /// NeurIPS 2025). `None` for FD's taps.
    pub radial: Option<f64>,
}

/// `Some(c)` if `Σ γ (w·v)ᵖ = c ‖w‖ᵖ` holds for the `(v, γ)` of `dirs`: `c` read at
/// `w = e₁`, the identity checked at three more unit `w` to round-off (it is a
/// polynomial identity of degree `p` in two variables, so a few points show it).
fn radial(p: usize, dirs: &[([f64; 2], f64)]) -> Option<f64> {
    let sum = |w: [f64; 2]| -> f64 {
        dirs.iter()
            .map(|(v, g)| g * (w[0] * v[0] + w[1] * v[1]).powi(p as i32))
            .sum()
    };
    let c = sum([1.0, 0.0]);
    let probes = [[0.0, 1.0], [0.6, 0.8], [0.8, -0.6], [-0.28, 0.96]];
    probes
        .iter()
        .all(|&w| (sum(w) - c).abs() <= 1e-12 * c.abs().max(1.0))
        .then_some(c)
}

/// One residual `r = c · Σ_groups Σ_dirs γ [u(x' + t v)]_p − g`, with loss weight `ω`.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Probe groups whose weighted sum is `op u(x)`.
    pub groups: Vec<Group>,
    /// Coefficient `c` (−1 for `−Δ`, else 1).
    pub coefficient: f64,
    /// Target `g` (`f` inside, `g` or `g₂` on the boundary).
    pub target: f64,
    /// Loss weight `ω` (`1/n` inside, `λ/n_b` on the boundary).
    pub weight: f64,
}

/// All residual rows of one differentiation mode: interior rows first, then one
/// block per boundary operator.
#[derive(Clone, Debug, PartialEq)]
pub struct Residuals {
    /// The rows.
    pub rows: Vec<Row>,
}

fn pad(x: &[f64]) -> [f64; 2] {
    let mut p = [0.0; 2];
    p[..x.len()].copy_from_slice(x);
    p
}

/// The probe groups of `op u(x)` under `mode` in `dim` dimensions.
pub fn groups(op: DiffOp, mode: DiffMode, x: &[f64]) -> Vec<Group> {
    let dim = x.len();
    let base = pad(x);
    match mode {
        DiffMode::Ad => {
            // γ = p!·w turns the p-th Taylor coefficient into w·D_vᵖ u.
            let (p, recipe) = ad_recipe(op, dim);
            let dirs: Vec<_> = recipe
                .into_iter()
                .map(|(v, w)| (v, factorial(p) * w))
                .collect();
            // In 1-D only v = ±e₁ occurs, and the check's w = e₂ etc. do not apply.
            let radial = if dim == 1 {
                Some(dirs.iter().map(|(v, g)| g * v[0].powi(p as i32)).sum())
            } else {
                radial(p, &dirs)
            };
            vec![Group {
                x: base,
                p,
                dirs,
                radial,
            }]
        }
        DiffMode::Fd { h, order } => {
            let st = Stencil::new(op, dim, order);
            let hp = h.powi(st.p as i32);
            st.taps
                .iter()
                .map(|(off, w)| {
                    let mut xs = base;
                    for k in 0..dim {
                        xs[k] = x[k] + h * off[k] as f64;
                    }
                    Group {
                        x: xs,
                        p: 0,
                        dirs: vec![([0.0; 2], w / hp)],
                        radial: None,
                    }
                })
                .collect()
        }
    }
}

impl Residuals {
    /// The rows of `problem` on `points` under `mode`, with boundary weight `λ`.
    pub fn new(problem: &Problem, points: &Points, mode: DiffMode, lambda: f64) -> Self {
        let interior = problem.interior();
        let n = points.interior.len();
        let nb = points.boundary.len() * problem.boundary().len();
        let mut rows = Vec::with_capacity(n + nb);
        for x in points.interior.iter() {
            rows.push(Row {
                groups: groups(interior.op, mode, x),
                coefficient: interior.coefficient,
                target: problem.source(x),
                weight: 1.0 / n as f64,
            });
        }
        for &op in problem.boundary() {
            for y in points.boundary.iter() {
                rows.push(Row {
                    groups: groups(op, mode, y),
                    coefficient: 1.0,
                    target: problem.exact_op(op, y),
                    weight: lambda / nb as f64,
                });
            }
        }
        Residuals { rows }
    }

    /// The true PDE residual rows on test points: `L u − f` by AD, weight `1/n_test`,
    /// so that the loss of these rows is `mean (L u − f)²`.
    pub fn exact_interior(problem: &Problem, test: &PointSet) -> Self {
        let interior = problem.interior();
        let n = test.len();
        let rows = test
            .iter()
            .map(|x| Row {
                groups: groups(interior.op, DiffMode::Ad, x),
                coefficient: interior.coefficient,
                target: problem.source(x),
                weight: 1.0 / n as f64,
            })
            .collect();
        Residuals { rows }
    }

    /// Number of rows (`n + n_b`).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
