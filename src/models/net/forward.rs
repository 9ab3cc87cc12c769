//! Forward and reverse mode over jets for an MLP of any depth, a batch of probes at a
//! time, each layer's linear part one matrix product over the whole batch.
//!
//! **Forward.** A probe evaluates the network on the jet `x(t) = x' + t v` with
//! `N = p + 1` coefficients. For each neuron the pre-activation `z(t)` is a jet
//! (linear layers act coefficient-wise). The activation is applied through its
//! derivative table at the expansion point, `S_k = σ⁽ᵏ⁾(z₀)/k!` for `k < M = N + 1`:
//! Taylor mode on `S = σ(Jet::variable(z₀, 1))` (the activation's one definition over
//! [`Number`], no formula per activation), or in f64 the activation's vectorized slice
//! kernels ([`Activation::taylor_tables`]). Then with `δ(t) = z(t) − z₀` (no constant
//! term),
//!
//! ```text
//! σ(z(t))  = Σ_{k<N} S_k δᵏ                 (Taylor composition, Horner in δ)
//! σ'(z(t)) = Σ_{k<N} (k+1) S_{k+1} δᵏ
//! ```
//!
//! **Reverse.** For `y = σ(z)` on jets, `∂y_k/∂z_j = [σ'(z)]_{k−j}` (`k ≥ j`), so
//! the vector-Jacobian product is `z̄_j = Σ_{k≥j} ȳ_k [σ'(z)]_{k−j}`. Linear layers
//! act coefficient-wise, so their reverse is the transposed product per
//! coefficient: `W̄_{ji} += s Σ_k z̄_{j,k} h_{i,k}`, `b̄_j += z̄_{j,0}`,
//! `h̄_i += s Σ_j W_{ji} z̄_j`. Nothing here is specific to an architecture or an
//! activation: this is reverse mode composed over the jet primitives.
//!
//! **Batches.** A [`Batch`] stacks the jets of `P` probes of one order as the rows of a
//! matrix (row `q·N + k`: coefficient `k` of probe `q`; one column per neuron), so a
//! layer's pre-activations are `Z = s_l H Wᵀ + b` and its reverse `W̄ = s_l Z̄ᵀ H`,
//! `H̄ = s_l Z̄ W`: three matrix products (faer's, on the calling thread) per layer for
//! the whole batch, instead of a vector-matrix product per probe.

use super::{LayerSlots, Network};
use crate::numeric::activation::Activation;
use crate::numeric::jet::{Jet, Number, Real};
use crate::pde::operator::Field;
use faer::{Accum, MatMut, MatRef, Par};

/// The derivative table `S_k = σ⁽ᵏ⁾(z₀)/k!`, `k < M`, by Taylor mode on `z₀ + t`.
#[inline(always)]
pub fn derivative_table<T: Real, const M: usize>(act: Activation, z0: T) -> [T; M] {
    act.eval(Jet::<T, M>::variable(z0, T::one())).c
}

/// `Σ_{k<N} coef_k δᵏ` for a jet `δ` with `δ₀ = 0`, by Horner's rule.
#[inline(always)]
pub fn compose<T: Real, const N: usize>(coef: &[T], delta: Jet<T, N>) -> Jet<T, N> {
    let mut acc = Jet::<T, N>::constant(coef[N - 1]);
    for k in (0..N - 1).rev() {
        acc = (acc * delta).shift(coef[k]);
    }
    acc
}

/// The network as a [`Field`]: `u(x)` written over any [`Number`], so the jet
/// library's own `σ` on jets (through [`crate::pde::operator::apply_ad`]) gives a second,
/// independent route to its `x`-derivatives.
impl Field for Network {
    fn eval<X: Number>(&self, x: &[X]) -> X {
        let th = &self.theta;
        let mut h: Vec<X> = x.to_vec();
        for sl in self.arch.layers() {
            let sc = X::Real::of(sl.scale);
            h = (0..sl.width)
                .map(|j| {
                    let row = &th[sl.w + j * sl.fan_in..sl.w + (j + 1) * sl.fan_in];
                    let mut z = X::constant(X::Real::of(0.0));
                    for (hi, wi) in h.iter().zip(row) {
                        z = z + hi.scale(X::Real::of(*wi));
                    }
                    self.arch
                        .activation
                        .eval(z.scale(sc).shift(X::Real::of(th[sl.b + j])))
                })
                .collect();
        }
        let a = &th[self.arch.a_offset()..];
        let mut u = X::constant(X::Real::of(0.0));
        for (hj, aj) in h.iter().zip(a) {
            u = u + hj.scale(X::Real::of(*aj));
        }
        u.scale(X::Real::of(self.arch.output_scale()))
    }
}

