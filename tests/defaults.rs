//! adfd's defaults solve their problems.
//!
//! * RFM (issue 9): for each problem and precision, the AD fit at `Config::defaults_for`
//!   is good on seeds 0–9 (relative L2 error ≤ 1e-4 in 1-D, ≤ 1e-2 in 2-D), and every
//!   default FD step size sits in the truncation regime: FD keeps no more spectral modes
//!   above the default threshold than AD does, and no run's cut lies below its
//!   estimated round-off floor (`k_counts_noise`).
//! * Networks (issue 23): at the network defaults for each problem (Levenberg–Marquardt,
//!   the CLI's `adfd train` and the page's two-layer network), AD's network learns the
//!   solution on seeds 0–9 (relative L2 error ≤ 1e-6 in 1-D, ≤ 1e-4 on Poisson 2-D,
//!   ≤ 1e-3 on biharmonic 2-D), and each FD network stops at its stencil's truncation
//!   error: halving h divides its error by 3 to 5.5 (4 for the second-order stencil).
//!   How long each takes is printed (`--nocapture`); the speed target itself lives in
//!   `./scripts/bench`.
//!
//! Built with optimizations only (`./scripts/test` runs it with `--release`).

#![cfg(not(debug_assertions))]

use adfd::{run_rfm, run_train, Config, ModelKind, Optimizer, Precision, ProblemKind};

#[test]
fn the_ad_fit_is_good_at_every_problems_defaults_on_ten_seeds() {
    for &problem in ProblemKind::ALL {
        for precision in [Precision::F64, Precision::F32] {
            let dim = adfd::Problem {
                kind: problem,
                k: 1,
            }
            .dim();
            let tol = if dim == 1 { 1e-4 } else { 1e-2 };
            for seed in 0..10 {
                let mut c = Config::defaults_for(problem, precision, ModelKind::Rfm);
                c.seed = seed;
                c.h.clear();
                let ad = &run_rfm(&c.check().unwrap()).unwrap().runs[0];
                assert!(
                    ad.error_l2 <= tol,
                    "{problem} {precision} seed {seed}: AD L2 error {:e} > {tol:e}",
                    ad.error_l2
                );
            }
        }
    }
}

#[test]
fn default_fd_steps_sit_in_the_truncation_regime() {
    for &problem in ProblemKind::ALL {
        for precision in [Precision::F64, Precision::F32] {
            for seed in [0, 5] {
                let mut c = Config::defaults_for(problem, precision, ModelKind::Rfm);
                c.seed = seed;
                let report = run_rfm(&c.check().unwrap()).unwrap();
                let ad = &report.runs[0];
                for run in &report.runs {
                    assert!(
                        !run.k_counts_noise,
                        "{problem} {precision} seed {seed} {}: the cut lies below the round-off floor {:e}",
                        run.mode,
                        run.noise_floor
                    );
                }
                for fd in &report.runs[1..] {
                    assert!(
                        fd.cutoff <= ad.cutoff,
                        "{problem} {precision} seed {seed} {}: K_FD {} > K_AD {} (noise counted)",
                        fd.mode,
                        fd.cutoff,
                        ad.cutoff
                    );
                }
            }
        }
    }
}

#[test]
fn f32_defaults_to_a_threshold_above_its_round_off() {
    let c = Config::defaults_for(ProblemKind::Poisson1d, Precision::F32, ModelKind::Rfm);
    let adfd::Threshold::Relative(a) = c.threshold else {
        panic!("relative by default")
    };
    assert!(a > f32::EPSILON as f64 * 10.0, "{a}");
}

#[test]
fn the_network_defaults_learn_the_solution_and_fd_stops_at_its_stencils_error() {
    for (problem, target) in [
        (ProblemKind::Poisson1d, 1e-6),
        (ProblemKind::Biharmonic1d, 1e-6),
        (ProblemKind::Poisson2d, 1e-4),
        (ProblemKind::Biharmonic2d, 1e-3),
    ] {
        let mut slowest = 0.0f64;
        for seed in 0..10 {
            let mut c = Config::defaults_for(problem, Precision::F64, ModelKind::Network);
            assert_eq!(c.train.optimizer, Optimizer::Lm);
            c.seed = seed;
            let start = std::time::Instant::now();
            let report = run_train(&c.check().unwrap()).unwrap();
            slowest = slowest.max(start.elapsed().as_secs_f64());
            let error: Vec<f64> = report.runs.iter().map(|r| r.error_l2).collect();
            assert!(
                error[0] <= target,
                "{problem} seed {seed}: AD's L2 error {:e} > {target:e}",
                error[0]
            );
            // The default h halve one after the other: h, h/2, h/4.
            for (i, pair) in report.config.h.windows(2).enumerate() {
                assert_eq!(pair[1], pair[0] / 2.0);
                let ratio = error[i + 1] / error[i + 2];
                assert!(
                    (3.0..=5.5).contains(&ratio),
                    "{problem} seed {seed}: error at h = {} over h = {}: {ratio}",
                    pair[0],
                    pair[1]
                );
            }
        }
        println!("{problem}: the slowest of 10 seeds took {slowest:.1} s");
    }
}
