//! The random feature model end to end: accuracy, reports, reproducible features
//! and points. (The paper's claims are measured over many seeds in tests/claims.rs.)

use adfd::problem::{Points, Problem, ProblemKind};
use adfd::rfm::{Features, Init};
use adfd::{run_rfm, Activation, Config, DiffMode, RfmReport, RfmRun};

fn config(problem: ProblemKind, m: usize, n: usize, h: &[f64]) -> Config {
    let mut c = Config {
        problem,
        n,
        h: h.to_vec(),
        ..Config::default()
    };
    c.rfm.m = m;
    c
}

fn report(c: &Config) -> RfmReport {
    run_rfm(&c.clone().check().unwrap()).unwrap()
}

fn runs(c: &Config) -> Vec<RfmRun> {
    report(c).body.runs
}

#[test]
fn ad_solves_poisson1d_and_biharmonic1d() {
    let mut c = config(ProblemKind::Poisson1d, 200, 200, &[]);
    c.seed = 7;
    let ad = &runs(&c)[0];
    assert_eq!(ad.mode, DiffMode::Ad);
    assert!(ad.error_l2 < 1e-6, "poisson1d L2 error {:e}", ad.error_l2);
    c.problem = ProblemKind::Biharmonic1d;
    let ad = &runs(&c)[0];
    assert!(
        ad.error_l2 < 1e-4,
        "biharmonic1d L2 error {:e}",
        ad.error_l2
    );
}

#[test]
fn ad_solves_the_two_dimensional_problems() {
    for (problem, tol) in [
        (ProblemKind::Poisson2d, 1e-3),
        (ProblemKind::Biharmonic2d, 1e-2),
    ] {
        let mut c = config(problem, 400, 400, &[]);
        c.rfm.scale = 3.0;
        let ad = &runs(&c)[0];
        assert!(ad.error_l2 < tol, "{problem}: L2 error {:e}", ad.error_l2);
        assert!(ad.residual_true.is_finite());
    }
}

#[test]
fn report_carries_what_an_independent_recheck_needs() {
    let c = config(ProblemKind::Biharmonic1d, 30, 20, &[0.1, 0.01]);
    let report = report(&c);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["features"]["w"].as_array().unwrap().len(), 30);
    assert_eq!(json["features"]["w"][0].as_array().unwrap().len(), 1);
    assert_eq!(json["points"]["interior"].as_array().unwrap().len(), 20);
    assert_eq!(json["points"]["boundary"].as_array().unwrap().len(), 2);
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0]["mode"], "ad");
    assert!(runs[0]["h"].is_null());
    assert_eq!(runs[2]["h"], 0.01);
    for key in [
        "singular_values",
        "cutoff",
        "entropy",
        "residual_system",
        "residual_true",
        "error_l2",
        "error_max",
    ] {
        assert!(!runs[1][key].is_null(), "missing {key}");
    }
    // min(rows, m) singular values, descending.
    let s: Vec<f64> = serde_json::from_value(runs[1]["singular_values"].clone()).unwrap();
    assert_eq!(s.len(), 24);
    assert!(s.windows(2).all(|w| w[0] >= w[1]));
    // The config in the report re-runs to the same numbers.
    let again: Config = serde_json::from_value(json["config"].clone()).unwrap();
    assert_eq!(
        self::runs(&again)[1].singular_values,
        report.runs[1].singular_values
    );
}

/// An independent Xoshiro256++ (seeded by SplitMix64, per Vigna's reference code)
/// to pin down that features are drawn from the named portable generator.
struct Reference([u64; 4]);
impl Reference {
    fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Reference([next(), next(), next(), next()])
    }
    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64))
    }
}

