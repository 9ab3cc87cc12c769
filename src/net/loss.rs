//! Loss, exact parameter gradient, residual vector and the Jacobian `J` of a network.
//!
//! `L(θ) = Σ_rows ω r² = mean_i r_i² + λ mean_l r_b,l²`, and
//! `∇L = Σ_rows 2 ω r ∇r`, where `∇r` comes from reverse mode over the jets
//! ([`super::forward`], or [`super::two_layer`] for one hidden layer). The FD loss
//! is differentiated the same way: its residual is a weighted sum of network
//! values at the stencil taps, each differentiated exactly.
//!
//! `J = ∂r̃/∂θ` with `r̃ = √ω r` (rows in the order of [`Residuals`]), so `L = ‖r̃‖²`.
//!
//! Rows are independent, so they are split across threads (rayon: natively, and in
//! the page's threaded wasm) in fixed blocks, each with its own gradient accumulator,
//! added in block order; the single-threaded wasm runs the same code on one thread.

use super::residual::{Residuals, Row};
use super::two_layer::{self, Acc};
use super::{forward, Network};
use crate::jet::Precision;
use crate::jet::Real;
use nalgebra::DMatrix;

/// A deeper network's weights in `T`, transposed once per loss, residual or Jacobian
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

/// A probe's tape for any of the orders a residual takes (`p = 0, 2, 4`).
enum Tape<T> {
    P0(forward::Tape<T, 1>),
    P2(forward::Tape<T, 3>),
    P4(forward::Tape<T, 5>),
}

impl<T: Real> Tape<T> {
    /// The probe `γ [u(x + t v)]_p` and its tape.
    fn record(
        net: &Network,
        w: &forward::Weights<T>,
        x: &[f64; 2],
        v: &[f64; 2],
        p: usize,
        gamma: f64,
    ) -> (f64, Self) {
        match p {
            0 => {
                let (value, tape) = forward::probe_forward::<T, 1, 2>(net, w, x, v, gamma);
                (value, Tape::P0(tape))
            }
            2 => {
                let (value, tape) = forward::probe_forward::<T, 3, 4>(net, w, x, v, gamma);
                (value, Tape::P2(tape))
            }
            4 => {
                let (value, tape) = forward::probe_forward::<T, 5, 6>(net, w, x, v, gamma);
                (value, Tape::P4(tape))
            }
            _ => unreachable!("probe order {p}"),
        }
    }

    /// Adds `s · ∂/∂θ` of the probe to `grad`.
    fn backward(
        &self,
        net: &Network,
        w: &forward::Weights<T>,
        s: f64,
        gamma: f64,
        grad: &mut [f64],
    ) {
        match self {
            Tape::P0(t) => t.backward(net, w, s, gamma, grad),
            Tape::P2(t) => t.backward(net, w, s, gamma, grad),
            Tape::P4(t) => t.backward(net, w, s, gamma, grad),
        }
    }
}

/// The residual `r` of `row`; with `seed_of(r) = Some(s)` also adds `s ∇r` to `grad`.
fn row_eval<T: Real>(
    net: &Network,
    row: &Row,
    scratch: &mut Scratch<'_, T>,
    seed_of: impl Fn(f64) -> Option<f64>,
    grad: &mut [f64],
) -> f64 {
    let c = row.coefficient;
    if net.arch.depth() == 1 {
        let op = two_layer::forward(net, row, &mut scratch.buf);
        let r = c * op - row.target;
        if let Some(s) = seed_of(r) {
            two_layer::backward(net, s * c, &scratch.buf, grad);
        }
        r
    } else {
        // Every probe of the row once forward; then, with the residual (and so the
        // seed) known, each tape backward in the same order.
        let w = scratch.weights.expect("a deep network's weights");
        let mut op = 0.0;
        let mut tapes = Vec::new();
        for g in &row.groups {
            for (v, gamma) in &g.dirs {
                let (value, tape) = Tape::<T>::record(net, w, &g.x, v, g.p, *gamma);
                op += value;
                tapes.push((tape, *gamma));
            }
        }
        let r = c * op - row.target;
        if let Some(s) = seed_of(r) {
            for (tape, gamma) in &tapes {
                tape.backward(net, w, s * c, *gamma, grad);
            }
        }
        r
    }
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
    let mut loss = 0.0;
    for row in rows {
        let w = row.weight;
        let r = row_eval(
            net,
            row,
            &mut scratch,
            |r| want_grad.then_some(2.0 * w * r),
            &mut grad,
        );
        loss += w * r * r;
    }
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
        .iter()
        .map(|row| row_eval(net, row, &mut scratch, |_| None, &mut []))
        .collect()
}

/// The residual vector `r` (unscaled), one entry per row.
pub fn residuals(net: &Network, res: &Residuals, precision: Precision) -> Vec<f64> {
    match precision {
        Precision::F64 => residuals_t::<f64>(net, res),
        Precision::F32 => residuals_t::<f32>(net, res),
    }
}

fn jacobian_rows<T: Real>(
    net: &Network,
    weights: Option<&forward::Weights<T>>,
    rows: &[Row],
    out: &mut [f64],
) {
    let p = net.theta.len();
    let mut scratch = Scratch::new(net, weights);
    for (row, dst) in rows.iter().zip(out.chunks_exact_mut(p)) {
        let s = row.weight.sqrt();
        row_eval(net, row, &mut scratch, |_| Some(s), dst);
    }
}

fn jacobian_t<T: Real>(net: &Network, res: &Residuals) -> DMatrix<f64> {
    let p = net.theta.len();
    let mut data = vec![0.0; res.len() * p];
    let weights = deep_weights::<T>(net);
    let chunk = BLOCK_ROWS;
    {
        use rayon::prelude::*;
        res.rows
            .par_chunks(chunk)
            .zip(data.par_chunks_mut(chunk * p))
            .for_each(|(rows, out)| jacobian_rows(net, weights.as_ref(), rows, out));
    }
    DMatrix::from_row_slice(res.len(), p, &data)
}

/// The Jacobian `J = ∂r̃/∂θ` of the scaled residual `r̃ = √ω r` (rows × parameters),
/// so that `L = ‖r̃‖²`, `∇L = 2 Jᵀ r̃` and the training kernel is `G = J Jᵀ`.
pub fn jacobian(net: &Network, res: &Residuals, precision: Precision) -> DMatrix<f64> {
    match precision {
        Precision::F64 => jacobian_t::<f64>(net, res),
        Precision::F32 => jacobian_t::<f32>(net, res),
    }
}
