//! Neural networks trained on the PDE residual: the two-layer network of the theory
//! and deeper MLPs, with AD or FD residuals, exact parameter gradients by reverse
//! mode over jets and the training kernel and its spectrum.
//!
//! # The model
//!
//! An MLP with `L ≥ 1` hidden layers of widths `m₁ … m_L` and activation `σ`:
//!
//! ```text
//! h⁰ = x ∈ ℝᵈ
//! z¹ = W¹ h⁰ + b¹,                     h¹ = σ(z¹)
//! zˡ = Wˡ hˡ⁻¹ / √m_{l−1} + bˡ  (l ≥ 2), hˡ = σ(zˡ)
//! u(x) = a · h^L / √m_L
//! ```
//!
//! With `L = 1` this is the two-layer network of the paper,
//! `u(x) = (1/√m) Σ_k a_k σ(w_k·x + b_k)`.
//!
//! # Initialization (seeded, [`Stream::Parameters`](crate::numeric::random::Stream))
//!
//! Drawn layer by layer (first `Wˡ` row by row, then `bˡ`), then `a`:
//! `W¹, b¹ ~ U[−R, R]` (`R` = `net.scale`, as for the random features), deeper
//! `Wˡ, bˡ ~ U[−√3, √3]` (unit variance, with the `1/√fan-in` factor in the model),
//! and `a ~ U[−√3, √3]`.
//!
//! # Parameter layout
//!
//! One flat vector `θ`: for each layer `Wˡ` (row-major, `m_l × m_{l−1}`, so the
//! weights of one neuron are contiguous) then `bˡ`; finally `a`. For the two-layer
//! network `θ = [w (m × d), b (m), a (m)]`.
//!
//! # Modules
//!
//! * [`residual`] — the residual rows of a problem under AD or FD (probes along
//!   directions or at stencil taps), and the loss weights.
//! * [`forward`] — forward and reverse mode over jets for any depth.
//! * [`collapsed`] — collapsed Taylor mode for a deeper network's 2-D `Δu`.
//! * [`two_layer`] — the allocation-free fast path for one hidden layer.
//! * [`loss`] — loss, gradient, residual vector and the Jacobian `J` (dispatching
//!   between the two paths, in parallel natively).
//! * [`kernel`] — singular values of `J`, `K(a)`, `H(a)`.
//! * [`lm`] — one Levenberg–Marquardt step on the residual (`J`, the normal
//!   equations, damped trials).
//!
//! Training itself (optimizers, the paired comparison) lives above, in
//! [`crate::models::optimizer`] and [`crate::experiment`].

pub mod collapsed;
pub mod forward;
pub mod kernel;
pub mod lm;
pub mod loss;
pub mod residual;
pub mod two_layer;

use crate::numeric::activation::Activation;
use crate::numeric::random::{Rng, Stream};
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

/// The shape of a network: input dimension, hidden widths, activation.
#[derive(Clone, Debug, PartialEq)]
pub struct Architecture {
    /// Input dimension `d`.
    pub dim: usize,
    /// Hidden widths `m₁ … m_L` (`L ≥ 1`).
    pub widths: Vec<usize>,
    /// Activation `σ` of every hidden layer.
    pub activation: Activation,
}

/// Where one layer's parameters sit in `θ`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerSlots {
    /// Fan-in `m_{l−1}` (`d` for the first layer).
    pub fan_in: usize,
    /// Width `m_l`.
    pub width: usize,
    /// Offset of `Wˡ` (row-major `width × fan_in`).
    pub w: usize,
    /// Offset of `bˡ`.
    pub b: usize,
    /// Factor in front of `Wˡ hˡ⁻¹`: 1 for the first layer, `1/√m_{l−1}` after.
    pub scale: f64,
}

impl Architecture {
    /// Number of hidden layers `L`.
    pub fn depth(&self) -> usize {
        self.widths.len()
    }

