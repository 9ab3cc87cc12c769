//! The numeric core: what every model is computed with, and nothing about PDEs or
//! experiments.
//!
//! * [`random`] — the seeded streams every random draw comes from.
//! * [`thinned`] — series thinned as they are stored, so memory is bounded.
//! * [`dense`] — helpers dense kernels are built with: run-time choice of the widest
//!   vector unit (`multiversion!`) and column-major matrices filled in parallel.
//! * [`vmath`] — tanh and the logistic sigmoid and their Taylor coefficients over
//!   slices, the same bits natively and in wasm.
//! * [`jet`] — truncated Taylor polynomials and the [`jet::Number`] trait models are
//!   written against.
//! * [`activation`] — the activation functions, each defined once over any `Number`.
//! * [`spectrum`] — singular values, `K(a)` and the truncated entropy `H(a)`.

pub mod activation;
pub mod dense;
pub mod jet;
pub mod random;
pub mod spectrum;
pub mod thinned;
pub mod vmath;
