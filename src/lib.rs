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
//!  │                          TrainComparison: GD, Adam or LM (optimizer) steps of every run
//!  ├─ Spectrum (spectrum)    singular values of A or J, K(a), H(a), exp H(a)
//!  └─ Report (report)        everything a plot, CSV, test or re-check needs
//!     → CLI (src/bin/adfd) and the browser page (web)
//! ```
//!
//! The folders group the floors of the house (`tests/architecture.rs`: every module
//! uses only lower floors):
//!
//! * [`numeric`] — the numeric core: [`jet`] (truncated Taylor polynomials,
//!   [`Precision`], the [`jet::Number`] trait activations and models are written
//!   against), [`activation`], [`vmath`] (tanh and sigmoid and their Taylor
//!   coefficients over slices, the same bits natively and in wasm), [`dense`] (run-time
//!   vector-unit choice, parallel column fills), [`spectrum`] (the only SVD; truncated
//!   entropy), [`random`] (seeded streams), [`thinned`] (bounded series).
//! * [`pde`] — [`problem`] (Poisson and biharmonic in 1-D and 2-D with
//!   `u = Π sin(kπ x_i)`, points, errors) and [`operator`] (`u`, `Δu`, `Δ²u` by AD or
//!   by central stencils of step size `h`; [`DiffMode`] names a run's mode).
//! * [`models`] — [`rfm`] (the random feature model and its least-squares system),
//!   [`net`] (networks: residual probes, reverse mode over jets, the training kernel,
//!   the LM step) and [`optimizer`] (GD, Adam, Levenberg–Marquardt).
//! * [`experiment`] — the [`Experiment`] stepping interface (init → step → observe →
//!   report), its two comparisons and the executor that drives them; with [`config`]
//!   ([`Config`] and [`Valid`], and the one table of settings fields that its checks,
//!   the page's controls and the CLI's flags are generated from), [`report`]
//!   ([`RfmReport`], [`TrainReport`], JSON and CSV), [`budget`] (a config's memory and
//!   work, estimated before anything is allocated) and `claims` (native: the paper's
//!   claims over many seeds, `adfd claims`).
//! * [`web`] — the browser page: the worker's `Session`, its typed
//!   [`web::snapshot::Snapshot`], the controls' schema, the control plane and the
//!   main thread's `Charts`.
//! * [`error`] — one error type whose messages name the field and the allowed range.
//!
//! Every module is also exported under its short name (`adfd::jet`, `adfd::config`).
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

pub mod error;
pub mod experiment;
mod keyword;
pub mod models;
pub mod numeric;
pub mod pde;
pub mod web;

// Each module under its short name too (`adfd::jet`, `adfd::config`): the folders group
// them by floor, the paths users write stay short. Code inside the crate uses the full
// paths (tests/architecture.rs refuses these).
#[cfg(not(target_arch = "wasm32"))]
pub use experiment::claims;
pub use experiment::{budget, config, report};
pub use models::{net, optimizer, rfm};
pub use numeric::{activation, dense, jet, random, spectrum, thinned, vmath};
pub use pde::{operator, problem};

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
