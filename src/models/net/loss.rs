//! Loss, exact parameter gradient, residual vector and the Jacobian `J` of a network.
//!
//! `L(θ) = Σ_rows ω r² = mean_i r_i² + λ mean_l r_b,l²`, and
//! `∇L = Σ_rows 2 ω r ∇r`, where `∇r` comes from reverse mode over the jets
//! ([`super::forward`], or [`super::two_layer`] for one hidden layer). The FD loss
//! is differentiated the same way: its residual is a weighted sum of network
//! values at the stencil taps, each differentiated exactly.
//!
//! `J = ∂r̃/∂θ` with `r̃ = √ω r` (rows in the order of [`Residuals`]), so `L = ‖r̃‖²`;
//! [`linearization`] gives `J` and `r̃` together, for a Gauss–Newton step.
//!
//! Rows are independent, so they are split across threads (rayon: natively, and in
//! the page's threaded wasm) in fixed blocks, each with its own gradient accumulator,
//! added in block order; the single-threaded wasm runs the same code on one thread.
//! A deeper network runs each block's probes as batches, one per order
//! ([`forward::Batch`]), for a Jacobian too: only `W̄`, which each row of `J` needs for
//! itself, is a product per row.

use super::collapsed;
use super::forward::{self, Probe};
use super::residual::{Residuals, Row};
use super::two_layer::{self, Acc};
use super::Network;
use crate::numeric::jet::Precision;
use crate::numeric::jet::Real;
use nalgebra::DMatrix;

/// A deeper network's weights in `T`, converted once per loss, residual or Jacobian
/// call and lent to every block ([`Scratch`]); `None` for one hidden layer.
fn deep_weights<T: Real>(net: &Network) -> Option<forward::Weights<T>> {
    (net.arch.depth() > 1).then(|| forward::Weights::new(net))
}

/// Per-thread scratch space: the two-layer buffer in `T`, or a deeper network's
/// weights (from [`deep_weights`]).
struct Scratch<'w, T> {
    buf: Vec<Acc<T>>,
    weights: Option<&'w forward::Weights<T>>,
}

impl<'w, T: Real> Scratch<'w, T> {
    fn new(net: &Network, weights: Option<&'w forward::Weights<T>>) -> Self {
        let m = if weights.is_some() {
            0
        } else {
            net.arch.widths[0]
        };
        Scratch {
            buf: vec![Acc::default(); m],
            weights,
        }
    }
}

/// A batch of probes ([`forward::Batch`]) for any of the orders a residual takes
/// (`p = 0, 2, 4`).
enum Batch<T> {
    P0(forward::Batch<T, 1>),
    P2(forward::Batch<T, 3>),
    P4(forward::Batch<T, 5>),
}

impl<T: Real> Batch<T> {
    /// Runs `probes` of order `p` forward: the batch and each probe's value.
    fn forward(
        net: &Network,
        w: &forward::Weights<T>,
        p: usize,
        probes: &[Probe],
    ) -> (Self, Vec<f64>) {
        match p {
            0 => {
                let (b, values) = forward::Batch::forward::<2>(net, w, probes);
                (Batch::P0(b), values)
            }
            2 => {
                let (b, values) = forward::Batch::forward::<4>(net, w, probes);
                (Batch::P2(b), values)
            }
            4 => {
                let (b, values) = forward::Batch::forward::<6>(net, w, probes);
                (Batch::P4(b), values)
            }
            _ => unreachable!("probe order {p}"),
        }
    }

    /// Adds `s_q ∂/∂θ` of each probe's value to the gradient number `sinks[q]` in `grads`.
    fn backward(
        &self,
        net: &Network,
        w: &forward::Weights<T>,
        probes: &[Probe],
        seeds: &[f64],
        sinks: &[usize],
        grads: &mut [f64],
    ) {
        match self {
            Batch::P0(b) => b.backward(net, w, probes, seeds, sinks, grads),
            Batch::P2(b) => b.backward(net, w, probes, seeds, sinks, grads),
            Batch::P4(b) => b.backward(net, w, probes, seeds, sinks, grads),
        }
    }
}

/// Where [`rows_eval`] adds the rows' gradients.
#[derive(Clone, Copy, PartialEq)]
enum Sum {
    /// All into one vector (a loss's gradient).
    All,
    /// Each row into its own, `P` entries each, one after another (rows of `J`).
    PerRow,
}