/// `u(x)` in f64.
pub fn value(net: &Network, x: &[f64]) -> f64 {
    net.eval::<f64>(x)
}

/// Points per block of [`values`]: fixed, so the values are the same bits on any
/// thread count.
const VALUE_BLOCK: usize = 128;

/// `u(x_i)` at every point of `points` in f64, a layer at a time over a block of
/// `VALUE_BLOCK` points (the blocks in parallel, rayon): `Z¹ = X W¹ᵀ + b¹`,
/// `Zˡ = Hˡ⁻¹ Wˡᵀ / √m_{l−1} + bˡ`, `Hˡ = σ(Zˡ)` (faer's matrix products, the
/// activation's slice kernel), `u = H^L a / √m_L`. The values of [`value`] to
/// round-off (another order of summation), at a fraction of its cost: what the
/// solution's error on the test points is measured with.
pub fn values(net: &Network, points: &crate::pde::problem::PointSet) -> Vec<f64> {
    use rayon::prelude::*;
    let d = points.dim;
    let blocks: Vec<Vec<f64>> = points
        .coords
        .par_chunks(VALUE_BLOCK * d)
        .map(|x| block_values(net, x, d))
        .collect();
    blocks.concat()
}

fn block_values(net: &Network, x: &[f64], d: usize) -> Vec<f64> {
    let rows = x.len() / d;
    let th = &net.theta;
    let mut h = x.to_vec();
    for sl in net.arch.layers() {
        let mut z = vec![0.0; rows * sl.width];
        let (w, b) = (&th[sl.w..sl.b], &th[sl.b..sl.b + sl.width]);
        if sl.fan_in <= 2 {
            // The first layer of a 1-D or 2-D network: one or two products per entry.
            for (zr, hr) in z.chunks_exact_mut(sl.width).zip(h.chunks_exact(sl.fan_in)) {
                for (j, zj) in zr.iter_mut().enumerate() {
                    let mut acc = 0.0;
                    for (wi, hi) in w[j * sl.fan_in..(j + 1) * sl.fan_in].iter().zip(hr) {
                        acc += wi * hi;
                    }
                    *zj = sl.scale * acc + b[j];
                }
            }
        } else {
            faer::linalg::matmul::matmul(
                MatMut::from_row_major_slice_mut(&mut z, rows, sl.width),
                Accum::Replace,
                MatRef::from_row_major_slice(&h, rows, sl.fan_in),
                MatRef::from_row_major_slice(w, sl.width, sl.fan_in).transpose(),
                sl.scale,
                Par::Seq,
            );
            for zr in z.chunks_exact_mut(sl.width) {
                for (zj, bj) in zr.iter_mut().zip(b) {
                    *zj += bj;
                }
            }
        }
        h = vec![0.0; z.len()];
        net.arch.activation.taylor_slice(0, &z, &mut h, None);
    }
    let a = &th[net.arch.a_offset()..];
    let os = net.arch.output_scale();
    h.chunks_exact(a.len())
        .map(|hr| hr.iter().zip(a).map(|(h, a)| h * a).sum::<f64>() * os)
        .collect()
}

/// Taylor coefficients `[u(x + t v)]_k`, `k < N`, by the forward pass of a probe
/// (`M` must be `N + 1`).
pub fn directional_jet<const N: usize, const M: usize>(
    net: &Network,
    x: &[f64],
    v: &[f64],
) -> [f64; N] {
    let probe = Probe::new(x, v, 1.0);
    let (batch, _) = Batch::<f64, N>::forward::<M>(net, &Weights::new(net), &[probe]);
    let top = batch.hs.last().unwrap();
    let width = top.len() / N;
    let a = &net.theta[net.arch.a_offset()..];
    let os = net.arch.output_scale();
    let mut out = [0.0; N];
    for (j, aj) in a.iter().enumerate() {
        for k in 0..N {
            out[k] += aj * top[k * width + j] * os;
        }
    }
    out
}

