//! The round-off floor `rfm::noise_floor` against measured round-off, and the flag it
//! raises when `K(a)` counts noise as modes.
//!
//! Measured noise: the same `A` assembled in f32 and in f64, `‖A_f32 − A_f64‖₂`, the
//! f32 round-off (f64's own is 2²⁹ times smaller). Features, points and `h` are first
//! rounded to f32-representable values, so both matrices describe exactly the same
//! features at exactly the same points and the difference is the rounding of the
//! arithmetic alone, the part the floor estimates (rounding the inputs only moves
//! columns and rows smoothly, see the doc of `noise_floor`).

use adfd::activation::Activation;
use adfd::config::Config;
use adfd::jet::Precision;
use adfd::operator::DiffMode;
use adfd::operator::{DiffOp, Field, Stencil};
use adfd::problem::PointSet;
use adfd::problem::{Points, Problem, ProblemKind, Sampling};
use adfd::rfm::{self, Features, Init};
use adfd::spectrum::{self, Threshold};
use nalgebra::DMatrix;

fn to_f32(v: &mut [f64]) {
    for x in v {
        *x = *x as f32 as f64;
    }
}

/// What rounding the stencil weights to f32 alone changes in `A` (zero for order 2,
/// whose weights are integers): `ρ_i Σ_s (fl₃₂(c_s) − c_s) φ_j(x_i + s h) / hᵖ`, in f64.
/// It turns the stencil of `L` into one of `L + κ`, `κ = Σ_s fl₃₂(c_s)/hᵖ`: a smooth
/// perturbation, not noise, so it is taken out of the measured round-off.
fn weight_rounding(
    problem: &Problem,
    features: &Features,
    points: &Points,
    mode: DiffMode,
) -> DMatrix<f64> {
    let DiffMode::Fd { h, order } = mode else {
        return DMatrix::zeros(rfm::rows(problem, points), features.len());
    };
    let interior = problem.interior();
    let mut blocks: Vec<(DiffOp, f64, &PointSet)> =
        vec![(interior.op, interior.coefficient, &points.interior)];
    for &op in problem.boundary() {
        blocks.push((op, 1.0, &points.boundary));
    }
    let mut rows = Vec::new();
    for (op, rho, set) in blocks {
        let stencil = Stencil::new(op, problem.dim(), order);
        for x in set.iter() {
            let row: Vec<f64> = (0..features.len())
                .map(|j| {
                    let phi = features.feature(j);
                    let sum: f64 = stencil
                        .taps
                        .iter()
                        .map(|(off, c)| {
                            let at: Vec<f64> = x
                                .iter()
                                .zip(off)
                                .map(|(xk, o)| xk + h * *o as f64)
                                .collect();
                            (*c as f32 as f64 - c) * phi.eval::<f64>(&at)
                        })
                        .sum();
                    rho * sum / h.powi(stencil.p as i32)
                })
                .collect();
            rows.push(row);
        }
    }
    DMatrix::from_fn(rows.len(), features.len(), |i, j| rows[i][j])
}

/// `(estimate, measured)` f32 round-off of `A` for `mode`, `m = n = 200`, seed 1.
fn estimate_and_measured(kind: ProblemKind, scale: f64, mode: DiffMode) -> (f64, f64) {
    let problem = Problem { kind, k: 1 };
    let (m, n) = (200, 200);
    let dim = problem.dim();
    let mut features = Features::sample(dim, m, scale, Init::Uniform, Activation::Tanh, 1);
    let n_boundary = if dim == 1 { 2 } else { 4 * 15 };
    let mut points = Points::new(&problem, n, n_boundary, Sampling::Grid, 1);
    to_f32(&mut features.w);
    to_f32(&mut features.b);
    to_f32(&mut points.interior.coords);
    to_f32(&mut points.boundary.coords);
    let a32 = rfm::assemble::<f32>(&problem, &features, &points, mode, 1.0).a;
    let a64 = rfm::assemble::<f64>(&problem, &features, &points, mode, 1.0).a;
    let weights = weight_rounding(&problem, &features, &points, mode);
    let measured = spectrum::singular_values(&(a32 - a64 - weights), "A_f32 − A_f64").unwrap()[0];
    let estimate = rfm::noise_floor(&problem, &features, &points, mode, 1.0, Precision::F32);
    (estimate, measured)
}

