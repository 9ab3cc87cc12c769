//! Results do not depend on the thread count: the RFM matrices, a whole RFM comparison
//! (whose runs are fitted one per thread at once), a network's loss, gradient and
//! Jacobian, and a whole training comparison (whose runs are stepped in parallel)
//! computed in rayon pools of 1, 2 and 4 threads are equal bit for bit (fixed chunking
//! of points, reductions in a fixed order). Native only (the page's threaded build is
//! checked by tests/page/threads.test.mjs).
#![cfg(not(target_arch = "wasm32"))]

use adfd::experiment::{runs_at_once, PARALLEL_ENTRIES};
use adfd::net::loss::{jacobian, loss_and_gradient};
use adfd::net::residual::Residuals;
use adfd::net::{Architecture, Network};
use adfd::operator::DiffMode;
use adfd::problem::{Points, Problem, ProblemKind, Sampling};
use adfd::{rfm, Activation, Config, ModelKind, Optimizer, Precision};

fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn rfm_matrices_are_the_same_bits_on_1_2_and_4_threads() {
    for problem in [ProblemKind::Poisson1d, ProblemKind::Biharmonic2d] {
        let mut config = Config {
            problem,
            n: 130,
            h: vec![1e-2],
            ..Config::default()
        };
        config.rfm.m = 70;
        let (p, features, points) = (config.problem(), config.features(), config.points());
        let run = |threads| {
            in_pool(threads, || {
                config
                    .modes()
                    .iter()
                    .map(|&mode| {
                        bits(
                            rfm::assemble::<f64>(&p, &features, &points, mode, 1.0)
                                .a
                                .as_slice(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        };
        let one = run(1);
        assert_eq!(one, run(2), "{problem:?}: 1 vs 2 threads");
        assert_eq!(one, run(4), "{problem:?}: 1 vs 4 threads");
    }
}

/// A comparison's runs as JSON with round-trip floats (equal strings are equal bits),
/// with the field at `timing` (the one figure meant to differ) blanked.
fn runs_without(runs: impl serde::Serialize, timing: &[&str]) -> String {
    let mut runs = serde_json::to_value(runs).unwrap();
    let (last, path) = timing.split_last().unwrap();
    for run in runs.as_array_mut().unwrap() {
        let slot = path.iter().fold(run, |v, k| &mut v[*k]);
        slot[*last] = serde_json::Value::Null;
    }
    serde_json::to_string(&runs).unwrap()
}

/// Asserts that `runs(threads)` holds `count` runs and is the same on 1, 2 and 4 threads.
fn assert_same_on_1_2_and_4_threads(count: usize, runs: impl Fn(usize) -> String) {
    let one = runs(1);
    assert_eq!(one.matches("\"mode\"").count(), count, "AD and each FD run");
    assert_eq!(one, runs(2), "1 vs 2 threads");
    assert_eq!(one, runs(4), "1 vs 4 threads");
}

#[test]
fn rfm_comparison_is_the_same_bits_on_1_2_and_4_threads() {
    let config = Config {
        n: 150,
        h: vec![1e-1, 1e-2, 1e-3],
        ..Config::default()
    };
    let valid = config.check().unwrap();
    assert_same_on_1_2_and_4_threads(4, |threads| {
        let report = in_pool(threads, || adfd::run_rfm(&valid).unwrap());
        runs_without(report.body.runs, &["time_ms"])
    });
}

#[test]
fn training_comparison_is_the_same_bits_on_1_2_and_4_threads() {
    // GD, Adam and Levenberg–Marquardt (whose runs step runs_at_once at a time, each
    // forming its Gram matrix and Cholesky factors sequentially).
    for optimizer in [Optimizer::Gd, Optimizer::Adam, Optimizer::Lm] {
        let mut config = Config {
            model: adfd::ModelKind::Network,
            n: 60,
            h: vec![1e-1, 1e-3],
            ..Config::default()
        };
        config.net.width = 20;
        config.train.optimizer = optimizer;
        config.train.steps = 30;
        config.train.every = 10;
        let valid = config.check().unwrap();
        assert_same_on_1_2_and_4_threads(3, |threads| {
            let report = in_pool(threads, || adfd::run_train(&valid).unwrap());
            runs_without(report.body.runs, &["speed", "steps_per_second"])
        });
    }
}

#[test]
fn rfm_fits_one_run_per_thread_while_their_matrices_are_small() {
    let sized = |m: usize, n: usize| {
        let mut c = Config {
            n,
            ..Config::default()
        };
        c.rfm.m = m;
        c
    };
    let (small, large) = (sized(400, 400), sized(3000, 3000));
    assert_eq!(in_pool(4, || runs_at_once(&small)), 4);
    assert_eq!(in_pool(1, || runs_at_once(&small)), 1);
    // 3002 × 3000 entries is over PARALLEL_ENTRIES alone: one fit at a time.
    assert!(large.rows() * large.rfm.m > PARALLEL_ENTRIES);
    assert_eq!(in_pool(4, || runs_at_once(&large)), 1);
    // Two of 1202 × 1200 fit within it, three do not.
    assert_eq!(in_pool(4, || runs_at_once(&sized(1200, 1200))), 2);
}

#[test]
fn networks_measure_one_run_per_thread_while_their_jacobians_are_small() {
    let sized = |width: usize, layers: usize| {
        let mut c = Config {
            model: ModelKind::Network,
            ..Config::default()
        };
        (c.net.width, c.net.layers) = (width, layers);
        c
    };
    // J of the default two-layer network: 402 × 300 entries; of 2 layers of 100:
    // 402 × 10 400, over PARALLEL_ENTRIES alone.
    let (small, large) = (sized(100, 1), sized(100, 2));
    assert_eq!(in_pool(4, || runs_at_once(&small)), 4);
    assert_eq!(in_pool(1, || runs_at_once(&small)), 1);
    assert!(large.rows() * large.architecture().num_params() > PARALLEL_ENTRIES);
    assert_eq!(in_pool(4, || runs_at_once(&large)), 1);
}

#[test]
fn network_loss_gradient_and_jacobian_are_the_same_bits_on_1_2_and_4_threads() {
    for (kind, mode) in [
        (ProblemKind::Poisson1d, DiffMode::Ad),
        (ProblemKind::Biharmonic1d, DiffMode::Fd { h: 0.1, order: 2 }),
        (ProblemKind::Poisson2d, DiffMode::Ad),
    ] {
        let problem = Problem { kind, k: 1 };
        let points = Points::new(&problem, 97, 0, Sampling::Grid, 3);
        let res = Residuals::new(&problem, &points, mode, 1.0);
        for widths in [vec![150], vec![12, 9]] {
            let net = Network::init(
                Architecture {
                    dim: problem.dim(),
                    widths,
                    activation: Activation::Tanh,
                },
                3.0,
                1,
            );
            let run = |threads| {
                in_pool(threads, || {
                    let mut g = vec![0.0; net.theta.len()];
                    let l = loss_and_gradient(&net, &res, Precision::F64, Some(&mut g));
                    let j = jacobian(&net, &res, Precision::F64);
                    (l.to_bits(), bits(&g), bits(j.as_slice()))
                })
            };
            let one = run(1);
            assert!(one == run(2), "{kind:?} {mode:?}: 1 vs 2 threads");
            assert!(one == run(4), "{kind:?} {mode:?}: 1 vs 4 threads");
        }
    }
}
