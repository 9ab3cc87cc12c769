//! The two models and the optimizers that train one of them.
//!
//! * [`rfm`] — the random feature model: frozen features, a least-squares fit.
//! * [`net`] — networks: two-layer and deeper, their residuals by AD or FD, reverse
//!   mode over jets, the training kernel `J Jᵀ` and the Levenberg–Marquardt step.
//! * [`optimizer`] — GD, Adam and Levenberg–Marquardt with their per-run state.

pub mod net;
pub mod optimizer;
pub mod rfm;
