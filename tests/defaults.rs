//! adfd's defaults fit (issue 9): for each problem and precision, the AD fit of the
//! RFM at `Config::defaults_for` is good on seeds 0–9 (relative L2 error ≤ 1e-4 in
//! 1-D, ≤ 1e-2 in 2-D), and every default FD step sits in the truncation regime: FD
//! keeps no more spectral modes above the default threshold than AD does, and no run's
//! cut lies below its estimated round-off floor (`k_counts_noise`). Built with
//! optimizations only (`./scripts/test` runs it with `--release`).

#![cfg(not(debug_assertions))]

use adfd::{run_rfm, Config, Precision, ProblemKind};

const PROBLEMS: [ProblemKind; 4] = [
    ProblemKind::Poisson1d,
    ProblemKind::Biharmonic1d,
    ProblemKind::Poisson2d,
    ProblemKind::Biharmonic2d,
];

#[test]
fn the_ad_fit_is_good_at_every_problems_defaults_on_ten_seeds() {
    for problem in PROBLEMS {
        for precision in [Precision::F64, Precision::F32] {
            let dim = adfd::Problem {
                kind: problem,
                k: 1,
            }
            .dim();
            let tol = if dim == 1 { 1e-4 } else { 1e-2 };
            for seed in 0..10 {
                let mut c = Config::defaults_for(problem, precision);
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
    for problem in PROBLEMS {
        for precision in [Precision::F64, Precision::F32] {
            for seed in [0, 5] {
                let mut c = Config::defaults_for(problem, precision);
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
    let c = Config::defaults_for(ProblemKind::Poisson1d, Precision::F32);
    let adfd::Threshold::Relative(a) = c.threshold else {
        panic!("relative by default")
    };
    assert!(a > f32::EPSILON as f64 * 10.0, "{a}");
}
