//! Reports as CSV: one table row per run. The native CLI's `--csv` and the page's
//! "download CSV" both call these, so the two can never disagree. (JSON needs no
//! helper: it is the serde form of [`RfmReport`] / [`TrainReport`], exactly what
//! `adfd rfm|train --json` prints and `--config` reads back.) Plain Rust, compiled on
//! every target.

use crate::experiment::RfmReport;
use crate::net::train::TrainReport;
use std::fmt::Write;

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

fn mode(h: Option<f64>) -> &'static str {
    if h.is_some() {
        "fd"
    } else {
        "ad"
    }
}

/// The RFM report as CSV: one row per differentiation mode.
pub fn rfm_csv(report: &RfmReport) -> String {
    let mut out = String::from("mode,h,cutoff,entropy,effective_modes,residual_system,residual_true,error_l2,error_max,time_ms\n");
    for r in &report.runs {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            mode(r.h),
            opt(r.h),
            r.cutoff,
            r.entropy,
            r.effective_modes,
            r.residual_system,
            r.residual_true,
            r.error_l2,
            r.error_max,
            r.time_ms
        );
    }
    out
}

/// The training report as CSV: one row per run (spectrum figures at step 0).
pub fn train_csv(report: &TrainReport) -> String {
    let mut out = String::from("mode,h,cutoff0,entropy0,effective_modes0,steps_to_target,initial_loss,final_loss,true_residual,steps_per_second,stopped\n");
    for r in &report.runs {
        let k0 = r.kernel.first();
        let tr = r.loss.iter().rev().find_map(|p| p.true_residual);
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            mode(r.h),
            opt(r.h),
            opt(k0.map(|k| k.cutoff)),
            opt(k0.map(|k| k.entropy)),
            opt(k0.map(|k| k.effective_modes)),
            opt(r.speed.steps_to_target),
            r.speed.initial_loss,
            r.speed.final_loss,
            opt(tr),
            r.speed.steps_per_second,
            r.stopped
                .as_ref()
                .map_or("running".into(), |s| format!("{:?}", s.reason)
                    .to_lowercase())
        );
    }
    out
}
