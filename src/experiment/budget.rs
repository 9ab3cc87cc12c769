//! What a [`Config`] will cost, computed before anything is allocated: its peak memory
//! and its work, so the page can pause a link that would take minutes or gigabytes and
//! refuse one that cannot fit in wasm32, and the CLI can refuse one that exceeds the
//! machine's memory.
//!
//! Memory, in bytes of `f64` (8 bytes; every matrix is stored in `f64`, whatever the
//! precision the features are evaluated in):
//!
//! ```text
//! RFM (rows r = Config::rows, m features, k = min(r, m), t test points, M modes,
//!      F = min(M, experiment::runs_at_once) fits in flight at once):
//!   held:     t·m                    the exact test operator T
//!           + M·(m + k)              each fit's coefficients and singular values
//!   F × one fit:
//!             r·m                    A
//!           + r·m                    the SVD's working copy of A
//!           + (r + m)·k              its thin factors U and V
//!           + r·k + 5·k²             the SVD's workspace (measured for faer's thin SVD)
//! network (P parameters, rows r, k = min(r, P), M runs, S = steps, E = every):
//!   held:     M·(3 + 2·[Adam])·P     θ, its gradient, the previous θ (+ Adam's m, v)
//!           + M·(L·4 + K·(k + 8))    the thinned history: L = min(S + 1, 4097) loss
//!                                    points, K = min(S/E + 2, 257) kernel spectra
//!   F' × transient: 2·r·P + 2·k²     the Jacobian J, the SVD's working copy and
//!                                    workspace (singular values only), for the
//!                                    F' = min(M, experiment::runs_at_once) runs
//!                                    measured at once
//!              or, Levenberg–Marquardt,
//!                   2·r·P + 3·k²     J while it is built (rows, then the matrix), the
//!                                    Gram matrix, its damped copy and Cholesky factor
//! ```
//!
//! plus [`OVERHEAD_BYTES`] for the points, the drawing grid and the allocator (`F` and
//! `F'` follow this thread's rayon pool: 1 on the page's main thread, whose worker may
//! hold up to [`experiment::PARALLEL_ENTRIES`] more entries of `A` or `J` at once). A test
//! (tests/budget.rs) measures the allocator's high-water mark for RFM and network
//! configs in 1-D and 2-D and checks the estimate is within 2× of it.
//!
//! Work, in floating-point operations (an order of magnitude, for "about a minute"):
//!
//! ```text
//! RFM:      t·m·c_e  +  M·(r·m·c_e + svd(r, m))       c_e = 150 per entry (AD jets or
//!                                                     an FD stencil over activations)
//! network:  M·S·r·e  +  M·K'·(r·e + r·P·k)       e = 60·N + 10·P per row: N hidden
//!                                                     neurons (activation jets), P
//!                                                     parameters (multiply-adds);
//!                                                     K' = ⌊S/E⌋ + 2 kernel spectra
//!                                                     (singular values only: an LQ/QR
//!                                                     first, 2·r·P·k flops, weighted
//!                                                     ½: blocked, they run faster)
//!     + Levenberg–Marquardt: M·S·(r·e + ½·r·P·k + T·(½·k³/3 + ½·r·e + 2·r·P))
//!                                                     J, the Gram matrix's lower
//!                                                     triangle, then per damping
//!                                                     tried a Cholesky factorization,
//!                                                     a trial loss and δ; T = 1.5
//!                                                     tries per step (adfd's
//!                                                     estimate; measured 1.0–1.8)
//! svd(r, m) = 4·r·m·k + 2·k³   (a thin SVD: Householder bidiagonalization, QR sweeps)
//! ```
//!
//! Seconds are `work / rate`, with one rate per model measured on the machine at hand
//! ([`Rates::measure`]), since a browser tab runs at a fraction of native speed and
//! the constants above are only relative. tests/budget.rs checks the seconds within 4×
//! of measured runs.

