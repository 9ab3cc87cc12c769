//! Collapsed Taylor mode for second-order operators of a deeper network (Dangel,
//! Siebert, Zeinhofer & Walther, NeurIPS 2025): `Σ_k γ [u(x + t v_k)]₂` (AD's `Δu`,
//! `v_k = e_k`, `γ = 2`) propagated as one sum instead of one jet per direction.
//!
//! Along `x + t v_k` a neuron's pre-activation is the jet `z₀ + z₁ₖ t + z₂ₖ t²` (`z₀`
//! shared by every direction), and Taylor composition gives
//!
//! ```text
//! [σ(z)]₀ = S₀,   [σ(z)]₁ₖ = S₁ z₁ₖ,   [σ(z)]₂ₖ = S₁ z₂ₖ + S₂ z₁ₖ²
//! ```
//!
//! (`S_i = σ⁽ⁱ⁾(z₀)/i!`). Linear layers act on every coefficient alike, so only the
//! sum `Z₂ = Σ_k z₂ₖ` is ever needed: `Σ_k [σ(z)]₂ₖ = S₁ Z₂ + S₂ Σ_k z₁ₖ²`. A probe is
//! then `2 + K` rows (value, `K` first-order rows, the collapsed second-order row)
//! instead of `3K` (in 2-D: 4 instead of 6), and every matrix product of the batch
//! shrinks by that ratio.
//!
//! Reverse mode through that map, from `h̄₀, h̄₁ₖ, H̄₂` (with `dS_i/dz₀ = (i+1)S_{i+1}`):
//!
//! ```text
//! z̄₀  = h̄₀ S₁ + Σ_k h̄₁ₖ 2S₂ z₁ₖ + H̄₂ (2S₂ Z₂ + 3S₃ Σ_k z₁ₖ²)
//! z̄₁ₖ = h̄₁ₖ S₁ + H̄₂ 2S₂ z₁ₖ,      Z̄₂ = H̄₂ S₁
//! ```
//!
//! and the linear layers' reverse is [`super::forward`]'s: `b̄ = Σ z̄₀`, `W̄ = s Z̄ᵀH`,
//! `H̄ = s Z̄ W`. The results equal the per-direction jets' to round-off
//! (tests/collapsed.rs).

use super::forward::{backward_layers, derivative_tables, matmul, output_values, Weights};
use super::Network;
use crate::numeric::jet::Real;

/// Directions per collapsed probe: the two axes of a 2-D Laplacian.
pub const K: usize = 2;
/// Rows per probe: the value, `K` first-order rows, the collapsed second-order row.
const R: usize = K + 2;

/// One collapsed probe: `γ Σ_k [u(x + t v_k)]₂`.
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    /// The point `x` (unused coordinates 0).
    pub x: [f64; 2],
    /// The directions `v_k`.
    pub v: [[f64; 2]; K],
    /// The common weight `γ`.
    pub gamma: f64,
}

/// The forward pass of a batch of collapsed probes, kept for the reverse pass: per
/// layer its input `H` and its pre-activations `Z` (row `q·R + i`: row `i` of probe
/// `q`, one column per neuron) and the tables `S₁, S₂, S₃` at `z₀`.
pub struct Batch<T> {
    hs: Vec<Vec<T>>,
    zs: Vec<Vec<T>>,
    tables: Vec<[Vec<T>; 3]>,
}

impl<T: Real> Batch<T> {
    /// Runs `probes` forward; returns the batch and each probe's value.
    pub fn forward(net: &Network, weights: &Weights<T>, probes: &[Probe]) -> (Self, Vec<f64>) {
        let (d, rows) = (net.arch.dim, probes.len() * R);
        let th = &net.theta;
        let mut h0 = vec![T::zero(); rows * d];
        for (q, pr) in probes.iter().enumerate() {
            for i in 0..d {
                h0[q * R * d + i] = T::of(pr.x[i]);
                for k in 0..K {
                    h0[(q * R + 1 + k) * d + i] = T::of(pr.v[k][i]);
                }
            }
        }
        let mut hs = vec![h0];
        let (mut zs, mut tables) = (Vec::new(), Vec::new());
        for (sl, wt) in weights.layers.iter().zip(&weights.wt) {
            let width = sl.width;
            let mut z = vec![T::zero(); rows * width];
            matmul(
                &mut z,
                hs.last().unwrap(),
                false,
                wt,
                (rows, sl.fan_in, width),
                T::of(sl.scale),
            );
            for zr in z.chunks_exact_mut(width).step_by(R) {
                for (zj, bj) in zr.iter_mut().zip(&th[sl.b..sl.b + width]) {
                    *zj += T::of(*bj);
                }
            }
            let mut t = derivative_tables::<T, 4>(net.arch.activation, &z, R, width).into_iter();
            let mut next = || t.next().expect("four tables");
            let (s0, s1, s2, s3) = (next(), next(), next(), next());
            let mut h = vec![T::zero(); rows * width];
            for q in 0..probes.len() {
                let (zq, hq) = (
                    &z[q * R * width..(q + 1) * R * width],
                    &mut h[q * R * width..(q + 1) * R * width],
                );
                for j in 0..width {
                    let t = q * width + j;
                    let mut sq = T::zero();
                    hq[j] = s0[t];
                    for k in 1..=K {
                        let z1 = zq[k * width + j];
                        hq[k * width + j] = s1[t] * z1;
                        sq += z1 * z1;
                    }
                    hq[(R - 1) * width + j] = s1[t] * zq[(R - 1) * width + j] + s2[t] * sq;
                }
            }
            hs.push(h);
            zs.push(z);
            tables.push([s1, s2, s3]);
        }
        let values = output_values(net, hs.last().unwrap(), R, probes.iter().map(|p| p.gamma));
        (Batch { hs, zs, tables }, values)
    }

    /// Adds `s_q · ∂/∂θ` of every probe's value to the gradient number `sinks[q]` of
    /// `grads` (`P` entries each), as [`super::forward::Batch::backward`] does for jets.
    pub fn backward(
        &self,
        net: &Network,
        weights: &Weights<T>,
        probes: &[Probe],
        seeds: &[f64],
        sinks: &[usize],
        grads: &mut [f64],
    ) {
        let (zs, tables) = (&self.zs, &self.tables);
        let (two, three) = (T::of(2.0), T::of(3.0));
        let gammas: Vec<f64> = probes.iter().map(|p| p.gamma).collect();
        backward_layers(
            net,
            weights,
            &self.hs,
            R,
            &gammas,
            seeds,
            sinks,
            grads,
            |l, q, yq, zb| {
                let width = zb.len() / R;
                let base = q * R * width;
                let (zq, [s1, s2, s3]) = (&zs[l][base..base + R * width], &tables[l]);
                for j in 0..width {
                    let t = q * width + j;
                    let y2 = yq[(R - 1) * width + j];
                    let (mut z0b, mut sq) = (yq[j] * s1[t], T::zero());
                    for k in 1..=K {
                        let z1 = zq[k * width + j];
                        let y1 = yq[k * width + j];
                        z0b += y1 * two * s2[t] * z1;
                        zb[k * width + j] = y1 * s1[t] + y2 * two * s2[t] * z1;
                        sq += z1 * z1;
                    }
                    let z2 = zq[(R - 1) * width + j];
                    zb[j] = z0b + y2 * (two * s2[t] * z2 + three * s3[t] * sq);
                    zb[(R - 1) * width + j] = y2 * s1[t];
                }
            },
        );
    }
}