#[test]
fn same_seed_gives_bit_identical_features_from_the_named_generator() {
    for seed in [0u64, 1, 12345, (1 << 53) - 1] {
        let f = Features::sample(2, 50, 10.0, Init::Uniform, Activation::Tanh, seed);
        let mut r = Reference::new(seed);
        for j in 0..50 {
            for k in 0..2 {
                assert_eq!(
                    f.w[2 * j + k].to_bits(),
                    r.uniform(-10.0, 10.0).to_bits(),
                    "seed {seed}, w[{j}][{k}]"
                );
            }
            assert_eq!(
                f.b[j].to_bits(),
                r.uniform(-10.0, 10.0).to_bits(),
                "seed {seed}, b[{j}]"
            );
        }
    }
    // Normal draws are reproducible too, and have the requested spread.
    let a = Features::sample(1, 4000, 2.0, Init::Normal, Activation::Tanh, 3);
    assert_eq!(
        a,
        Features::sample(1, 4000, 2.0, Init::Normal, Activation::Tanh, 3)
    );
    let var = a.w.iter().map(|w| w * w).sum::<f64>() / 4000.0;
    assert!((var.sqrt() - 2.0).abs() < 0.1, "std {}", var.sqrt());
}

#[test]
fn points_lie_where_they_should() {
    let p = Problem {
        kind: ProblemKind::Poisson2d,
        k: 1,
    };
    for sampling in [adfd::Sampling::Grid, adfd::Sampling::Random] {
        let pts = Points::new(&p, 100, 40, sampling, 5);
        assert_eq!(pts.interior.len(), 100);
        assert!(pts.interior.coords.iter().all(|c| c.abs() < 1.0));
        assert_eq!(pts.boundary.len(), 40);
        assert!(pts
            .boundary
            .iter()
            .all(|y| (y[0].abs() - 1.0).abs() < 1e-15 || (y[1].abs() - 1.0).abs() < 1e-15));
    }
}

/// The fast f64 assembly (vectorized columns, closed-form `σ⁽ᵖ⁾`) against the scalar
/// route it replaces on every problem: FD entries are the same bits as the stencil
/// applied feature by feature; AD entries, and the exact operator on the test points
/// (`interior_operator_matrix`), agree with Taylor-mode jets to 1e-12 of each column's
/// largest entry.
#[test]
fn fast_assembly_matches_the_scalar_route_on_every_problem() {
    use adfd::operator::Prepared;
    use adfd::rfm::{assemble, interior_operator_matrix};
    for &kind in ProblemKind::ALL {
        let c = config(kind, 24, 64, &[1e-2]);
        let (problem, features, points) = (c.problem(), c.features(), c.points());
        let dim = problem.dim();
        let close = |got: f64, want: f64, scale: f64, what: &str| {
            assert!(
                (got - want).abs() <= 1e-12 * scale,
                "{kind:?} {what}: {got:e} vs {want:e} (column max {scale:e})"
            );
        };
        // Rows as assemble orders them: interior, then each boundary operator's block.
        let mut rows = vec![(
            problem.interior().op,
            problem.interior().coefficient,
            &points.interior,
        )];
        for &op in problem.boundary() {
            rows.push((op, c.lambda.sqrt(), &points.boundary));
        }
        for mode in c.modes() {
            let a = assemble::<f64>(&problem, &features, &points, mode, c.lambda).a;
            for j in 0..features.len() {
                let phi = features.feature(j);
                let scale = a.column(j).amax();
                let mut i = 0;
                for &(op, coef, set) in &rows {
                    let prepared = Prepared::new(op, mode, dim);
                    for x in set.iter() {
                        let want = coef * prepared.apply::<f64, _>(&phi, x);
                        match mode {
                            DiffMode::Fd { .. } => assert_eq!(
                                a[(i, j)].to_bits(),
                                want.to_bits(),
                                "{kind:?} FD entry ({i}, {j})"
                            ),
                            DiffMode::Ad => close(a[(i, j)], want, scale, "AD entry"),
                        }
                        i += 1;
                    }
                }
            }
        }
        let test = Points::test(&problem);
        let t = interior_operator_matrix(&problem, &features, &test);
        let term = problem.interior();
        for j in 0..features.len() {
            let scale = t.column(j).amax();
            for (i, x) in test.iter().enumerate() {
                let want = term.coefficient
                    * adfd::operator::apply_ad::<f64, _>(term.op, &features.feature(j), x);
                close(t[(i, j)], want, scale, "test operator entry");
            }
        }
    }
}