use crate::error::{Error, Result};
use crate::experiment::config::{Config, ModelKind};
use crate::experiment::{self, KERNEL_POINTS, LOSS_POINTS};
use crate::models::optimizer::Optimizer;
use crate::pde::problem::Points;
use web_time::Instant;

/// Bytes of one stored number (`f64`).
const F64: f64 = 8.0;
/// Points, the drawing grid, the report's small vectors and the allocator's slack.
pub const OVERHEAD_BYTES: f64 = 4e6;
/// Flops per entry of `A` or of the test operator (jets or a stencil of activations).
const ENTRY_FLOPS: f64 = 150.0;
/// Flops per (row, hidden neuron) of one loss-and-gradient or Jacobian evaluation: the
/// activation's Taylor coefficients and their reverse sweep.
const NEURON_FLOPS: f64 = 60.0;
/// Flops per (row, parameter) of the same: the weights' multiply-adds, forward and back.
const PARAM_FLOPS: f64 = 10.0;
/// Weight of a kernel spectrum's factorization flops (`2·r·P·k`, an LQ of `J` then the
/// SVD of its `k × k` factor) against the evaluation's: blocked and matrix-product
/// bound, they run at about twice its rate. With weight 1, once the network's own
/// evaluation was batched, a 3-layer network's estimate was 3.5–4× its measured time
/// (tests/budget.rs); with ½, 2.6×, and measurement-heavy two-layer runs 1.0×.
const SPECTRUM_WEIGHT: f64 = 0.5;
/// Bytes of one stored loss point (`step`, loss, optional true residual).
const LOSS_POINT_BYTES: f64 = 32.0;
/// Levenberg–Marquardt's dampings tried per step, for the work estimate: 1 once `μ`
/// settles, a few after a refusal (1.0–1.8 on average in the runs measured here).
const LM_TRIES: f64 = 1.5;

/// wasm32's whole address space: 4 GiB.
pub const WASM_MEMORY: f64 = 4.0 * 1024.0 * 1024.0 * 1024.0;
/// The most an estimate may be for the page to try at all: wasm32's 4 GiB less room
/// for fragmentation and the JavaScript side (adfd's choice).
pub const WASM_LIMIT: f64 = 3.0 * 1024.0 * 1024.0 * 1024.0;
/// Above this peak memory the page asks before running (adfd's choice: 1 GB).
pub const PAGE_MEMORY: f64 = 1e9;
/// Above this many estimated seconds the page asks before running (adfd's choice).
pub const PAGE_SECONDS: f64 = 60.0;

/// The estimated cost of a config: peak memory and work.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// The model, whose rate converts work to seconds.
    pub model: ModelKind,
    /// Peak memory, bytes.
    pub bytes: f64,
    /// Work, floating-point operations.
    pub flops: f64,
}

/// This machine's speed for each model's work formula, flops per second
/// ([`Rates::measure`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rates {
    /// For RFM work.
    pub rfm: f64,
    /// For network work.
    pub network: f64,
}

impl Rates {
    /// A slow machine's rates, used until this machine's are measured (adfd's choice:
    /// 2·10⁸ flops/s, about a tenth of a 2020s laptop's single-threaded browser tab,
    /// which measures 1.3–2.2·10⁹ here). A run light at these rates is light on any
    /// machine at least this fast, so the page starts it without measuring; only a run
    /// heavy at these rates waits for [`Rates::measure`] (0.5–1.2 s in a browser).
    pub const SLOW: Rates = Rates {
        rfm: 2e8,
        network: 2e8,
    };

    /// Times a small reference of each model here: an RFM comparison (poisson1d,
    /// m = n = 300, AD + one FD step size) and a training one (two-layer width 50, n = 100,
    /// AD + one FD step size, 20 steps, kernels every 10), each rate being the reference's
    /// estimated work over its time (the fastest of three runs). About 0.15–0.45 s
    /// natively, 0.5–1.2 s in a browser tab.
    pub fn measure() -> Rates {
        let mut rfm = Config {
            n: 300,
            h: vec![1e-2],
            ..Config::default()
        };
        rfm.rfm.m = 300;
        let mut net = Config {
            model: ModelKind::Network,
            n: 100,
            h: vec![1e-1],
            ..Config::default()
        };
        net.net.width = 50;
        net.train.steps = 20;
        net.train.every = 10;
        Rates {
            rfm: rate_of(&rfm),
            network: rate_of(&net),
        }
    }
}

