//! Levenberg–Marquardt on a network's residual: one step is the linearization
//! `r̃(θ − δ) ≈ r̃ − Jδ` at `θ` ([`super::loss::linearization`]: `J = ∂r̃/∂θ` and
//! `r̃ = √ω r` from one pass over the rows), the normal equations formed once
//! ([`GaussNewton`]), then damped trials `θ − δ(μ)`, each judged by its loss
//! `L = ‖r̃‖²`, until one lowers it ([`lm::step`], Nielsen's rule). `J` stays
//! row-major as the rows produce it, in a [`Workspace`] reused from step to step.
//!
//! The training comparison's runs ([`crate::experiment`]) and `benches/lm.rs` step
//! through [`step`], so the benchmark times exactly what training runs.

use super::loss::{linearization_rows, loss_and_gradient};
use super::residual::Residuals;
use super::Network;
use crate::models::optimizer::lm::{self, Damping, GaussNewton, Outcome};
use crate::numeric::jet::Precision;

/// One Levenberg–Marquardt step of `net` on the rows `res` from its current loss
/// `loss = ‖r̃(θ)‖²`: `θ ← θ − δ(μ)` with `δ(μ) = (JᵀJ + μI)⁻¹Jᵀr̃` for the first
/// damping `μ` (Nielsen's rule, state in `damping`) whose trial loss is below `loss`.
/// `None` when `J` or `r̃` is not finite (then `θ` and `damping` are untouched).
pub fn step(
    net: &mut Network,
    res: &Residuals,
    precision: Precision,
    loss: f64,
    damping: &mut Damping,
    work: &mut Workspace,
) -> Option<Outcome> {
    let r = linearization_rows(net, res, precision, &mut work.j);
    if !(finite(&work.j) && finite(&r)) {
        return None;
    }
    let j = faer::MatRef::from_row_major_slice(&work.j, r.len(), net.theta.len());
    let gn = GaussNewton::new(j, &r);
    let trial = work.trial.get_or_insert_with(|| net.clone());
    Some(lm::step(&mut net.theta, loss, &gn, damping, |theta| {
        trial.theta.copy_from_slice(theta);
        loss_and_gradient(trial, res, precision, None)
    }))
}

/// What [`step`] keeps from one step to the next: the buffer of `J` (row-major) and
/// the network the trials are evaluated on, so a step allocates neither.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    j: Vec<f64>,
    trial: Option<Network>,
}

fn finite(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite())
}
