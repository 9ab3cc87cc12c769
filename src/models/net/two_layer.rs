//! The fast path for one hidden layer, `u(x) = (1/√m) Σ_k a_k σ(w_k·x + b_k)`:
//! an allocation-free loop over (probe group, neuron) that computes, for every
//! neuron, its share of the residual and that share's parameter derivatives.
//!
//! It is the reverse mode of [`super::forward`] specialised to the one case where
//! the pre-activation jet is linear in `t`: along a probe `x' + t v`,
//! `z(t) = z₀ + q t` with `z₀ = w·x' + b` and `q = w·v`. Taylor composition with
//! `δ = q t` gives, from the table `S_k = σ⁽ᵏ⁾(z₀)/k!` (Taylor mode, shared by all
//! directions of a group),
//!
//! ```text
//! [σ(z)]_p = S_p qᵖ,     [σ'(z)]_k = (k+1) S_{k+1} qᵏ
//! ```
//!
//! and the jet reverse rule `z̄_j = Σ_{k≥j} ȳ_k [σ'(z)]_{k−j}` with the seed `ȳ_p = γ`
//! has only `z̄₀ = γ (p+1) S_{p+1} qᵖ` and `z̄₁ = γ p S_p qᵖ⁻¹` acting on parameters
//! (`z₀` and `z₁ = q` are the only coefficients that depend on `w, b`):
//! `b̄ = z̄₀`, `w̄ = z̄₀ x' + z̄₁ v`. Tests check this path against the general one.
//!
//! For each neuron `k` the buffer collects `t_k = Σ γ [σ(z)]_p` (the operator
//! applied to feature `k`), `∂t_k/∂b_k` and `∂t_k/∂w_k`. The row's residual is
//! `r = c · (1/√m) Σ_k a_k t_k − g`, and its gradient is
//! `∂r/∂a_k = c t_k/√m`, `∂r/∂b_k = c a_k ∂t_k/∂b_k /√m`, `∂r/∂w_k = c a_k ∂t_k/∂w_k /√m`.

use super::forward::derivative_table;
use super::residual::{Group, Row};
use super::Network;
use crate::numeric::jet::Real;

/// Per-neuron accumulator of one row: `t`, `∂t/∂b`, `∂t/∂w`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Acc<T> {
    /// `t_k = Σ_probes γ [σ(w_k·(x' + tv) + b_k)]_p`.
    pub t: T,
    /// `∂t_k/∂b_k`.
    pub bb: T,
    /// `∂t_k/∂w_k` (unused coordinates 0).
    pub bw: [T; 2],
}