/// A network's weights in precision `T`, converted once and lent to every batch of
/// probes: each `Wˡ` row-major (`width × fan_in`, as in `θ`) and transposed
/// (`fan_in × width`), so that every matrix product of a batch reads its right-hand
/// factor row by row.
pub struct Weights<T> {
    pub(super) layers: Vec<LayerSlots>,
    pub(super) w: Vec<Vec<T>>,
    pub(super) wt: Vec<Vec<T>>,
}

impl<T: Real> Weights<T> {
    /// Converts every `Wˡ` of `net` to `T`, and transposes it.
    pub fn new(net: &Network) -> Self {
        let layers = net.arch.layers();
        let w: Vec<Vec<T>> = layers
            .iter()
            .map(|sl| {
                let block = &net.theta[sl.w..sl.w + sl.width * sl.fan_in];
                block.iter().map(|&v| T::of(v)).collect()
            })
            .collect();
        let wt = layers
            .iter()
            .zip(&w)
            .map(|(sl, w)| {
                let mut t = vec![T::zero(); w.len()];
                for (j, row) in w.chunks_exact(sl.fan_in).enumerate() {
                    for (i, wji) in row.iter().enumerate() {
                        t[i * sl.width + j] = *wji;
                    }
                }
                t
            })
            .collect();
        Weights { layers, w, wt }
    }
}

/// One probe: the jet `x' + t v` of the input, and the weight `γ` of its value
/// `γ [u(x' + t v)]_p` (its order `p` is the batch's).
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    /// Base point `x'` (unused coordinates 0).
    pub x: [f64; 2],
    /// Direction `v` (unused coordinates 0).
    pub v: [f64; 2],
    /// Weight `γ`.
    pub gamma: f64,
}

impl Probe {
    /// The probe `γ [u(x + t v)]_p` in dimension `x.len() = v.len() ≤ 2`.
    pub fn new(x: &[f64], v: &[f64], gamma: f64) -> Self {
        let (mut xs, mut vs) = ([0.0; 2], [0.0; 2]);
        xs[..x.len()].copy_from_slice(x);
        vs[..v.len()].copy_from_slice(v);
        Probe {
            x: xs,
            v: vs,
            gamma,
        }
    }
}

/// `dst = α · op(a) · b` for row-major `dst` (`m × n`) and `b` (`k × n`), with
/// `op(a) = a` (`m × k`, row-major) or `aᵀ` (`a` row-major `k × m`) when `transpose_a`.
/// In f64 by faer's matrix product; in f32 by a loop over rows of `b` (faer's f32
/// kernels would add 120 KB to the page's wasm for a rarely used precision). Either way
/// on the calling thread, so the result does not depend on the thread count.
pub(super) fn matmul<T: Real>(
    dst: &mut [T],
    a: &[T],
    transpose_a: bool,
    b: &[T],
    (m, k, n): (usize, usize, usize),
    alpha: T,
) {
    if T::IS_F64 {
        let a = if transpose_a {
            MatRef::from_row_major_slice(a, k, m).transpose()
        } else {
            MatRef::from_row_major_slice(a, m, k)
        };
        let (dst, b) = (
            MatMut::from_row_major_slice_mut(dst, m, n),
            MatRef::from_row_major_slice(b, k, n),
        );
        faer::linalg::matmul::matmul(dst, Accum::Replace, a, b, alpha, Par::Seq);
        return;
    }
    dst.fill(T::zero());
    for (i, row) in dst.chunks_exact_mut(n).enumerate() {
        for (l, bl) in b.chunks_exact(n).enumerate() {
            let ail = alpha
                * if transpose_a {
                    a[l * m + i]
                } else {
                    a[i * k + l]
                };
            for (d, bj) in row.iter_mut().zip(bl) {
                *d += ail * *bj;
            }
        }
    }
}

