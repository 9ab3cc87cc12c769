//! # adfd — why automatic differentiation trains neural PDE solvers better than finite differences
//!
//! A neural-network PDE solver needs derivatives of the network with respect to its
//! input. adfd compares the two ways to get them — Taylor-mode **automatic
//! differentiation** (AD) and **finite-difference** stencils applied to the network
//! function (FD) — through the spectra of the matrices that govern training, after
//! Chen, Yang, Xiang and Hao, *Automatic Differentiation is Essential in Training
//! Neural Networks for Solving Differential Equations* (arXiv 2405.14099).
//!
//! ## A tour in the order the data flows
//!
//! ```text
//! Config (experiment)      validated settings of one run; the seed reproduces it
//!  ├─ Problem (problem)    PDE, manufactured solution, collocation and test points
//!  ├─ Features (rfm)       frozen random features σ(w·x + b), seeded (random)
//!  ├─ DiffMode (operator)  Ad: jets (jet, activation) | Fd { h, order }: stencils
//!  ├─ assemble + solve     A a ≈ F by the SVD pseudo-inverse (spectrum)
//!  └─ Entropy (spectrum)   singular values, K(a), H(a), exp H(a)
//!     → RfmReport          everything a plot, CSV, test or re-check needs
//!
//! Config (model = network)
//!  ├─ Network (net)        two-layer u = (1/√m) Σ a_k σ(w_k·x + b_k) or an MLP, seeded
//!  ├─ Residuals (net)      r = c·(op u) − g by AD probes or FD stencil taps; weights 1/n, λ/n_b
//!  ├─ loss (net)           L = Σ ω r², ∇L by reverse mode over jets; J = ∂(√ω r)/∂θ
//!  ├─ Comparison (net)     AD + each h from one init, one shared lr, GD/Adam, step by step
//!  └─ kernel (net)         singular values of J (G = JJᵀ has their squares), K, H, exp H
//!     → TrainReport        loss curves, true residuals, kernel spectra, speed
//! ```
//!
//! * [`jet`] — truncated Taylor polynomials and the [`jet::Number`] trait that
//!   activations and models are written against, so one definition serves values,
//!   finite differences and derivatives.
//! * [`activation`] — tanh, sin, sigmoid, softplus, Gaussian, ReLUᵏ, each defined once.
//! * [`problem`] — Poisson and biharmonic in 1-D and 2-D with `u = Π sin(kπ x_i)`.
//! * [`operator`] — `u`, `Δu`, `Δ²u` by AD (2-D mixed term by polarization) or by
//!   central stencils of order 2 or 4.
//! * [`rfm`] — the random feature model and its least-squares system.
//! * [`spectrum`] — the only place that calls an SVD; truncated entropy.
//! * [`experiment`] — [`Config`], its validation, and the paired AD-vs-FD run
//!   [`run_rfm`] producing an [`RfmReport`].
//! * [`net`] — networks trained on AD or FD residual losses: models, probes,
//!   reverse mode over jets, the training kernel, and the resumable paired
//!   [`Comparison`] behind [`run_train`] and [`TrainReport`].
//! * [`web`] — the browser page's facades (a worker `Session`, main-thread `Charts`).
//! * [`error`] — one error type whose messages name the field and the allowed range.
//!
//! ```
//! let mut config = adfd::Config::default();
//! config.rfm.m = 100;
//! config.n = 100;
//! config.h = vec![1e-2, 1e-1];
//! let report = adfd::run_rfm(&config).unwrap();
//! let (ad, fd_fine, fd_coarse) = (&report.runs[0], &report.runs[1], &report.runs[2]);
//! // Same features, same points: a fine stencil keeps the leading singular value…
//! let s1 = ad.singular_values[0];
//! assert!((fd_fine.singular_values[0] - s1).abs() < 0.01 * s1);
//! // …while a coarse one keeps fewer modes above the threshold, and less entropy.
//! assert!(fd_coarse.cutoff < ad.cutoff && fd_coarse.entropy < ad.entropy);
//! ```
//!
//! Training a network with AD and one FD step from the same init and one shared
//! learning rate (`lr = c / λ_max` of the AD kernel):
//!
//! ```
//! let mut config = adfd::Config { model: adfd::ModelKind::Network, n: 20, ..Default::default() };
//! config.net.width = 10;
//! config.h = vec![0.1];
//! config.train.steps = 50;
//! config.train.every = 25;
//! let report = adfd::run_train(&config).unwrap();
//! let ad = &report.runs[0];
//! assert!(ad.speed.final_loss < ad.speed.initial_loss);
//! assert_eq!(ad.kernel.len(), 3); // steps 0, 25, 50
//! ```

// Index loops over jet coefficients mirror the formulas (c_k = Σ_j a_j b_{k−j}); keep them.
#![allow(clippy::needless_range_loop)]

pub mod activation;
pub mod error;
pub mod experiment;
pub mod jet;
mod keyword;
pub mod net;
pub mod operator;
pub mod problem;
pub mod random;
pub mod rfm;
pub mod spectrum;
pub mod web;

pub use activation::Activation;
pub use error::{Error, Result};
pub use experiment::{
    run_rfm, run_rfm_with, Config, ModelKind, NetConfig, Precision, RfmConfig, RfmFit, RfmReport,
    RfmRun, RfmSetup, TrainConfig,
};
pub use net::train::{
    run_train, run_train_with, Comparison, Observation, Optimizer, RunReport, StopReason,
    TrainReport,
};
pub use net::{Architecture, Network};
pub use operator::{DiffMode, DiffOp};
pub use problem::{Problem, ProblemKind, Sampling};
pub use spectrum::{Entropy, Threshold};
