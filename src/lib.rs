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
//! Config (config)            validated once into Valid<Config>; the seed reproduces a run
//!  ├─ Problem (problem)      PDE, manufactured solution, collocation and test points
//!  ├─ Model                  frozen random features (rfm) | a network (net), seeded (random)
//!  ├─ Operator (operator)    DiffMode::Ad: jets (jet, activation) | Fd { h, order }: stencils
//!  ├─ Experiment (experiment) RfmComparison: least squares per run
//!  │                          TrainComparison: GD/Adam (optimizer) steps of every run
//!  ├─ Spectrum (spectrum)    singular values of A or J, K(a), H(a), exp H(a)
//!  └─ Report (report)        everything a plot, CSV, test or re-check needs
//!     → CLI (src/bin/adfd.rs) and the browser page (web)
//! ```
//!
//! * [`config`] — [`Config`], its model and training settings, and [`Valid`]: the
//!   checked config, the only way into an experiment; and the one table of settings
//!   fields ([`config::settings`]) that its checks, the page's controls and the CLI's
//!   flags are generated from.
//! * [`jet`] — truncated Taylor polynomials, [`Precision`], and the [`jet::Number`]
//!   trait that activations and models are written against, so one definition serves
//!   values, finite differences and derivatives.
//! * [`activation`] — tanh, sin, sigmoid, softplus, Gaussian, ReLUᵏ, each defined once.
//! * [`problem`] — Poisson and biharmonic in 1-D and 2-D with `u = Π sin(kπ x_i)`,
//!   points, and the errors of a fitted solution.
//! * [`operator`] — `u`, `Δu`, `Δ²u` by AD (2-D mixed term by polarization) or by
//!   central stencils of order 2 or 4; [`DiffMode`] names and labels a run's mode.
//! * [`rfm`] — the random feature model and its least-squares system.
//! * [`net`] — networks: models, probes, reverse mode over jets, the training kernel.
//! * [`optimizer`] — GD and Adam with their per-run state.
//! * [`spectrum`] — the only place that calls an SVD; truncated entropy.
//! * [`experiment`] — the [`Experiment`] stepping interface (init → step → observe →
//!   report), its two comparisons, and the executor that drives them.
//! * [`report`] — [`RfmReport`], [`TrainReport`] and their common [`report::Envelope`];
//!   JSON and CSV.
//! * [`budget`] — a config's peak memory and work, estimated before anything is
//!   allocated: the page holds heavy links and refuses what wasm32 cannot hold, the
//!   CLI refuses what the machine cannot.
//! * [`thinned`] — series thinned as they are stored (loss curves, kernel spectra), so
//!   memory is bounded for any number of steps.
//! * [`vmath`] — tanh and its Taylor coefficients over slices: one portable algorithm,
//!   the same bits natively and in wasm; and the helpers dense kernels are built with
//!   (run-time choice of AVX-512/AVX2, matrices filled column by column in parallel).
//! * `claims` (native) — the paper's claims measured over many seeds (`adfd claims`).
//! * [`web`] — the browser page: the worker's `Session`, its typed
//!   [`web::snapshot::Snapshot`], the controls' schema, and the main thread's `Charts`.
//! * [`error`] — one error type whose messages name the field and the allowed range.
//!
//! Parallel work (RFM columns, the networks' row blocks) goes through rayon in fixed
//! blocks reduced in block order, so results are the same bits on any thread count:
//! natively, in the page's threaded wasm (`--features threads`: rayon on Web Workers
//! through wasm-bindgen-rayon), and in the single-threaded wasm, where rayon runs
//! everything on the calling thread.
//!
//! ```
//! let mut config = adfd::Config::default();
//! config.rfm.m = 100;
//! config.n = 100;
//! config.h = vec![1e-2, 1e-1];
//! let report = adfd::run_rfm(&config.check().unwrap()).unwrap();
//! let (ad, fd_fine, fd_coarse) = (&report.runs[0], &report.runs[1], &report.runs[2]);
//! // Same features, same points: a fine stencil keeps the leading singular value…
//! let s1 = ad.singular_values[0];
//! assert!((fd_fine.singular_values[0] - s1).abs() < 0.01 * s1);
//! // …while a coarse one keeps fewer modes above the threshold, and less entropy.
//! assert!(fd_coarse.cutoff < ad.cutoff && fd_coarse.entropy < ad.entropy);
//! ```
//!
//! Training a network with AD and one FD step size from the same init and one shared
//! learning rate (`lr = c / λ_max` of the AD kernel), observing every step:
//!
//! ```
//! use adfd::{Experiment, TrainComparison};
//! let mut config = adfd::Config { model: adfd::ModelKind::Network, n: 20, ..Default::default() };
//! config.net.width = 10;
//! config.h = vec![0.1];
//! config.train.steps = 50;
//! config.train.every = 25;
//! let mut seen = 0;
//! let report = adfd::experiment::run::<TrainComparison>(&config.check().unwrap(), |c| {
//!     seen = c.progress().done;
//! })
//! .unwrap();
//! let ad = &report.runs[0];
//! assert!(ad.speed.final_loss < ad.speed.initial_loss);
//! assert_eq!(ad.kernel.len(), 3); // steps 0, 25, 50
//! assert_eq!(seen, 50);
//! ```

// Index loops over jet coefficients mirror the formulas (c_k = Σ_j a_j b_{k−j}); keep them.
#![allow(clippy::needless_range_loop)]
// The page's relaxed-SIMD build (nightly, `+relaxed-simd`) lets vmath's polynomials
// fuse their multiply-adds (`vmath::madd`); no other build sees this.
#![cfg_attr(
    all(target_arch = "wasm32", target_feature = "relaxed-simd"),
    feature(float_mul_add_relaxed)
)]

pub mod activation;
pub mod budget;
#[cfg(not(target_arch = "wasm32"))]
pub mod claims;
pub mod config;
pub mod error;
pub mod experiment;
pub mod jet;
mod keyword;
pub mod net;
pub mod operator;
pub mod optimizer;
pub mod problem;
pub mod random;
pub mod report;
pub mod rfm;
pub mod spectrum;
pub mod thinned;
pub mod vmath;
pub mod web;

pub use activation::Activation;
pub use config::{Config, ModelKind, NetConfig, RfmConfig, TrainConfig, Valid};
pub use error::{Error, Result};
pub use experiment::{
    run_rfm, run_train, Comparison, Experiment, Progress, RfmComparison, TrainComparison,
};
pub use jet::Precision;
pub use net::{Architecture, Network};
pub use operator::{DiffMode, DiffOp};
pub use optimizer::Optimizer;
pub use problem::{Problem, ProblemKind, Sampling};
pub use report::{Report, RfmReport, RfmRun, StopReason, TrainReport};
pub use spectrum::{Entropy, Threshold};