/// The derivative tables `S_k(z₀)`, `k < M`, of every probe's and neuron's expansion
/// point: `tables[k][q·width + j]` from `z₀ = z[q·n·width + j]` (the coefficient-0 rows
/// of a layer). In f64 by the activation's slice kernels
/// ([`Activation::taylor_tables`]); in f32 by Taylor mode per element, keeping f32's
/// own round-off (as [`super::two_layer`] does).
pub(super) fn derivative_tables<T: Real, const M: usize>(
    act: Activation,
    z: &[T],
    n: usize,
    width: usize,
) -> Vec<Vec<T>> {
    let z0 = z.chunks_exact(width).step_by(n).flatten();
    let len = z.len() / n;
    if T::IS_F64 {
        let z0: Vec<f64> = z0.map(|v| v.to64()).collect();
        let mut tables = vec![vec![0.0; len]; M];
        act.taylor_tables(&z0, &mut tables);
        tables
            .into_iter()
            .map(|t| t.into_iter().map(T::of).collect())
            .collect()
    } else {
        let mut tables = vec![vec![T::zero(); len]; M];
        for (i, v) in z0.enumerate() {
            let s: [T; M] = derivative_table(act, *v);
            for (table, sk) in tables.iter_mut().zip(s) {
                table[i] = sk;
            }
        }
        tables
    }
}

/// The forward pass of a batch of `P` probes of one order `p = N − 1`, kept for the
/// reverse pass. Each layer is a matrix with one row per (probe `q`, coefficient `k`),
/// at row `q·N + k`, and one column per neuron (row-major), so that a layer's
/// pre-activations for every probe are one matrix product, `Z = H Wᵀ`.
pub struct Batch<T, const N: usize> {
    /// The inputs of every layer, `h⁰ … h^L` (`h⁰ = x + t v`).
    hs: Vec<Vec<T>>,
    /// `σ'(zˡ)` per layer.
    ds: Vec<Vec<T>>,
}

impl<T: Real, const N: usize> Batch<T, N> {
    /// Runs `probes` forward (`M` must be `N + 1`) and returns the batch with each probe's
    /// value `γ [u(x' + t v)]_p`.
    pub fn forward<const M: usize>(
        net: &Network,
        weights: &Weights<T>,
        probes: &[Probe],
    ) -> (Self, Vec<f64>) {
        debug_assert_eq!(M, N + 1);
        let (d, rows) = (net.arch.dim, probes.len() * N);
        let th = &net.theta;
        let act = net.arch.activation;
        // h⁰ = x + t v.
        let mut h0 = vec![T::zero(); rows * d];
        for (q, pr) in probes.iter().enumerate() {
            for i in 0..d {
                h0[q * N * d + i] = T::of(pr.x[i]);
                if N > 1 {
                    h0[(q * N + 1) * d + i] = T::of(pr.v[i]);
                }
            }
        }
        let mut hs = vec![h0];
        let mut ds = Vec::with_capacity(weights.layers.len());
        for (sl, wt) in weights.layers.iter().zip(&weights.wt) {
            let (fan_in, width) = (sl.fan_in, sl.width);
            let mut z = vec![T::zero(); rows * width];
            let h = hs.last().unwrap();
            matmul(&mut z, h, false, wt, (rows, fan_in, width), T::one());
            // zˡ = s_l (H Wᵀ) + bˡ.
            let sc = T::of(sl.scale);
            for (r, zr) in z.chunks_exact_mut(width).enumerate() {
                for zj in zr.iter_mut() {
                    *zj *= sc;
                }
                if r % N == 0 {
                    for (zj, bj) in zr.iter_mut().zip(&th[sl.b..sl.b + width]) {
                        *zj += T::of(*bj);
                    }
                }
            }
            let tables = derivative_tables::<T, M>(act, &z, N, width);
            let mut hout = vec![T::zero(); rows * width];
            let mut dout = vec![T::zero(); rows * width];
            for q in 0..probes.len() {
                let base = q * N * width;
                for j in 0..width {
                    // δ(t) = z(t) − z₀, then σ(z) and σ'(z) by Taylor composition.
                    let mut delta = Jet::<T, N>::constant(T::zero());
                    for k in 1..N {
                        delta.c[k] = z[base + k * width + j];
                    }
                    let mut s = [T::zero(); M];
                    for (sk, table) in s.iter_mut().zip(&tables) {
                        *sk = table[q * width + j];
                    }
                    let mut sd = [T::zero(); N];
                    for k in 0..N {
                        sd[k] = T::of((k + 1) as f64) * s[k + 1];
                    }
                    let (hj, dj) = (compose(&s[..N], delta), compose(&sd, delta));
                    for k in 0..N {
                        hout[base + k * width + j] = hj.c[k];
                        dout[base + k * width + j] = dj.c[k];
                    }
                }
            }
            hs.push(hout);
            ds.push(dout);
        }
        let values = output_values(net, hs.last().unwrap(), N, probes.iter().map(|p| p.gamma));
        (Batch { hs, ds }, values)
    }

