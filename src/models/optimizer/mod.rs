//! The optimizers a network trains with, and their per-run state.
//!
//! * GD: `θ ← θ − η ∇L`.
//! * Adam (Kingma & Ba, with bias correction): `m ← β₁m + (1−β₁)g`,
//!   `v ← β₂v + (1−β₂)g²`, `θ ← θ − η m̂ / (√v̂ + ε)` with `m̂ = m/(1−β₁ᵗ)`,
//!   `v̂ = v/(1−β₂ᵗ)`.
//! * Levenberg–Marquardt ([`lm`]): the damped Gauss–Newton step
//!   `θ ← θ − (JᵀJ + μI)⁻¹Jᵀr̃` for `L = ‖r̃‖²`, with `μ` adapted by Nielsen's rule.

pub mod lm;

use crate::keyword::keyword_enum;
use serde::{Deserialize, Serialize};

/// Which optimizer a comparison trains with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Optimizer {
    /// Full-batch gradient descent `θ ← θ − η ∇L`.
    #[default]
    Gd,
    /// Adam (Kingma & Ba) with bias correction.
    Adam,
    /// Levenberg–Marquardt: damped Gauss–Newton steps ([`lm`]), no learning rate.
    Lm,
}

keyword_enum!(Optimizer, "train.optimizer", { Gd => "gd", Adam => "adam", Lm => "lm" });

/// Adam's constants `β₁`, `β₂`, `ε`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConstants {
    /// `β₁ ∈ [0, 1)`.
    pub beta1: f64,
    /// `β₂ ∈ [0, 1)`.
    pub beta2: f64,
    /// `ε > 0`.
    pub epsilon: f64,
}

/// One run's optimizer with its state.
#[derive(Clone, Debug, PartialEq)]
pub enum OptimizerState {
    /// Gradient descent has no state.
    Gd,
    /// Adam's moment estimates `m`, `v` and its step count `t`.
    Adam {
        /// `β₁`, `β₂`, `ε`.
        constants: AdamConstants,
        /// First-moment estimate `m`.
        m: Vec<f64>,
        /// Second-moment estimate `v`.
        v: Vec<f64>,
        /// Steps taken `t`.
        t: u32,
    },
    /// Levenberg–Marquardt's damping.
    Lm(lm::Damping),
}

impl OptimizerState {
    /// A fresh state for `params` parameters; Levenberg–Marquardt starts at `damping`.
    pub fn new(
        optimizer: Optimizer,
        constants: AdamConstants,
        damping: lm::Damping,
        params: usize,
    ) -> Self {
        match optimizer {
            Optimizer::Lm => OptimizerState::Lm(damping),
            Optimizer::Gd => OptimizerState::Gd,
            Optimizer::Adam => OptimizerState::Adam {
                constants,
                m: vec![0.0; params],
                v: vec![0.0; params],
                t: 0,
            },
        }
    }

    /// One update of `theta` along the gradient `grad` with learning rate `lr` (GD and
    /// Adam; Levenberg–Marquardt steps through [`lm::step`] instead and is left alone).
    pub fn update(&mut self, theta: &mut [f64], grad: &[f64], lr: f64) {
        match self {
            OptimizerState::Lm(_) => {}
            OptimizerState::Gd => {
                for (th, g) in theta.iter_mut().zip(grad) {
                    *th -= lr * g;
                }
            }
            OptimizerState::Adam { constants, m, v, t } => {
                *t += 1;
                let AdamConstants {
                    beta1: b1,
                    beta2: b2,
                    epsilon,
                } = *constants;
                let c1 = 1.0 - b1.powi(*t as i32);
                let c2 = 1.0 - b2.powi(*t as i32);
                for k in 0..grad.len() {
                    let g = grad[k];
                    m[k] = b1 * m[k] + (1.0 - b1) * g;
                    v[k] = b2 * v[k] + (1.0 - b2) * g * g;
                    let mh = m[k] / c1;
                    let vh = v[k] / c2;
                    theta[k] -= lr * mh / (vh.sqrt() + epsilon);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADAM: AdamConstants = AdamConstants {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    };
    const DAMPING: lm::Damping = lm::Damping::new(1e-3, 1e8);

    #[test]
    fn gd_moves_against_the_gradient() {
        let mut theta = [1.0, -2.0];
        OptimizerState::new(Optimizer::Gd, ADAM, DAMPING, 2).update(&mut theta, &[0.5, -1.0], 0.1);
        assert_eq!(theta, [0.95, -1.9]);
    }

    #[test]
    fn adam_first_step_is_lr_times_the_gradient_sign() {
        // With bias correction m̂ = g and v̂ = g² at t = 1, so the step is η g/(|g| + ε).
        let mut theta = [0.0, 0.0];
        let mut state = OptimizerState::new(Optimizer::Adam, ADAM, DAMPING, 2);
        state.update(&mut theta, &[3.0, -1e-3], 0.01);
        assert!((theta[0] + 0.01).abs() < 1e-9 && (theta[1] - 0.01).abs() < 1e-6);
    }
}