/// FD: within a factor 2 of the measured f32 noise on every problem, `h` and `R`
/// (measured 0.65–1.5 with seed 1).
#[test]
fn fd_floor_is_within_a_factor_two_of_the_measured_f32_round_off() {
    let mut report = Vec::new();
    let mut worst: f64 = 1.0;
    for &kind in ProblemKind::ALL {
        for scale in [2.0, 10.0] {
            for h in [1e-1, 1e-2, 1e-3, 1e-4] {
                let h = h as f32 as f64;
                let (est, got) = estimate_and_measured(kind, scale, DiffMode::Fd { h, order: 2 });
                let ratio = est / got;
                worst = worst.max(ratio).max(1.0 / ratio);
                report.push(format!(
                    "{kind} R={scale} h={h:.0e}: estimate {est:.3e}, measured {got:.3e}, ratio {ratio:.2}"
                ));
            }
        }
    }
    let report = report.join("\n");
    println!("{report}");
    assert!(worst < 2.0, "estimate off by {worst:.2}×:\n{report}");
}

/// Order 4 stencils too: the floor follows their larger weights (their non-integer
/// weights' own rounding, a smooth `L + κ` perturbation, taken out of the measurement).
#[test]
fn fd_floor_follows_fourth_order_stencils() {
    let mut report = Vec::new();
    let mut worst: f64 = 1.0;
    for &kind in ProblemKind::ALL {
        for scale in [2.0, 10.0] {
            for h in [1e-1, 1e-3] {
                let h = h as f32 as f64;
                let (est, got) = estimate_and_measured(kind, scale, DiffMode::Fd { h, order: 4 });
                let ratio = est / got;
                worst = worst.max(ratio).max(1.0 / ratio);
                report.push(format!(
                    "{kind} R={scale} h={h:.0e} order 4: ratio {ratio:.2}"
                ));
            }
        }
    }
    let report = report.join("\n");
    println!("{report}");
    assert!(worst < 2.0, "estimate off by {worst:.2}×:\n{report}");
}

/// AD: a lower estimate, within a factor 5 below the measured noise (the jets'
/// recurrences round several times per coefficient; measured 0.28–0.51).
#[test]
fn ad_floor_is_a_lower_estimate_within_a_factor_five() {
    for &kind in ProblemKind::ALL {
        for scale in [2.0, 10.0] {
            let (est, got) = estimate_and_measured(kind, scale, DiffMode::Ad);
            let ratio = est / got;
            assert!(
                (0.2..1.0).contains(&ratio),
                "{kind} R={scale}: estimate {est:.3e}, measured {got:.3e}, ratio {ratio:.2}"
            );
        }
    }
}

/// biharmonic1d, m = n = 400, R = 10, a = 1e-8 relative, f64: at h = 1e-3 FD keeps
/// ~300 modes against AD's ~110 because its floor lies above the cut (round-off
/// counted as modes); at h = 1e-1 the floor lies far below the cut.
#[test]
fn k_counts_noise_for_a_small_step_on_the_biharmonic_problem_only() {
    let mut c = Config {
        problem: ProblemKind::Biharmonic1d,
        n: 400,
        h: vec![1e-1, 1e-3],
        threshold: Threshold::Relative(1e-8),
        ..Config::default()
    };
    c.rfm.m = 400;
    c.rfm.scale = 10.0;
    let report = adfd::experiment::run_rfm(&c.check().unwrap()).unwrap();
    let [ad, coarse, fine] = &report.runs[..] else {
        panic!("three runs")
    };
    let cut = |r: &adfd::report::RfmRun| 1e-8 * r.singular_values[0];
    assert!(
        fine.k_counts_noise,
        "h=1e-3: floor {:e}, cut {:e}",
        fine.noise_floor,
        cut(fine)
    );
    assert!(fine.noise_floor > cut(fine));
    assert!(
        fine.cutoff > ad.cutoff + 100,
        "K: FD {} vs AD {}",
        fine.cutoff,
        ad.cutoff
    );
    assert!(!coarse.k_counts_noise);
    assert!(coarse.noise_floor < 1e-3 * cut(coarse));
    assert!(!ad.k_counts_noise);
    // The floor grows like 1/h⁴ between the two steps (the interior rows dominate).
    let growth = fine.noise_floor / coarse.noise_floor;
    assert!((growth / 1e8 - 1.0).abs() < 1e-3, "growth {growth:e}");
}

/// In f32 the floor is 2²⁹ times f64's, and AD's K counts noise at a = 1e-8 too.
#[test]
fn single_precision_lifts_every_floor() {
    let mut c = Config {
        problem: ProblemKind::Biharmonic1d,
        n: 100,
        h: vec![1e-1],
        ..Config::default()
    };
    c.rfm.m = 100;
    let f64_runs = adfd::experiment::run_rfm(&c.clone().check().unwrap()).unwrap();
    c.precision = Precision::F32;
    let f32_runs = adfd::experiment::run_rfm(&c.check().unwrap()).unwrap();
    for (a, b) in f64_runs.runs.iter().zip(&f32_runs.runs) {
        assert!((b.noise_floor / a.noise_floor / 2f64.powi(29) - 1.0).abs() < 1e-12);
        assert!(!a.k_counts_noise, "{}: f64", a.mode);
        assert!(b.k_counts_noise, "{}: f32", b.mode);
    }
}