/// Estimated work over measured seconds of running `c` to the end, the fastest of
/// three runs: the first pays for warming caches and starting threads, and in a
/// browser the engine's optimizing compiler finishes in the background while it runs,
/// sometimes only during the second (with two runs, a tab on a busy machine measured
/// a quarter of its speed and held a 30 s run as a 2 min one); NaN on failure.
fn rate_of(c: &Config) -> f64 {
    let Ok(valid) = c.clone().check() else {
        return f64::NAN;
    };
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let start = Instant::now();
        let ran = match c.model {
            ModelKind::Rfm => crate::experiment::run_rfm(&valid).map(drop),
            ModelKind::Network => crate::experiment::run_train(&valid).map(drop),
        };
        if ran.is_err() {
            return f64::NAN;
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    Budget::of(c).flops / best.max(1e-4)
}

/// `4·r·m·k + 2·k³` flops of a thin SVD of an `r × m` matrix, `k = min(r, m)`.
fn svd_flops(r: f64, m: f64) -> f64 {
    let k = r.min(m);
    4.0 * r * m * k + 2.0 * k * k * k
}

impl Budget {
    /// The estimate for `config` (see the module docs for the formulas). Works on any
    /// config, checked or not: the sizes are read as they are.
    pub fn of(config: &Config) -> Budget {
        let problem = config.problem();
        let r = config.rows() as f64;
        let t = Points::test_len(&problem) as f64;
        let modes = (config.h.len() + 1) as f64;
        match config.model {
            ModelKind::Rfm => {
                let m = config.rfm.m as f64;
                let k = r.min(m);
                let held = t * m + modes * (m + k);
                let fit = 2.0 * r * m + (r + m) * k + r * k + 5.0 * k * k;
                let in_flight = (experiment::runs_at_once(config) as f64).min(modes);
                Budget {
                    model: ModelKind::Rfm,
                    bytes: F64 * (held + in_flight * fit) + OVERHEAD_BYTES,
                    flops: t * m * ENTRY_FLOPS + modes * (r * m * ENTRY_FLOPS + svd_flops(r, m)),
                }
            }
            ModelKind::Network => {
                let p = config.architecture().num_params() as f64;
                let k = r.min(p);
                let tc = &config.train;
                let adam = if tc.optimizer == Optimizer::Adam {
                    2.0
                } else {
                    0.0
                };
                let steps = tc.steps as f64;
                let loss_points = (steps + 1.0).min(LOSS_POINTS as f64 + 1.0);
                let kernels =
                    (steps / tc.every.max(1) as f64 + 2.0).min(KERNEL_POINTS as f64 + 1.0);
                let held = modes * (3.0 + adam) * p * F64
                    + modes * (loss_points * LOSS_POINT_BYTES + kernels * (k + 8.0) * F64);
                let neurons = config.net.hidden().iter().sum::<usize>() as f64;
                let evaluation = r * (NEURON_FLOPS * neurons + PARAM_FLOPS * p);
                let measured = (steps / tc.every.max(1) as f64).floor() + 2.0;
                let in_flight = (experiment::runs_at_once(config) as f64).min(modes);
                let (transient, step) = match tc.optimizer {
                    Optimizer::Lm => (
                        2.0 * r * p + 3.0 * k * k,
                        evaluation
                            + SPECTRUM_WEIGHT * r * p * k
                            + LM_TRIES
                                * (SPECTRUM_WEIGHT * k * k * k / 3.0
                                    + 0.5 * evaluation
                                    + 2.0 * r * p),
                    ),
                    Optimizer::Gd | Optimizer::Adam => (2.0 * r * p + 2.0 * k * k, evaluation),
                };
                Budget {
                    model: ModelKind::Network,
                    bytes: held + in_flight * transient * F64 + OVERHEAD_BYTES,
                    flops: modes * steps * step
                        + modes * measured * (evaluation + SPECTRUM_WEIGHT * 2.0 * r * p * k),
                }
            }
        }
    }

    /// Seconds at this machine's `rates`.
    pub fn seconds(&self, rates: &Rates) -> f64 {
        self.flops
            / match self.model {
                ModelKind::Rfm => rates.rfm,
                ModelKind::Network => rates.network,
            }
    }
}

/// What the page shows about a config before running it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    /// Peak memory, bytes.
    pub bytes: f64,
    /// Seconds at the machine's measured rate.
    pub seconds: f64,
    /// The rates were [`Rates::SLOW`], not measured: `heavy` may then be a false alarm,
    /// and `seconds` an overestimate.
    pub provisional: bool,
    /// Above [`PAGE_MEMORY`] or [`PAGE_SECONDS`]: the page asks before running.
    pub heavy: bool,
    /// "about 1.7 GB of memory and 18 min of work on this machine".
    pub summary: String,
}