#[inline(always)]
fn group<T: Real, const D: usize, const M: usize>(net: &Network, g: &Group, buf: &mut [Acc<T>]) {
    let p = M - 2;
    let m = buf.len();
    let th = &net.theta;
    let (w, b) = (&th[..m * D], &th[m * D..m * D + m]);
    let act = net.arch.activation;
    let mut xg = [T::zero(); D];
    for i in 0..D {
        xg[i] = T::of(g.x[i]);
    }
    let mut dirs = [([T::zero(); D], T::zero()); 4];
    let nd = g.dirs.len().min(4);
    for (slot, (v, gam)) in dirs.iter_mut().zip(&g.dirs) {
        for i in 0..D {
            slot.0[i] = T::of(v[i]);
        }
        slot.1 = T::of(*gam);
    }
    let (fp, fp1) = (T::of(p as f64), T::of((p + 1) as f64));
    // Two passes per chunk of neurons: first the derivative tables (in f64 by the
    // activation's vectorized slice kernel, `Activation::taylor_slice`; in f32 by Taylor
    // mode per neuron, keeping f32's own round-off), then the arithmetic of every
    // direction, a loop without calls that the compiler can vectorize.
    let batched = T::IS_F64;
    const CHUNK: usize = 64;
    let mut sp = [T::zero(); CHUNK];
    let mut sp1 = [T::zero(); CHUNK];
    for (c, accs) in buf.chunks_mut(CHUNK).enumerate() {
        let k0 = c * CHUNK;
        let len = accs.len();
        let mut zc = [T::zero(); CHUNK];
        for j in 0..len {
            let k = k0 + j;
            let mut z0 = T::of(b[k]);
            for i in 0..D {
                z0 += T::of(w[k * D + i]) * xg[i];
            }
            zc[j] = z0;
        }
        if batched {
            // f64: the activation's vectorized Taylor coefficients over the chunk.
            let mut z64 = [0.0f64; CHUNK];
            let (mut s0, mut s1) = ([0.0f64; CHUNK], [0.0f64; CHUNK]);
            for j in 0..len {
                z64[j] = zc[j].to64();
            }
            act.taylor_slice(p, &z64[..len], &mut s0[..len], Some(&mut s1[..len]));
            for j in 0..len {
                sp[j] = T::of(s0[j]);
                sp1[j] = T::of(s1[j]);
            }
        } else {
            for j in 0..len {
                let s: [T; M] = derivative_table(act, zc[j]);
                sp[j] = s[p];
                sp1[j] = s[p + 1];
            }
        }
        if let Some(c) = g.radial {
            // Collapsed: Σ_dirs γ (w·v)ᵖ = c ‖w‖ᵖ, so t = S_p c ‖w‖ᵖ, ∂t/∂b = (p+1)
            // S_{p+1} c ‖w‖ᵖ and the direction part of ∂t/∂w is S_p c p ‖w‖ᵖ⁻² w.
            let c = T::of(c);
            for (j, acc) in accs.iter_mut().enumerate() {
                let k = k0 + j;
                let mut wk = [T::zero(); D];
                let mut r2 = T::zero();
                for i in 0..D {
                    wk[i] = T::of(w[k * D + i]);
                    r2 += wk[i] * wk[i];
                }
                // ‖w‖ᵖ⁻² and ‖w‖ᵖ for the small even constant p.
                let mut rpm2 = T::one();
                for _ in 1..p / 2 {
                    rpm2 *= r2;
                }
                let rp = if p == 0 { T::one() } else { rpm2 * r2 };
                let q = c * rp;
                let g0 = fp1 * sp1[j] * q;
                acc.t += sp[j] * q;
                acc.bb += g0;
                let gq = c * fp * sp[j] * rpm2;
                for i in 0..D {
                    let gw = if p > 0 { gq * wk[i] } else { T::zero() };
                    acc.bw[i] += g0 * xg[i] + gw;
                }
            }
            continue;
        }
        for (j, acc) in accs.iter_mut().enumerate() {
            let k = k0 + j;
            let mut wk = [T::zero(); D];
            for i in 0..D {
                wk[i] = T::of(w[k * D + i]);
            }
            let (spj, sp1j) = (sp[j], sp1[j]);
            let (mut t, mut g0) = (T::zero(), T::zero());
            let mut gw = [T::zero(); D];
            for (v, gam) in &dirs[..nd] {
                let mut q = T::zero();
                for i in 0..D {
                    q += wk[i] * v[i];
                }
                // q^{p−1} and q^p for the small constant p.
                let mut qpm1 = T::one();
                for _ in 1..p {
                    qpm1 *= q;
                }
                let qp = if p == 0 { T::one() } else { qpm1 * q };
                t += *gam * spj * qp;
                g0 += *gam * fp1 * sp1j * qp;
                if p > 0 {
                    let gq = *gam * fp * spj * qpm1;
                    for i in 0..D {
                        gw[i] += gq * v[i];
                    }
                }
            }
            acc.t += t;
            acc.bb += g0;
            for i in 0..D {
                acc.bw[i] += g0 * xg[i] + gw[i];
            }
        }
    }
}

