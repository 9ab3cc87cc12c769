//! The PDEs and their operators.
//!
//! * [`operator`] — `u`, `Δu`, `Δ²u` of a model by AD (Taylor mode) or by central
//!   stencils of step size `h`; [`operator::DiffMode`] names a run's mode.
//! * [`problem`] — Poisson and biharmonic in 1-D and 2-D with their manufactured
//!   solutions, collocation and test points, and the errors of a fitted solution.

pub mod operator;
pub mod problem;
