//! The browser side of adfd.
//!
//! * [`controls`] — the page's controls: the rows of the settings table
//!   ([`crate::experiment::config::settings`]) the page shows, exported as `controlSchema()`.
//! * [`form`] — the page's controls (text) to a validated [`Config`](crate::Config)
//!   and back, by walking those rows; plain Rust, tested natively.
//! * `session` (wasm32 only) — the Web Worker's facade: configure, step, reset, new
//!   seed, sweep, and the snapshot (built by [`driver`]: the job, the sweep, and the
//!   snapshot assembled from [`views`] and [`history`], the finished runs the entropy
//!   scatter plots).
//! * [`snapshot`] — the one schema of what the worker sends the page.
//! * [`plane`] — the page's control plane: a typed state machine that turns the
//!   visitor's actions and the worker's replies into what the page does (the page's
//!   JavaScript only wires the DOM).
//! * [`charts`] — the main thread's facade (wasm32 only) that draws snapshots on
//!   canvases, one module per panel; its axis spans and palette are plain Rust,
//!   tested natively.
//! * `js` (wasm32 only) — boundary helpers: errors that name their field, and a panic
//!   hook that posts the panic to the page.

pub mod controls;
pub mod driver;
pub mod form;
pub mod history;
pub mod plane;
pub mod snapshot;
pub mod views;

pub mod charts;
#[cfg(target_arch = "wasm32")]
pub mod js;
#[cfg(target_arch = "wasm32")]
pub mod session;

#[cfg(target_arch = "wasm32")]
pub use charts::Charts;
#[cfg(target_arch = "wasm32")]
pub use session::Session;