    /// Adds `s_q · ∂/∂θ γ_q [u(x'_q + t v_q)]_p` of every probe `q` of the batch to the
    /// gradient number `sinks[q]` (`grads` holds them one after another, `P` entries
    /// each), by reverse mode (module docs), given one seed `s_q` per probe. A loss sends
    /// every probe to one gradient; a Jacobian each residual's probes to its own row.
    ///
    /// Per layer, from `ȳ` (rows as in [`Batch`]): `z̄_{q,j} = Σ_{k≥j} ȳ_{q,k}
    /// [σ'(z_q)]_{k−j}` per neuron, then `b̄ = Σ_q z̄_{q,0}`, `H̄ = s_l Z̄ W` (one matrix
    /// product over the batch, `s_l` the layer's scale) and `W̄ = s_l Z̄ᵀ H` (one per run
    /// of consecutive probes with the same sink). `W̄`'s sum over its rows is in `T`;
    /// every other sum into `grads` is in f64.
    pub fn backward(
        &self,
        net: &Network,
        weights: &Weights<T>,
        probes: &[Probe],
        seeds: &[f64],
        sinks: &[usize],
        grads: &mut [f64],
    ) {
        let ds = &self.ds;
        let gammas: Vec<f64> = probes.iter().map(|p| p.gamma).collect();
        backward_layers(
            net,
            weights,
            &self.hs,
            N,
            &gammas,
            seeds,
            sinks,
            grads,
            |l, q, yq, zq| {
                // z̄ from ȳ through σ'(z), neuron by neuron.
                let width = zq.len() / N;
                let base = q * N * width;
                let dq = &ds[l][base..base + N * width];
                for (jj, zrow) in zq.chunks_exact_mut(width).enumerate() {
                    for k in jj..N {
                        let y = &yq[k * width..(k + 1) * width];
                        let d = &dq[(k - jj) * width..(k - jj + 1) * width];
                        for ((zb, y), d) in zrow.iter_mut().zip(y).zip(d) {
                            *zb += *y * *d;
                        }
                    }
                }
            },
        );
    }
}

/// The probes' values both batches share ([`Batch::forward`] and the collapsed one's):
/// `γ_q · s_out · a · h_q`, with `h_q` the top layer's last row of probe `q` in `top`
/// (`rows_per_probe` rows per probe) and `a` the output weights.
pub(super) fn output_values<T: Real>(
    net: &Network,
    top: &[T],
    rows_per_probe: usize,
    gammas: impl Iterator<Item = f64>,
) -> Vec<f64> {
    let n = rows_per_probe;
    let a = &net.theta[net.arch.a_offset()..];
    let os = T::of(net.arch.output_scale());
    let width = a.len();
    gammas
        .enumerate()
        .map(|(q, gamma)| {
            let row = &top[(q * n + n - 1) * width..(q * n + n) * width];
            let mut up = T::zero();
            for (aj, hj) in a.iter().zip(row) {
                up += T::of(*aj) * *hj;
            }
            gamma * (up * os).to64()
        })
        .collect()
}