/// The residuals `r_i` of `rows`; with `seed_of(i, r_i) = Some(s_i)` also adds
/// `s_i ∇r_i` to `grads` as `sum` says. One hidden layer goes row by row through
/// [`two_layer`]; a deeper network runs every probe of the rows of one order forward
/// as one batch, then, with the residuals (and so the seeds) known, backward as one.
fn rows_eval<T: Real>(
    net: &Network,
    rows: &[Row],
    scratch: &mut Scratch<'_, T>,
    seed_of: impl Fn(usize, f64) -> Option<f64>,
    sum: Sum,
    grads: &mut [f64],
) -> Vec<f64> {
    let params = net.theta.len();
    let sink = |i: usize| if sum == Sum::PerRow { i } else { 0 };
    let Some(w) = scratch.weights else {
        return rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let c = row.coefficient;
                let op = two_layer::forward(net, row, &mut scratch.buf);
                let r = c * op - row.target;
                if let Some(s) = seed_of(i, r) {
                    let grad = &mut grads[sink(i) * params..(sink(i) + 1) * params];
                    two_layer::backward(net, s * c, &scratch.buf, grad);
                }
                r
            })
            .collect();
    };
    let mut op = vec![0.0; rows.len()];
    let mut batches = Vec::new();
    // Collapsed Taylor mode ([`collapsed`]) for the groups it covers.
    let (mut c_owner, mut c_probes) = (Vec::new(), Vec::new());
    for (i, row) in rows.iter().enumerate() {
        for g in row.groups.iter().filter(|g| collapsible(net, g)) {
            c_owner.push(i);
            c_probes.push(collapsed::Probe {
                x: g.x,
                v: [g.dirs[0].0, g.dirs[1].0],
                gamma: g.dirs[0].1,
            });
        }
    }
    let c_batch = (!c_probes.is_empty()).then(|| {
        let (batch, values) = collapsed::Batch::<T>::forward(net, w, &c_probes);
        for (&i, value) in c_owner.iter().zip(values) {
            op[i] += value;
        }
        batch
    });
    for p in [0, 2, 4] {
        let (mut owner, mut probes) = (Vec::new(), Vec::new());
        for (i, row) in rows.iter().enumerate() {
            for g in row
                .groups
                .iter()
                .filter(|g| g.p == p && !collapsible(net, g))
            {
                for &(v, gamma) in &g.dirs {
                    owner.push(i);
                    probes.push(Probe { x: g.x, v, gamma });
                }
            }
        }
        if probes.is_empty() {
            continue;
        }
        let (batch, values) = Batch::<T>::forward(net, w, p, &probes);
        for (&i, value) in owner.iter().zip(values) {
            op[i] += value;
        }
        batches.push((batch, owner, probes));
    }
    let r: Vec<f64> = rows
        .iter()
        .zip(&op)
        .map(|(row, op)| row.coefficient * op - row.target)
        .collect();
    let seeds: Vec<Option<f64>> = r.iter().enumerate().map(|(i, &r)| seed_of(i, r)).collect();
    if seeds.iter().any(Option::is_some) {
        for (batch, owner, probes) in &batches {
            let s: Vec<f64> = owner
                .iter()
                .map(|&i| seeds[i].map_or(0.0, |s| s * rows[i].coefficient))
                .collect();
            let sinks: Vec<usize> = owner.iter().map(|&i| sink(i)).collect();
            batch.backward(net, w, probes, &s, &sinks, grads);
        }
        if let Some(batch) = &c_batch {
            let s: Vec<f64> = c_owner
                .iter()
                .map(|&i| seeds[i].map_or(0.0, |s| s * rows[i].coefficient))
                .collect();
            let sinks: Vec<usize> = c_owner.iter().map(|&i| sink(i)).collect();
            batch.backward(net, w, &c_probes, &s, &sinks, grads);
        }
    }
    r
}

/// Whether a deeper network evaluates `g` in collapsed Taylor mode ([`collapsed`]): a
/// radial group ([`super::residual::Group::radial`]) of order 2 with
/// [`collapsed::K`] directions of one weight in 2-D (AD's `Δu`). The 2-D `Δ²u`'s
/// directions have two weights (its polarization), and 1-D has one direction, where
/// collapsing saves nothing.
fn collapsible(net: &Network, g: &super::residual::Group) -> bool {
    net.arch.dim == 2
        && g.p == 2
        && g.radial.is_some()
        && g.dirs.len() == collapsed::K
        && g.dirs.iter().all(|d| d.1 == g.dirs[0].1)
}

/// `(L, ∇L)` over a block of rows, in precision `T`.
fn block<T: Real>(
    net: &Network,
    weights: Option<&forward::Weights<T>>,
    rows: &[Row],
    want_grad: bool,
) -> (f64, Vec<f64>) {
    let mut scratch = Scratch::new(net, weights);
    let mut grad = vec![0.0; if want_grad { net.theta.len() } else { 0 }];
    let r = rows_eval(
        net,
        rows,
        &mut scratch,
        |i, r| want_grad.then_some(2.0 * rows[i].weight * r),
        Sum::All,
        &mut grad,
    );
    let loss = rows.iter().zip(&r).map(|(row, r)| row.weight * r * r).sum();
    (loss, grad)
}

/// Rows per block of work. Fixed, so that the blocks, and the order their partial
/// sums are added in, do not depend on the number of threads: the loss and gradient
/// are the same bits on any thread count (tests/threads.rs).
const BLOCK_ROWS: usize = 16;