/// The FD row (every group a value probe, `p = 0`, one direction of weight `γ`) in f64:
/// per chunk of neurons, for each tap in the row's order, `z = w·x' + b`, then
/// `S₀ = σ(z)`, `S₁ = σ'(z)` by the activation's slice kernel, then `t += γ S₀`,
/// `∂t/∂b += γ S₁`, `∂t/∂w += γ S₁ x'`. The same operations in the same order per
/// neuron as [`group`] with `p = 0` (so the same bits), without its direction loop and
/// with one pass over the chunk's accumulators for all taps.
fn taps<T: Real, const D: usize>(net: &Network, row: &Row, buf: &mut [Acc<T>]) {
    let m = buf.len();
    let th = &net.theta;
    let (w, b) = (&th[..m * D], &th[m * D..m * D + m]);
    let act = net.arch.activation;
    const CHUNK: usize = 64;
    let (mut z, mut s0, mut s1) = ([0.0f64; CHUNK], [0.0f64; CHUNK], [0.0f64; CHUNK]);
    for (c, accs) in buf.chunks_mut(CHUNK).enumerate() {
        let k0 = c * CHUNK;
        let len = accs.len();
        for g in &row.groups {
            let gam = g.dirs[0].1;
            for j in 0..len {
                let k = k0 + j;
                let mut z0 = b[k];
                for i in 0..D {
                    z0 += w[k * D + i] * g.x[i];
                }
                z[j] = z0;
            }
            act.taylor_slice(0, &z[..len], &mut s0[..len], Some(&mut s1[..len]));
            for (j, acc) in accs.iter_mut().enumerate() {
                let g0 = gam * s1[j];
                acc.t += T::of(gam * s0[j]);
                acc.bb += T::of(g0);
                for i in 0..D {
                    acc.bw[i] += T::of(g0 * g.x[i]);
                }
            }
        }
    }
}

/// Fills `buf` (length `m`) for `row` and returns `op u(x) = (1/√m) Σ_k a_k t_k`.
pub fn forward<T: Real>(net: &Network, row: &Row, buf: &mut [Acc<T>]) -> f64 {
    buf.fill(Acc::default());
    let d = net.arch.dim;
    let fd = T::IS_F64 && row.groups.iter().all(|g| g.p == 0 && g.dirs.len() == 1);
    if fd {
        match d {
            1 => taps::<T, 1>(net, row, buf),
            _ => taps::<T, 2>(net, row, buf),
        }
    } else {
        for g in &row.groups {
            match (d, g.p) {
                (1, 0) => group::<T, 1, 2>(net, g, buf),
                (1, 2) => group::<T, 1, 4>(net, g, buf),
                (1, 4) => group::<T, 1, 6>(net, g, buf),
                (2, 0) => group::<T, 2, 2>(net, g, buf),
                (2, 2) => group::<T, 2, 4>(net, g, buf),
                (2, 4) => group::<T, 2, 6>(net, g, buf),
                _ => unreachable!("probe order {} in dimension {d}", g.p),
            }
        }
    }
    let a = &net.theta[net.arch.a_offset()..];
    let mut u = T::zero();
    for (acc, ak) in buf.iter().zip(a) {
        u += T::of(*ak) * acc.t;
    }
    (u * T::of(net.arch.output_scale())).to64()
}

/// Adds `s · ∂(op u)/∂θ` to `grad` from the buffer filled by [`forward`].
pub fn backward<T: Real>(net: &Network, s: f64, buf: &[Acc<T>], grad: &mut [f64]) {
    let m = buf.len();
    let d = net.arch.dim;
    let f = s * net.arch.output_scale();
    let a_off = net.arch.a_offset();
    let (gw, rest) = grad.split_at_mut(m * d);
    let (gb, ga) = rest.split_at_mut(m);
    let a = &net.theta[a_off..];
    for k in 0..m {
        let acc = &buf[k];
        ga[k] += f * acc.t.to64();
        let fa = f * a[k];
        gb[k] += fa * acc.bb.to64();
        for i in 0..d {
            gw[k * d + i] += fa * acc.bw[i].to64();
        }
    }
}