/// The reverse pass both batches share ([`Batch::backward`] and the collapsed one's),
/// for activations `hs` (layer inputs, then the top layer's output) with
/// `rows_per_probe` rows per probe of weight `gammas[q]`: seeds `H̄` at the top row of each probe from the output weights (adding
/// `a`'s gradient), then per layer, from the top: `z̄` of probe `q` by
/// `zbar(layer, q, ȳ_q, z̄_q)` (rows of that probe, `z̄_q` zeroed), `b̄ = Σ z̄_{q,0}`,
/// `W̄ = s_l Z̄ᵀ H` per run of consecutive probes with the same sink, and
/// `H̄ = s_l Z̄ W` for the layer below. `W̄`'s sum over its rows is in `T`; every other
/// sum into `grads` is in f64.
#[allow(clippy::too_many_arguments)]
pub(super) fn backward_layers<T: Real>(
    net: &Network,
    weights: &Weights<T>,
    hs: &[Vec<T>],
    rows_per_probe: usize,
    gammas: &[f64],
    seeds: &[f64],
    sinks: &[usize],
    grads: &mut [f64],
    zbar: impl Fn(usize, usize, &[T], &mut [T]),
) {
    let n = rows_per_probe;
    let rows = gammas.len() * n;
    let params = net.theta.len();
    // Runs of consecutive probes sharing a sink: (first probe, end, sink).
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for (q, &sink) in sinks.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if run.2 == sink => run.1 = q + 1,
            _ => runs.push((q, q + 1, sink)),
        }
    }
    let th = &net.theta;
    let a_off = net.arch.a_offset();
    let os = T::of(net.arch.output_scale());
    let top = hs.last().unwrap();
    let width = top.len() / rows.max(1);
    let mut hbar = vec![T::zero(); rows * width];
    for (q, (gamma, s)) in gammas.iter().zip(seeds).enumerate() {
        let g = T::of(s * gamma) * os;
        let r = (q * n + n - 1) * width;
        let grad = &mut grads[sinks[q] * params..(sinks[q] + 1) * params];
        for j in 0..width {
            grad[a_off + j] += (g * top[r + j]).to64();
            hbar[r + j] = g * T::of(th[a_off + j]);
        }
    }
    for (l, (sl, w)) in weights.layers.iter().zip(&weights.w).enumerate().rev() {
        let (fan_in, width) = (sl.fan_in, sl.width);
        let hin = &hs[l];
        let sc = T::of(sl.scale);
        let mut zbars = vec![T::zero(); rows * width];
        for q in 0..gammas.len() {
            let base = q * n * width;
            let zq = &mut zbars[base..base + n * width];
            zbar(l, q, &hbar[base..base + n * width], zq);
            let grad = &mut grads[sinks[q] * params..(sinks[q] + 1) * params];
            for (gb, zb) in grad[sl.b..sl.b + width].iter_mut().zip(&zq[..width]) {
                *gb += zb.to64();
            }
        }
        let mut wbar = vec![T::zero(); width * fan_in];
        for &(q0, q1, sink) in &runs {
            let (r0, r1) = (q0 * n, q1 * n);
            let (zs, hs) = (
                &zbars[r0 * width..r1 * width],
                &hin[r0 * fan_in..r1 * fan_in],
            );
            matmul(&mut wbar, zs, true, hs, (width, r1 - r0, fan_in), sc);
            let grad = &mut grads[sink * params..(sink + 1) * params];
            for (gi, wb) in grad[sl.w..sl.w + width * fan_in].iter_mut().zip(&wbar) {
                *gi += wb.to64();
            }
        }
        if l > 0 {
            let mut hbar_in = vec![T::zero(); rows * fan_in];
            matmul(&mut hbar_in, &zbars, false, w, (rows, width, fan_in), sc);
            hbar = hbar_in;
        }
    }
}

/// One probe `γ [u(x' + t v)]_p` with `p = N − 1` (and `M = N + 1`), in precision `T`.
/// With `Some((s, grad))` it also adds `s · ∂/∂θ` of the probe to `grad` by reverse mode.
pub fn probe<T: Real, const N: usize, const M: usize>(
    net: &Network,
    x: &[f64; 2],
    v: &[f64; 2],
    gamma: f64,
    backward: Option<(f64, &mut [f64])>,
) -> f64 {
    let weights = Weights::new(net);
    let probes = [Probe {
        x: *x,
        v: *v,
        gamma,
    }];
    let (batch, values) = Batch::<T, N>::forward::<M>(net, &weights, &probes);
    if let Some((s, grad)) = backward {
        batch.backward(net, &weights, &probes, &[s], &[0], grad);
    }
    values[0]
}
