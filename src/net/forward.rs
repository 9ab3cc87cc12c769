//! Forward and reverse mode over jets for an MLP of any depth.
//!
//! **Forward.** A probe evaluates the network on the jet `x(t) = x' + t v` with
//! `N = p + 1` coefficients. For each neuron the pre-activation `z(t)` is a jet
//! (linear layers act coefficient-wise). The activation is applied through its
//! derivative table at the expansion point, `S_k = σ⁽ᵏ⁾(z₀)/k!` for `k < M = N + 1`,
//! which is itself computed by Taylor mode: `S = σ(Jet::variable(z₀, 1))` — the
//! activation's one definition over [`Number`], no formula per
//! activation. Then with `δ(t) = z(t) − z₀` (no constant term),
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

use super::{LayerSlots, Network};
use crate::activation::Activation;
use crate::jet::{Jet, Number, Real};
use crate::operator::Field;

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
/// library's own `σ` on jets (through [`crate::operator::apply_ad`]) gives a second,
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

/// Taylor coefficients `[u(x + t v)]_k`, `k < N`, by the forward pass of a probe
/// (`M` must be `N + 1`).
pub fn directional_jet<const N: usize, const M: usize>(
    net: &Network,
    x: &[f64],
    v: &[f64],
) -> [f64; N] {
    let mut xs = [0.0; 2];
    let mut vs = [0.0; 2];
    xs[..x.len()].copy_from_slice(x);
    vs[..v.len()].copy_from_slice(v);
    let (hs, _) = forward::<f64, N, M>(net, &Weights::new(net), &xs, &vs);
    let top = hs.last().unwrap();
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

/// A network's weights as the probes use them: each layer's slots, and `Wˡ` transposed
/// (`fan_in × width`) in precision `T`, so that a layer's pre-activations accumulate
/// input by input over contiguous rows, every neuron at once (vectorized), each neuron's
/// sum still in the order of its inputs.
pub struct Weights<T> {
    layers: Vec<LayerSlots>,
    transposed: Vec<Vec<T>>,
}

impl<T: Real> Weights<T> {
    /// Transposes every `Wˡ` of `net` (a `width × fan_in` block of `θ`, row-major).
    pub fn new(net: &Network) -> Self {
        let layers = net.arch.layers();
        let transposed = layers
            .iter()
            .map(|sl| {
                let mut t = vec![T::zero(); sl.fan_in * sl.width];
                for j in 0..sl.width {
                    for i in 0..sl.fan_in {
                        t[i * sl.width + j] = T::of(net.theta[sl.w + j * sl.fan_in + i]);
                    }
                }
                t
            })
            .collect();
        Weights { layers, transposed }
    }
}

/// Jets of one layer, coefficient-major: coefficient `k` of neuron `j` at `k · width + j`.
type Layers<T> = Vec<Vec<T>>;

/// Forward pass on jets: the inputs of every layer (`h⁰ … h^L`) and `σ'(zˡ)` per layer,
/// each coefficient-major ([`Layers`]).
fn forward<T: Real, const N: usize, const M: usize>(
    net: &Network,
    weights: &Weights<T>,
    x: &[f64; 2],
    v: &[f64; 2],
) -> (Layers<T>, Layers<T>) {
    debug_assert_eq!(M, N + 1);
    let d = net.arch.dim;
    let th = &net.theta;
    let act = net.arch.activation;
    // h⁰ = x + t v.
    let mut h0 = vec![T::zero(); N * d];
    for i in 0..d {
        h0[i] = T::of(x[i]);
        if N > 1 {
            h0[d + i] = T::of(v[i]);
        }
    }
    let mut hs: Layers<T> = vec![h0];
    let mut ds: Layers<T> = Vec::with_capacity(weights.layers.len());
    for (sl, wt) in weights.layers.iter().zip(&weights.transposed) {
        let (fan_in, width) = (sl.fan_in, sl.width);
        let hin = hs.last().unwrap();
        // zₖ = Σᵢ hᵢₖ Wⱼᵢ for every neuron j, summed in the order of i.
        let mut z = vec![T::zero(); N * width];
        for (zk, hk) in z.chunks_exact_mut(width).zip(hin.chunks_exact(fan_in)) {
            for (h, wrow) in hk.iter().zip(wt.chunks_exact(width)) {
                for (zj, wji) in zk.iter_mut().zip(wrow) {
                    *zj += *h * *wji;
                }
            }
        }
        let sc = T::of(sl.scale);
        let mut hout = vec![T::zero(); N * width];
        let mut dout = vec![T::zero(); N * width];
        for j in 0..width {
            let mut zj = Jet::<T, N>::constant(T::zero());
            for k in 0..N {
                zj.c[k] = z[k * width + j];
            }
            let mut zj = zj.scale(sc).shift(T::of(th[sl.b + j]));
            let s: [T; M] = derivative_table(act, zj.c[0]);
            zj.c[0] = T::zero();
            let mut sd = [T::zero(); N];
            for k in 0..N {
                sd[k] = T::of((k + 1) as f64) * s[k + 1];
            }
            let (hj, dj) = (compose(&s[..N], zj), compose(&sd, zj));
            for k in 0..N {
                hout[k * width + j] = hj.c[k];
                dout[k * width + j] = dj.c[k];
            }
        }
        hs.push(hout);
        ds.push(dout);
    }
    (hs, ds)
}

/// The forward pass of one probe, kept for its reverse pass: the inputs of every layer
/// (`h⁰ … h^L`) and `σ'(zˡ)` per layer, as jets with `N` coefficients.
pub struct Tape<T, const N: usize> {
    hs: Layers<T>,
    ds: Layers<T>,
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
    let (value, tape) = probe_forward::<T, N, M>(net, &weights, x, v, gamma);
    if let Some((s, grad)) = backward {
        tape.backward(net, &weights, s, gamma, grad);
    }
    value
}

/// The value `γ [u(x' + t v)]_p` of one probe (`p = N − 1`, `M = N + 1`) and its tape,
/// so that a residual's probes are evaluated once and then differentiated once its
/// value (and so its seed) is known.
pub fn probe_forward<T: Real, const N: usize, const M: usize>(
    net: &Network,
    weights: &Weights<T>,
    x: &[f64; 2],
    v: &[f64; 2],
    gamma: f64,
) -> (f64, Tape<T, N>) {
    let p = N - 1;
    let (hs, ds) = forward::<T, N, M>(net, weights, x, v);
    let th = &net.theta;
    let a_off = net.arch.a_offset();
    let os = T::of(net.arch.output_scale());
    let top = hs.last().unwrap();
    let width = top.len() / N;
    let mut up = T::zero();
    for (j, hj) in top[p * width..].iter().enumerate() {
        up += T::of(th[a_off + j]) * *hj;
    }
    (gamma * (up * os).to64(), Tape { hs, ds })
}

impl<T: Real, const N: usize> Tape<T, N> {
    /// Adds `s · ∂/∂θ` of the probe `γ [u(x' + t v)]_p` taped here to `grad`, by
    /// reverse mode (module docs). Every loop over a layer's inputs runs over
    /// contiguous coefficient rows; each sum keeps the order of the scalar recurrence.
    pub fn backward(
        &self,
        net: &Network,
        weights: &Weights<T>,
        s: f64,
        gamma: f64,
        grad: &mut [f64],
    ) {
        let p = N - 1;
        let Tape { hs, ds } = self;
        let th = &net.theta;
        let a_off = net.arch.a_offset();
        let os = T::of(net.arch.output_scale());
        let top = hs.last().unwrap();
        let width = top.len() / N;
        let g = T::of(s * gamma) * os;
        let mut hbar = vec![T::zero(); N * width];
        for j in 0..width {
            grad[a_off + j] += (g * top[p * width + j]).to64();
            hbar[p * width + j] = g * T::of(th[a_off + j]);
        }
        let mut acc = Vec::new();
        for (l, sl) in weights.layers.iter().enumerate().rev() {
            let (fan_in, width) = (sl.fan_in, sl.width);
            let (hin, dl) = (&hs[l], &ds[l]);
            let sc = T::of(sl.scale);
            let mut hbar_in = vec![T::zero(); if l > 0 { N * fan_in } else { 0 }];
            acc.resize(fan_in, T::zero());
            for j in 0..width {
                // z̄ⱼ from ȳⱼ through σ'(zⱼ).
                let mut zb = [T::zero(); N];
                for (jj, zbj) in zb.iter_mut().enumerate() {
                    for k in jj..N {
                        *zbj += hbar[k * width + j] * dl[(k - jj) * width + j];
                    }
                }
                grad[sl.b + j] += zb[0].to64();
                let wrow = sl.w + j * fan_in;
                // W̄ⱼᵢ += s Σₖ z̄ⱼₖ hᵢₖ, for every input i at once.
                acc.fill(T::zero());
                for (zbk, hk) in zb.iter().zip(hin.chunks_exact(fan_in)) {
                    for (a, h) in acc.iter_mut().zip(hk) {
                        *a += *zbk * *h;
                    }
                }
                for (gi, a) in grad[wrow..wrow + fan_in].iter_mut().zip(&acc) {
                    *gi += (sc * *a).to64();
                }
                // h̄ᵢₖ += s Wⱼᵢ z̄ⱼₖ.
                if l > 0 {
                    for (zbk, hbk) in zb.iter().zip(hbar_in.chunks_exact_mut(fan_in)) {
                        for (hb, wji) in hbk.iter_mut().zip(&th[wrow..wrow + fan_in]) {
                            *hb += (sc * T::of(*wji)) * *zbk;
                        }
                    }
                }
            }
            hbar = hbar_in;
        }
    }
}