fn loss_grad_t<T: Real>(net: &Network, res: &Residuals, grad: Option<&mut [f64]>) -> f64 {
    let want = grad.is_some();
    let weights = deep_weights::<T>(net);
    let parts: Vec<(f64, Vec<f64>)> = {
        use rayon::prelude::*;
        res.rows
            .par_chunks(BLOCK_ROWS)
            .map(|rows| block(net, weights.as_ref(), rows, want))
            .collect()
    };
    let mut loss = 0.0;
    if let Some(g) = grad {
        g.fill(0.0);
        for (l, pg) in &parts {
            loss += l;
            for (gi, pi) in g.iter_mut().zip(pg) {
                *gi += pi;
            }
        }
    } else {
        loss = parts.iter().map(|p| p.0).sum();
    }
    loss
}

/// The loss `L = Σ_rows ω r²`; if `grad` is given it is overwritten with `∇L`
/// (`= Σ_rows 2 ω r ∇r`, exact by reverse mode). Model evaluated in `precision`.
pub fn loss_and_gradient(
    net: &Network,
    res: &Residuals,
    precision: Precision,
    grad: Option<&mut [f64]>,
) -> f64 {
    match precision {
        Precision::F64 => loss_grad_t::<f64>(net, res, grad),
        Precision::F32 => loss_grad_t::<f32>(net, res, grad),
    }
}

fn residuals_t<T: Real>(net: &Network, res: &Residuals) -> Vec<f64> {
    let weights = deep_weights::<T>(net);
    let mut scratch = Scratch::new(net, weights.as_ref());
    res.rows
        .chunks(BLOCK_ROWS)
        .flat_map(|rows| rows_eval(net, rows, &mut scratch, |_, _| None, Sum::All, &mut []))
        .collect()
}

/// The residual vector `r` (unscaled), one entry per row.
pub fn residuals(net: &Network, res: &Residuals, precision: Precision) -> Vec<f64> {
    match precision {
        Precision::F64 => residuals_t::<f64>(net, res),
        Precision::F32 => residuals_t::<f32>(net, res),
    }
}

/// Rows of `J` for a block of residual rows: row `i` of `out` (`P` entries) is
/// `√ω_i ∇r_i`; returns the block's scaled residuals `r̃_i = √ω_i r_i`.
fn jacobian_rows<T: Real>(
    net: &Network,
    weights: Option<&forward::Weights<T>>,
    rows: &[Row],
    out: &mut [f64],
) -> Vec<f64> {
    let mut scratch = Scratch::new(net, weights);
    let seed_of = |i: usize, _| Some(rows[i].weight.sqrt());
    let r = rows_eval(net, rows, &mut scratch, seed_of, Sum::PerRow, out);
    r.iter()
        .zip(rows)
        .map(|(r, row)| row.weight.sqrt() * r)
        .collect()
}

fn linearization_rows_t<T: Real>(net: &Network, res: &Residuals, data: &mut Vec<f64>) -> Vec<f64> {
    let p = net.theta.len();
    data.clear();
    data.resize(res.len() * p, 0.0);
    let weights = deep_weights::<T>(net);
    let chunk = BLOCK_ROWS;
    let r: Vec<Vec<f64>> = {
        use rayon::prelude::*;
        res.rows
            .par_chunks(chunk)
            .zip(data.par_chunks_mut(chunk * p))
            .map(|(rows, out)| jacobian_rows(net, weights.as_ref(), rows, out))
            .collect()
    };
    r.concat()
}

/// [`linearization`] with `J` row-major in `data` (resized to `rows × P`; row `i` is
/// `√ω_i ∇r_i`), returning `r̃`: no copy into a column-major matrix, and the buffer can
/// be reused from step to step.
pub fn linearization_rows(
    net: &Network,
    res: &Residuals,
    precision: Precision,
    data: &mut Vec<f64>,
) -> Vec<f64> {
    match precision {
        Precision::F64 => linearization_rows_t::<f64>(net, res, data),
        Precision::F32 => linearization_rows_t::<f32>(net, res, data),
    }
}

/// The Jacobian `J = ∂r̃/∂θ` and the scaled residual `r̃ = √ω r` at `θ`, from one
/// pass over the rows: what a Gauss–Newton step needs (`L = ‖r̃‖²`).
pub fn linearization(
    net: &Network,
    res: &Residuals,
    precision: Precision,
) -> (DMatrix<f64>, Vec<f64>) {
    let mut data = Vec::new();
    let r = linearization_rows(net, res, precision, &mut data);
    (
        DMatrix::from_row_slice(res.len(), net.theta.len(), &data),
        r,
    )
}

/// The Jacobian `J = ∂r̃/∂θ` of the scaled residual `r̃ = √ω r` (rows × parameters),
/// so that `L = ‖r̃‖²`, `∇L = 2 Jᵀ r̃` and the training kernel is `G = J Jᵀ`.
pub fn jacobian(net: &Network, res: &Residuals, precision: Precision) -> DMatrix<f64> {
    linearization(net, res, precision).0
}
