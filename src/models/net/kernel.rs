//! The training kernel: singular values of `J = ∂r̃/∂θ` and their truncated entropy.
//!
//! Under gradient flow on `L = ‖r̃‖²` the scaled residual obeys `dr̃/dt = −2 G r̃`
//! with `G = J Jᵀ`; the eigenvalues of `G` are `s_i²`, the squared singular values
//! of `J`. They are computed from `J` itself by [`spectrum::singular_values`], never
//! from `G`, so the small ones survive. `K(a)`, `H(a)`, `exp H(a)` are those of the
//! singular values `s_i` (as for the RFM matrix `A`).

use super::loss::jacobian;
use super::residual::Residuals;
use super::Network;
use crate::error::Result;
use crate::numeric::jet::Precision;
use crate::numeric::spectrum::{self, Threshold};
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

/// The kernel spectrum at one training step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelPoint {
    /// Training step.
    pub step: usize,
    /// Singular values `s_i` of `J`, descending (the eigenvalues of `G = JJᵀ` are `s_i²`).
    pub singular_values: Vec<f64>,
    /// `K(a) = #{i : s_i > a s₁}` (or `s_i > a`).
    pub cutoff: usize,
    /// `H(a)` of the singular values.
    pub entropy: f64,
    /// `exp H(a)`.
    pub effective_modes: f64,
}

impl KernelPoint {
    /// `λ_max(G) = s₁²`.
    pub fn lambda_max(&self) -> f64 {
        self.singular_values.first().map_or(0.0, |s| s * s)
    }
}

/// Singular values of `J` and their truncated entropy at `threshold`.
pub fn kernel_spectrum(
    net: &Network,
    res: &Residuals,
    precision: Precision,
    threshold: Threshold,
    step: usize,
    what: &str,
) -> Result<KernelPoint> {
    spectrum_of(&jacobian(net, res, precision), threshold, step, what)
}

/// The kernel spectrum of a Jacobian `j` already computed at training step `step`.
pub fn spectrum_of(
    j: &DMatrix<f64>,
    threshold: Threshold,
    step: usize,
    what: &str,
) -> Result<KernelPoint> {
    let s = spectrum::singular_values(j, what)?;
    let e = spectrum::truncated_entropy(&s, threshold)?;
    Ok(KernelPoint {
        step,
        singular_values: s,
        cutoff: e.cutoff,
        entropy: e.entropy,
        effective_modes: e.effective_modes,
    })
}