impl Budget {
    /// The estimate at this machine's `rates` ([`Rates::measure`]), or at
    /// [`Rates::SLOW`] (`provisional`) while they are unknown.
    pub fn estimate(&self, rates: Option<&Rates>) -> Estimate {
        let seconds = self.seconds(rates.unwrap_or(&Rates::SLOW));
        Estimate {
            bytes: self.bytes,
            seconds,
            provisional: rates.is_none(),
            heavy: self.bytes > PAGE_MEMORY || seconds > PAGE_SECONDS || seconds.is_nan(),
            summary: format!(
                "about {} of memory and {} of work on this machine",
                format_bytes(self.bytes),
                format_seconds(seconds)
            ),
        }
    }
}

/// `seconds` for a reader: `"under a second"`, `"40 s"`, `"18 min"`, `"3.2 h"`.
pub fn format_seconds(seconds: f64) -> String {
    match seconds {
        s if !s.is_finite() => "an unknown amount".into(),
        s if s < 1.0 => "under a second".into(),
        s if s < 90.0 => format!("{s:.0} s"),
        s if s < 5400.0 => format!("{:.0} min", s / 60.0),
        s => format!("{:.1} h", s / 3600.0),
    }
}

/// `bytes` for a reader: `"850 MB"`, `"3.6 GB"` (decimal units).
pub fn format_bytes(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.1} GB", bytes / 1e9)
    } else {
        format!("{:.0} MB", (bytes / 1e6).max(1.0))
    }
}

/// Refuses `config` when its estimated peak memory exceeds `limit` bytes (`limit_is`
/// says what the limit is, e.g. "the 2.1 GB available on this machine"). The error
/// names the model's leading size field (`rfm.m` or `net.width`) and what else to lower.
pub fn check_fits(config: &Config, limit: f64, limit_is: &str) -> Result<Budget> {
    let budget = Budget::of(config);
    if budget.bytes <= limit {
        return Ok(budget);
    }
    let (field, sizes) = match config.model {
        ModelKind::Rfm => ("rfm.m", "m, n or the number of FD step sizes h"),
        ModelKind::Network => (
            "net.width",
            "width, layers, n or the number of FD step sizes h",
        ),
    };
    Err(Error::invalid(
        field,
        format!(
            "this run needs about {} of memory, more than {limit_is}; lower {sizes}",
            format_bytes(budget.bytes)
        ),
    ))
}

/// Refuses what cannot fit in wasm32's memory at all ([`WASM_LIMIT`]).
pub fn check_fits_wasm(config: &Config) -> Result<Budget> {
    check_fits(
        config,
        WASM_LIMIT,
        &format!(
            "the {} a browser tab's WebAssembly can use",
            format_bytes(WASM_LIMIT)
        ),
    )
}

