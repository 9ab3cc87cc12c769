//! The readable tables `adfd rfm` and `adfd train` print by default.

use adfd::{RfmReport, Threshold, TrainReport};

/// The threshold as the tables label it: `relative, s_i > 1e-8·s_1`.
fn threshold_label(t: &Threshold) -> String {
    match t {
        Threshold::Relative(a) => format!("relative, s_i > {a:e}·s_1"),
        Threshold::Absolute(a) => format!("absolute, s_i > {a:e}"),
    }
}

/// The RFM table: one row per run (AD, then FD at each h), and what the columns mean.
pub fn print_rfm(report: &RfmReport) {
    let c = &report.config;
    println!(
        "RFM  {}  k={}  {}  m={}  n={}  scale={}  seed={}  order={}  {}",
        c.problem, c.k, c.activation, c.rfm.m, c.n, c.rfm.scale, c.seed, c.order, c.precision
    );
    println!(
        "threshold: {}   (K, H, exp H: adfd's truncated entropy of the singular values of A)",
        threshold_label(&c.threshold)
    );
    println!(
        "{:<12} {:>7} {:>8} {:>8} {:>10} {:>11} {:>11} {:>10} {:>10} {:>9}",
        "run",
        "K",
        "H",
        "exp H",
        "floor",
        "res_system",
        "res_true",
        "err_L2rel",
        "err_max",
        "time_ms"
    );
    for r in &report.runs {
        let k = format!("{}{}", r.cutoff, if r.k_counts_noise { "*" } else { " " });
        println!(
            "{:<12} {:>7} {:>8.4} {:>8.2} {:>10.2e} {:>11.3e} {:>11.3e} {:>10.3e} {:>10.3e} {:>9.1}",
            r.mode.to_string(),
            k,
            r.entropy,
            r.effective_modes,
            r.noise_floor,
            r.residual_system,
            r.residual_true,
            r.error_l2,
            r.error_max,
            r.time_ms
        );
    }
    println!(
        "floor = estimated round-off floor ‖E‖₂ of A in {} (FD: grows like ε/hᵖ; AD: a lower estimate); singular values below it are noise;",
        c.precision
    );
    if report.runs.iter().any(|r| r.k_counts_noise) {
        println!("* K counts round-off noise as modes: singular values between the cut and the floor are kept;");
    }
    println!("res_system = ‖Aa−F‖²/rows on the run's own system; res_true = mean (Lu−f)² on test points with the exact (AD) operator;");
    println!(
        "err_L2rel = ‖u−u*‖/‖u*‖, err_max = max|u−u*| on 1000 (1-D) or 50×50 (2-D) test points;"
    );
    println!(
        "time_ms = each run's own wall time; all {} runs were fitted in {:.1} ms (wall; {} at once).",
        report.runs.len(),
        report.time_ms,
        adfd::experiment::runs_at_once(c)
    );
}

/// The training table: one row per run, and what the columns mean.
pub fn print_train(report: &TrainReport) {
    let c = &report.config;
    println!(
        "train  {}  k={}  {}  widths={:?}  n={}  scale={}  seed={}  order={}  {}  {}  steps={}",
        c.problem,
        c.k,
        c.activation,
        c.net.hidden(),
        c.n,
        c.net.scale,
        c.seed,
        c.order,
        c.precision,
        c.train.optimizer,
        c.train.steps
    );
    println!("shared learning rate {:e} ({})", report.lr, report.lr_rule);
    println!(
        "threshold: {}   (K, H, exp H of the singular values of J at step 0; G = JJᵀ has their squares)",
        threshold_label(&c.threshold)
    );
    println!(
        "{:<12} {:>6} {:>8} {:>8} {:>10} {:>11} {:>11} {:>11} {:>9}  stopped",
        "run", "K0", "H0", "exp H0", "steps_10^q", "loss_0", "loss_end", "res_true", "steps/s"
    );
    for r in &report.runs {
        let k0 = &r.kernel[0];
        let tr = r.true_residual().unwrap_or(f64::NAN);
        println!(
            "{:<12} {:>6} {:>8.4} {:>8.2} {:>10} {:>11.3e} {:>11.3e} {:>11.3e} {:>9.0}  {}",
            r.mode.to_string(),
            k0.cutoff,
            k0.entropy,
            k0.effective_modes,
            r.speed
                .steps_to_target
                .map_or("-".into(), |s| s.to_string()),
            r.speed.initial_loss,
            r.speed.final_loss,
            tr,
            r.speed.steps_per_second,
            r.stopped
                .as_ref()
                .map_or("running".into(), |s| s.message.clone())
        );
    }
    println!(
        "steps_10^q = first step with loss ≤ 10^-{} · loss_0; loss = this run's own (AD or FD) loss;",
        c.train.decades
    );
    println!("res_true = mean (Lu−f)² on test points with the exact (AD) operator, at the last measured step.");
}