    /// The slots of every layer, in order.
    pub fn layers(&self) -> Vec<LayerSlots> {
        let mut out = Vec::with_capacity(self.widths.len());
        let (mut fan_in, mut off) = (self.dim, 0);
        for (l, &width) in self.widths.iter().enumerate() {
            out.push(LayerSlots {
                fan_in,
                width,
                w: off,
                b: off + width * fan_in,
                scale: if l == 0 {
                    1.0
                } else {
                    1.0 / (fan_in as f64).sqrt()
                },
            });
            off += width * fan_in + width;
            fan_in = width;
        }
        out
    }

    /// Offset of the output weights `a` in `θ`.
    pub fn a_offset(&self) -> usize {
        self.num_params() - self.widths.last().copied().unwrap_or(0)
    }

    /// Number of parameters `P = Σ_l (m_l m_{l−1} + m_l) + m_L`.
    pub fn num_params(&self) -> usize {
        let mut fan_in = self.dim;
        let mut p = 0;
        for &w in &self.widths {
            p += w * fan_in + w;
            fan_in = w;
        }
        p + fan_in
    }

    /// `1/√m_L`, the output scale.
    pub fn output_scale(&self) -> f64 {
        1.0 / (self.widths.last().copied().unwrap_or(1) as f64).sqrt()
    }
}

/// A network: its architecture and parameters `θ` (layout in the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Shape and activation.
    pub arch: Architecture,
    /// All parameters, flat.
    pub theta: Vec<f64>,
}

impl Network {
    /// Seeded initialization (see the module docs): `W¹, b¹ ~ U[−R, R]`, deeper
    /// `Wˡ, bˡ ~ U[−√3, √3]`, `a ~ U[−√3, √3]`, from the parameter stream of `seed`.
    pub fn init(arch: Architecture, scale: f64, seed: u64) -> Self {
        let mut rng = Rng::new(seed, Stream::Parameters);
        let unit = 3f64.sqrt();
        let mut theta = Vec::with_capacity(arch.num_params());
        for (l, slot) in arch.layers().iter().enumerate() {
            let r = if l == 0 { scale } else { unit };
            for _ in 0..slot.width * slot.fan_in + slot.width {
                theta.push(rng.uniform(-r, r));
            }
        }
        for _ in 0..*arch.widths.last().unwrap_or(&0) {
            theta.push(rng.uniform(-unit, unit));
        }
        Network { arch, theta }
    }

    /// `u(x)` in f64 (a plain forward pass).
    pub fn value(&self, x: &[f64]) -> f64 {
        forward::value(self, x)
    }
}

/// One hidden layer as JSON: `{w: [[fan_in] × width], b: [width]}`.
struct LayerJson<'a> {
    w: &'a [f64],
    b: &'a [f64],
    fan_in: usize,
}

impl Serialize for LayerJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let w: Vec<&[f64]> = self.w.chunks_exact(self.fan_in).collect();
        let mut st = s.serialize_struct("Layer", 2)?;
        st.serialize_field("w", &w)?;
        st.serialize_field("b", &self.b)?;
        st.end()
    }
}

/// JSON: for one hidden layer `{a: [m], w: [[d] × m], b: [m]}`; for deeper
/// networks `{layers: [{w, b} …], a}`.
impl Serialize for Network {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let a = &self.theta[self.arch.a_offset()..];
        let layers: Vec<LayerJson> = self
            .arch
            .layers()
            .iter()
            .map(|sl| LayerJson {
                w: &self.theta[sl.w..sl.b],
                b: &self.theta[sl.b..sl.b + sl.width],
                fan_in: sl.fan_in,
            })
            .collect();
        if layers.len() == 1 {
            let mut st = s.serialize_struct("Network", 3)?;
            st.serialize_field("a", a)?;
            st.serialize_field(
                "w",
                &layers[0]
                    .w
                    .chunks_exact(layers[0].fan_in)
                    .collect::<Vec<_>>(),
            )?;
            st.serialize_field("b", layers[0].b)?;
            st.end()
        } else {
            let mut st = s.serialize_struct("Network", 2)?;
            st.serialize_field("layers", &layers)?;
            st.serialize_field("a", a)?;
            st.end()
        }
    }
}