/// The memory this process may use, bytes: `$ADFD_MEMORY` if set (to leave room for
/// other jobs), else the kernel's `MemAvailable` (Linux); `None` where neither is known.
#[cfg(not(target_arch = "wasm32"))]
pub fn machine_memory() -> Option<f64> {
    if let Some(v) = std::env::var("ADFD_MEMORY")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
    {
        return Some(v);
    }
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_grows_with_every_size() {
        let base = Config::default();
        let b0 = Budget::of(&base);
        let mut bigger = base.clone();
        bigger.rfm.m *= 4;
        let b1 = Budget::of(&bigger);
        assert!(b1.bytes > 1.5 * b0.bytes && b1.flops > 2.0 * b0.flops);
        let mut more_h = base.clone();
        more_h.h.push(1e-4);
        assert!(Budget::of(&more_h).flops > b0.flops);
    }

    #[test]
    fn what_does_not_fit_is_refused_naming_the_size_field() {
        let c = Config::default();
        let need = Budget::of(&c).bytes;
        assert!(check_fits(&c, 2.0 * need, "x").is_ok());
        let e = check_fits(&c, 0.5 * need, "the 1 MB here").unwrap_err();
        assert_eq!(e.field(), Some("rfm.m"));
        assert!(e.to_string().contains("the 1 MB here"), "{e}");
        let mut big = c.clone();
        big.model = ModelKind::Network;
        big.net.layers = 2;
        big.net.width = 4000;
        big.n = 1;
        big.h = vec![1e-1; 12];
        big.train.optimizer = Optimizer::Adam;
        assert!(big.clone().check().is_ok(), "passes the size caps");
        let e = check_fits_wasm(&big).unwrap_err();
        assert_eq!(e.field(), Some("net.width"), "{e}");
    }

    #[test]
    fn heavy_means_over_a_gigabyte_or_a_minute_here() {
        let at = |rate: f64| Rates {
            rfm: rate,
            network: rate,
        };
        let light = Budget {
            model: ModelKind::Rfm,
            bytes: 1e8,
            flops: 1e9,
        };
        assert!(!light.estimate(Some(&at(1e9))).heavy);
        assert!(light.estimate(Some(&at(1e7))).heavy, "100 s");
        let big = Budget {
            bytes: 2e9,
            flops: 1.0,
            ..light
        };
        let e = big.estimate(Some(&at(1e9)));
        assert!(e.heavy && e.summary.contains("2.0 GB") && e.summary.contains("under a second"));
        assert!(
            light.estimate(Some(&at(f64::NAN))).heavy,
            "an unknown rate asks"
        );
        assert_eq!(format_seconds(1080.0), "18 min");
    }

    #[test]
    fn unmeasured_rates_are_the_slow_prior_and_say_so() {
        let b = Budget {
            model: ModelKind::Network,
            bytes: 1e6,
            flops: 1e9,
        };
        let unmeasured = b.estimate(None);
        assert!(unmeasured.provisional && !b.estimate(Some(&Rates::SLOW)).provisional);
        assert_eq!(unmeasured.seconds, b.seconds(&Rates::SLOW));
        // Light at the slow prior is light at any faster machine's rates.
        let faster = Rates {
            rfm: 3.0 * Rates::SLOW.rfm,
            network: 3.0 * Rates::SLOW.network,
        };
        assert!(!unmeasured.heavy && !b.estimate(Some(&faster)).heavy);
    }

    #[test]
    fn network_history_is_bounded_however_many_steps() {
        let mut c = Config {
            model: ModelKind::Network,
            ..Config::default()
        };
        c.train.steps = 100_000;
        let a = Budget::of(&c);
        c.train.steps = 1_000_000;
        let b = Budget::of(&c);
        assert_eq!(a.bytes, b.bytes, "memory does not grow with steps");
        assert!(b.flops > 9.0 * a.flops, "work does");
    }
}
