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

use super::Network;
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
    let (hs, _) = forward::<f64, N, M>(net, &xs, &vs);
    let a = &net.theta[net.arch.a_offset()..];
    let os = net.arch.output_scale();
    let mut out = [0.0; N];
    for (hj, aj) in hs.last().unwrap().iter().zip(a) {
        for k in 0..N {
            out[k] += aj * hj.c[k] * os;
        }
    }
    out
}

type Layers<T, const N: usize> = Vec<Vec<Jet<T, N>>>;

/// Forward pass on jets: the inputs of every layer (`h⁰ … h^L`) and `σ'(zˡ)` per layer.
fn forward<T: Real, const N: usize, const M: usize>(
    net: &Network,
    x: &[f64; 2],
    v: &[f64; 2],
) -> (Layers<T, N>, Layers<T, N>) {
    debug_assert_eq!(M, N + 1);
    let d = net.arch.dim;
    let th = &net.theta;
    let act = net.arch.activation;
    let mut hs: Layers<T, N> = vec![(0..d)
        .map(|i| Jet::variable(T::of(x[i]), T::of(v[i])))
        .collect()];
    let mut ds: Layers<T, N> = Vec::with_capacity(net.arch.depth());
    for sl in net.arch.layers() {
        let hin = hs.last().unwrap();
        let sc = T::of(sl.scale);
        let mut hout = Vec::with_capacity(sl.width);
        let mut dout = Vec::with_capacity(sl.width);
        for j in 0..sl.width {
            let row = &th[sl.w + j * sl.fan_in..sl.w + (j + 1) * sl.fan_in];
            let mut z = Jet::<T, N>::constant(T::zero());
            for (hi, wi) in hin.iter().zip(row) {
                z = z + hi.scale(T::of(*wi));
            }
            let mut z = z.scale(sc).shift(T::of(th[sl.b + j]));
            let s: [T; M] = derivative_table(act, z.c[0]);
            z.c[0] = T::zero();
            let mut sd = [T::zero(); N];
            for k in 0..N {
                sd[k] = T::of((k + 1) as f64) * s[k + 1];
            }
            hout.push(compose(&s[..N], z));
            dout.push(compose(&sd, z));
        }
        hs.push(hout);
        ds.push(dout);
    }
    (hs, ds)
}

/// The forward pass of one probe, kept for its reverse pass: the inputs of every layer
/// (`h⁰ … h^L`) and `σ'(zˡ)` per layer, as jets with `N` coefficients.
pub struct Tape<T, const N: usize> {
    hs: Layers<T, N>,
    ds: Layers<T, N>,
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
    let (value, tape) = probe_forward::<T, N, M>(net, x, v, gamma);
    if let Some((s, grad)) = backward {
        tape.backward(net, s, gamma, grad);
    }
    value
}

/// The value `γ [u(x' + t v)]_p` of one probe (`p = N − 1`, `M = N + 1`) and its tape,
/// so that a residual's probes are evaluated once and then differentiated once its
/// value (and so its seed) is known.
pub fn probe_forward<T: Real, const N: usize, const M: usize>(
    net: &Network,
    x: &[f64; 2],
    v: &[f64; 2],
    gamma: f64,
) -> (f64, Tape<T, N>) {
    let p = N - 1;
    let (hs, ds) = forward::<T, N, M>(net, x, v);
    let th = &net.theta;
    let a_off = net.arch.a_offset();
    let os = T::of(net.arch.output_scale());
    let mut up = T::zero();
    for (j, hj) in hs.last().unwrap().iter().enumerate() {
        up += T::of(th[a_off + j]) * hj.c[p];
    }
    (gamma * (up * os).to64(), Tape { hs, ds })
}

impl<T: Real, const N: usize> Tape<T, N> {
    /// Adds `s · ∂/∂θ` of the probe `γ [u(x' + t v)]_p` taped here to `grad`, by
    /// reverse mode (module docs).
    pub fn backward(&self, net: &Network, s: f64, gamma: f64, grad: &mut [f64]) {
        let p = N - 1;
        let Tape { hs, ds } = self;
        let th = &net.theta;
        let a_off = net.arch.a_offset();
        let os = T::of(net.arch.output_scale());
        let top = hs.last().unwrap();
        let g = T::of(s * gamma) * os;
        let mut hbar: Vec<Jet<T, N>> = (0..top.len())
            .map(|j| {
                grad[a_off + j] += (g * top[j].c[p]).to64();
                let mut c = [T::zero(); N];
                c[p] = g * T::of(th[a_off + j]);
                Jet { c }
            })
            .collect();
        let layers = net.arch.layers();
        for (l, sl) in layers.iter().enumerate().rev() {
            let hin = &hs[l];
            let sc = T::of(sl.scale);
            let mut hbar_in =
                vec![Jet::<T, N>::constant(T::zero()); if l > 0 { sl.fan_in } else { 0 }];
            for j in 0..sl.width {
                let yb = &hbar[j].c;
                let sd = &ds[l][j].c;
                let mut zb = [T::zero(); N];
                for (jj, zbj) in zb.iter_mut().enumerate() {
                    for k in jj..N {
                        *zbj += yb[k] * sd[k - jj];
                    }
                }
                grad[sl.b + j] += zb[0].to64();
                let wrow = sl.w + j * sl.fan_in;
                for i in 0..sl.fan_in {
                    let mut acc = T::zero();
                    for k in 0..N {
                        acc += zb[k] * hin[i].c[k];
                    }
                    grad[wrow + i] += (sc * acc).to64();
                    if l > 0 {
                        let wji = sc * T::of(th[wrow + i]);
                        for k in 0..N {
                            hbar_in[i].c[k] += wji * zb[k];
                        }
                    }
                }
            }
            hbar = hbar_in;
        }
    }
}
