//! Networks: gradients against central differences of the loss, input derivatives
//! against closed forms and nested differences, training behaviour, bad input.
#![allow(clippy::needless_range_loop)]

use adfd::net::forward::{directional_jet, probe};
use adfd::net::loss::{jacobian, loss_and_gradient, residuals};
use adfd::net::residual::Residuals;
use adfd::net::{Architecture, Network};
use adfd::operator::{apply_ad, DiffMode, DiffOp};
use adfd::problem::{Points, Problem, ProblemKind, Sampling};
use adfd::{Activation, Config, Experiment, ModelKind, Optimizer, Precision};
use adfd::{StopReason, TrainComparison, TrainReport};

type Edit = Box<dyn Fn(&mut Config)>;

fn net(dim: usize, widths: &[usize], act: Activation, scale: f64, seed: u64) -> Network {
    Network::init(
        Architecture {
            dim,
            widths: widths.to_vec(),
            activation: act,
        },
        scale,
        seed,
    )
}

/// ∇L by reverse mode against central differences of L itself, to ~1e-6 relative.
#[test]
fn gradients_match_central_differences_of_the_loss() {
    for &kind in ProblemKind::ALL {
        let problem = Problem { kind, k: 1 };
        let d = problem.dim();
        let points = Points::new(&problem, 9, 8, Sampling::Random, 3);
        for widths in [&[7][..], &[5, 4][..]] {
            for mode in [DiffMode::Ad, DiffMode::Fd { h: 0.1, order: 2 }] {
                let res = Residuals::new(&problem, &points, mode, 1.5);
                let mut nw = net(d, widths, Activation::Tanh, 1.0, 11);
                let mut g = vec![0.0; nw.theta.len()];
                let l = loss_and_gradient(&nw, &res, Precision::F64, Some(&mut g));
                assert!(l.is_finite() && l > 0.0);
                let mut diff2 = 0.0;
                let mut norm2 = 0.0;
                for k in 0..nw.theta.len() {
                    let t0 = nw.theta[k];
                    let eps = 1e-5 * (1.0 + t0.abs());
                    nw.theta[k] = t0 + eps;
                    let lp = loss_and_gradient(&nw, &res, Precision::F64, None);
                    nw.theta[k] = t0 - eps;
                    let lm = loss_and_gradient(&nw, &res, Precision::F64, None);
                    nw.theta[k] = t0;
                    let fd = (lp - lm) / (2.0 * eps);
                    diff2 += (fd - g[k]).powi(2);
                    norm2 += g[k] * g[k];
                }
                let rel = (diff2 / norm2).sqrt();
                assert!(
                    rel < 1e-6,
                    "{kind} widths {widths:?} {}: relative gradient error {rel:e}",
                    mode
                );
            }
        }
    }
}

/// The f32 model (its own matrix products for deeper networks, Taylor mode per neuron
/// for the tables) computes the same loss and gradient as f64, to f32's round-off:
/// within 100 ε₃₂ with AD, 100 ε₃₂ / hᵖ with FD (its stencil amplifies round-off by
/// 1/hᵖ). Measured: up to 6e-7 (AD), 5e-5 (p = 2), 5e-3 (p = 4), each about 10× inside;
/// a wrong product would be off by O(1).
#[test]
fn f32_loss_and_gradient_agree_with_f64_to_f32_round_off() {
    for &kind in ProblemKind::ALL {
        let problem = Problem { kind, k: 1 };
        let d = problem.dim();
        let points = Points::new(&problem, 9, 8, Sampling::Random, 4);
        for widths in [&[7][..], &[5, 4][..], &[6, 5, 3][..]] {
            for mode in [DiffMode::Ad, DiffMode::Fd { h: 0.1, order: 2 }] {
                let eps32 = Precision::F32.unit_roundoff();
                let tol = match mode {
                    DiffMode::Ad => 100.0 * eps32,
                    DiffMode::Fd { h, .. } => 100.0 * eps32 / h.powi(problem.order() as i32),
                };
                let res = Residuals::new(&problem, &points, mode, 1.5);
                let nw = net(d, widths, Activation::Tanh, 1.0, 12);
                let (mut g64, mut g32) = (vec![0.0; nw.theta.len()], vec![0.0; nw.theta.len()]);
                let l64 = loss_and_gradient(&nw, &res, Precision::F64, Some(&mut g64));
                let l32 = loss_and_gradient(&nw, &res, Precision::F32, Some(&mut g32));
                let what = format!("{kind} widths {widths:?} {mode}");
                assert!(
                    (l32 - l64).abs() <= 1e-3 * l64,
                    "{what}: loss {l32} vs {l64}"
                );
                let diff: f64 = g32.iter().zip(&g64).map(|(a, b)| (a - b).powi(2)).sum();
                let norm: f64 = g64.iter().map(|b| b * b).sum();
                let rel = (diff / norm).sqrt();
                assert!(rel <= tol, "{what}: relative gradient difference {rel:e}");
            }
        }
    }
}

/// `L = ‖r̃‖²` and `∇L = 2 Jᵀ r̃` with `r̃ = √ω r`: J, residuals and gradient agree.
#[test]
fn jacobian_is_consistent_with_loss_and_gradient() {
    let problem = Problem {
        kind: ProblemKind::Biharmonic2d,
        k: 1,
    };
    let points = Points::new(&problem, 16, 8, Sampling::Grid, 0);
    for widths in [&[6][..], &[4, 3][..]] {
        let res = Residuals::new(&problem, &points, DiffMode::Fd { h: 0.2, order: 4 }, 2.0);
        let nw = net(2, widths, Activation::Sigmoid, 2.0, 5);
        let r = residuals(&nw, &res, Precision::F64);
        let rt: Vec<f64> = r
            .iter()
            .zip(&res.rows)
            .map(|(r, row)| r * row.weight.sqrt())
            .collect();
        let mut g = vec![0.0; nw.theta.len()];
        let l = loss_and_gradient(&nw, &res, Precision::F64, Some(&mut g));
        let l2: f64 = rt.iter().map(|v| v * v).sum();
        assert!((l - l2).abs() <= 1e-12 * l);
        let j = jacobian(&nw, &res, Precision::F64);
        assert_eq!(j.shape(), (res.len(), nw.theta.len()));
        let jt_r = j.transpose() * nalgebra::DVector::from_vec(rt);
        for k in 0..g.len() {
            assert!(
                (2.0 * jt_r[k] - g[k]).abs() <= 1e-10 * (1.0 + g[k].abs()),
                "k = {k}"
            );
        }
    }
}

/// One neuron, `u = a σ(wx + b)`: `u⁽ᵏ⁾ = a wᵏ σ⁽ᵏ⁾(wx + b)` with closed-form
/// derivatives of sin and tanh.
#[test]
fn one_neuron_input_derivatives_match_closed_forms() {
    let (w, b, a, x) = (1.3, -0.4, 0.7, 0.35);
    let z: f64 = w * x + b;
    let t = z.tanh();
    let tanh_d = [
        t,
        1.0 - t * t,
        -2.0 * t * (1.0 - t * t),
        -2.0 + 8.0 * t * t - 6.0 * t.powi(4),
        8.0 * t * (1.0 - t * t) * (2.0 - 3.0 * t * t),
    ];
    let sin_d = [z.sin(), z.cos(), -z.sin(), -z.cos(), z.sin()];
    for (act, d) in [(Activation::Tanh, tanh_d), (Activation::Sin, sin_d)] {
        let nw = Network {
            arch: Architecture {
                dim: 1,
                widths: vec![1],
                activation: act,
            },
            theta: vec![w, b, a],
        };
        let c = directional_jet::<5, 6>(&nw, &[x], &[1.0]);
        let mut fact = 1.0;
        for k in 0..5 {
            if k > 0 {
                fact *= k as f64;
            }
            let expect = a * w.powi(k as i32) * d[k];
            assert!(
                (c[k] * fact - expect).abs() < 1e-12 * (1.0 + expect.abs()),
                "{act} k = {k}: {} vs {expect}",
                c[k] * fact
            );
        }
    }
}

/// Two hidden layers of one neuron: `u = a σ(W σ(wx + b) + β)`,
/// `u'' = a [σ''(z₂)(W σ'(z₁) w)² + σ'(z₂) W σ''(z₁) w²]` (closed form, sin).
#[test]
fn two_layer_chain_second_derivative_matches_closed_form() {
    let (w, b, ww, beta, a, x) = (0.9_f64, 0.2, -1.1, 0.3, 1.4, -0.6);
    let z1 = w * x + b;
    let z2 = ww * z1.sin() + beta; // fan-in 1, so the 1/√m factor is 1
    let u2 = a * (-z2.sin() * (ww * z1.cos() * w).powi(2) + z2.cos() * ww * (-z1.sin()) * w * w);
    let nw = Network {
        arch: Architecture {
            dim: 1,
            widths: vec![1, 1],
            activation: Activation::Sin,
        },
        theta: vec![w, b, ww, beta, a],
    };
    let c = directional_jet::<3, 4>(&nw, &[x], &[1.0]);
    assert!((2.0 * c[2] - u2).abs() < 1e-13, "{} vs {u2}", 2.0 * c[2]);
}

/// A 2-hidden-layer MLP: jets against nested central differences of values (u'')
/// and of jet second derivatives (u''''), and the probes' polarized 2-D Δ²u
/// against the jet library's own σ on jets (operator::apply_ad on the network).
#[test]
fn mlp_input_derivatives_match_nested_differences() {
    let nw = net(1, &[6, 5], Activation::Tanh, 1.5, 2);
    let x = 0.3;
    let c = directional_jet::<5, 6>(&nw, &[x], &[1.0]);
    let h = 1e-4;
    let u = |x: f64| nw.value(&[x]);
    let d2 = (u(x + h) - 2.0 * u(x) + u(x - h)) / (h * h);
    assert!(
        (2.0 * c[2] - d2).abs() < 1e-5 * (1.0 + d2.abs()),
        "{} {d2}",
        2.0 * c[2]
    );
    let upp = |x: f64| 2.0 * directional_jet::<3, 4>(&nw, &[x], &[1.0])[2];
    let h = 1e-3;
    let d4 = (upp(x + h) - 2.0 * upp(x) + upp(x - h)) / (h * h);
    assert!(
        (24.0 * c[4] - d4).abs() < 1e-4 * (1.0 + d4.abs()),
        "{} {d4}",
        24.0 * c[4]
    );

    let nw2 = net(2, &[5, 4], Activation::Softplus, 1.0, 9);
    let p = [0.2, -0.45];
    let problem = Problem {
        kind: ProblemKind::Biharmonic2d,
        k: 1,
    };
    let points = Points {
        interior: adfd::problem::PointSet {
            dim: 2,
            coords: p.to_vec(),
        },
        boundary: adfd::problem::PointSet {
            dim: 2,
            coords: vec![],
        },
    };
    let res = Residuals::new(&problem, &points, DiffMode::Ad, 1.0);
    let r = residuals(&nw2, &res, Precision::F64)[0];
    let bilap_probes = r + problem.source(&p);
    let bilap_jets: f64 = apply_ad(DiffOp::Bilaplacian, &nw2, &p);
    assert!(
        (bilap_probes - bilap_jets).abs() < 1e-10 * (1.0 + bilap_jets.abs()),
        "{bilap_probes} vs {bilap_jets}"
    );
    let lap: f64 = apply_ad(DiffOp::Laplacian, &nw2, &p);
    let lap_probes: f64 = [[1.0, 0.0], [0.0, 1.0]]
        .iter()
        .map(|v| probe::<f64, 3, 4>(&nw2, &p, v, 2.0, None))
        .sum();
    assert!((lap - lap_probes).abs() < 1e-12 * (1.0 + lap.abs()));
}

/// The two-layer fast path (shared derivative table, specialised reverse rule) gives
/// the same residuals as the jet library's own σ on jets applied to the network as a
/// `Field`: `r = c·op u − f` at every interior point, all four problems.
#[test]
fn two_layer_fast_path_matches_field_jets() {
    for &kind in ProblemKind::ALL {
        let problem = Problem { kind, k: 2 };
        let points = Points::new(&problem, 5, 4, Sampling::Random, 8);
        let nw = net(problem.dim(), &[9], Activation::Gaussian, 2.0, 4);
        let res = Residuals::new(&problem, &points, DiffMode::Ad, 1.0);
        let r = residuals(&nw, &res, Precision::F64);
        let t = problem.interior();
        for (i, x) in points.interior.iter().enumerate() {
            let expect = t.coefficient * apply_ad::<f64, _>(t.op, &nw, x) - problem.source(x);
            assert!(
                (r[i] - expect).abs() < 1e-10 * (1.0 + expect.abs()),
                "{kind}: {} vs {expect}",
                r[i]
            );
        }
    }
}

/// Trains `c` to the end.
fn train(c: &Config) -> TrainReport {
    adfd::run_train(&c.clone().check().unwrap()).unwrap()
}

/// A comparison set up for `c`.
fn comparison(c: &Config) -> TrainComparison {
    TrainComparison::new(&c.clone().check().unwrap()).unwrap()
}

/// `n` training steps of every run of `c` (fewer where a run stops).
fn steps(c: &mut TrainComparison, n: usize) {
    for _ in 0..n {
        c.step().unwrap();
    }
}

fn train_config(problem: ProblemKind, m: usize, n: usize, seed: u64) -> Config {
    let mut c = Config {
        problem,
        n,
        seed,
        model: ModelKind::Network,
        ..Config::default()
    };
    c.net.width = m;
    c.h = vec![];
    // The theory's optimizer; Levenberg–Marquardt is tested in tests/lm.rs.
    c.train.optimizer = Optimizer::Gd;
    c
}

/// GD on poisson1d (m = n = 100) reduces the loss at least 100-fold.
#[test]
fn gd_reduces_poisson_loss_100_fold() {
    let mut c = train_config(ProblemKind::Poisson1d, 100, 100, 0);
    c.train.steps = 300;
    c.train.every = 300;
    let report = train(&c);
    let s = &report.runs[0].speed;
    assert!(
        s.loss_reduction >= 100.0,
        "loss {} → {}",
        s.initial_loss,
        s.final_loss
    );
    assert_eq!(
        report.runs[0].stopped.as_ref().unwrap().reason,
        StopReason::Steps
    );
}

/// A huge learning rate diverges; the run stops with that reason and keeps finite parameters.
#[test]
fn divergence_stops_cleanly() {
    for opt in [Optimizer::Gd, Optimizer::Adam] {
        let mut c = train_config(ProblemKind::Biharmonic1d, 20, 20, 1);
        c.h = vec![0.1];
        c.train.optimizer = opt;
        c.train.lr = Some(1e6);
        c.train.steps = 500;
        let mut cmp = comparison(&c);
        steps(&mut cmp, 500);
        assert!(cmp.is_finished());
        for run in cmp.runs() {
            let stop = run.stopped().unwrap();
            if opt == Optimizer::Gd {
                assert_eq!(stop.reason, StopReason::Diverged, "{}", stop.message);
                assert!(stop.message.contains("diverged"));
            }
            assert!(run.network().theta.iter().all(|v| v.is_finite()));
            assert!(run.latest_loss().is_finite());
        }
        let json = serde_json::to_string(&cmp.report()).unwrap();
        assert!(json.contains("\"runs\""));
    }
}

/// Stepping is resumable: 3 + 4 steps equal 7 steps, and reset returns to the init.
#[test]
fn comparison_is_resumable_and_resettable() {
    let mut c = train_config(ProblemKind::Poisson2d, 8, 16, 2);
    c.h = vec![0.1];
    c.train.steps = 7;
    c.train.every = 2;
    c.train.optimizer = Optimizer::Adam;
    c.train.lr = Some(1e-2);
    let mut a = comparison(&c);
    let mut b = a.clone();
    steps(&mut a, 3);
    assert!(!a.is_finished());
    steps(&mut a, 4);
    steps(&mut b, 7);
    assert!(a.is_finished() && b.is_finished());
    for (ra, rb) in a.runs().iter().zip(b.runs()) {
        assert_eq!(ra.network().theta, rb.network().theta);
        assert_eq!(ra.step(), 7);
        assert_eq!(ra.kernels().len(), 5); // steps 0, 2, 4, 6, 7
    }
    a.reset().unwrap();
    assert_eq!(a.runs()[0].network(), a.init());
    assert_eq!(a.runs()[1].step(), 0);
}

/// Out-of-range network settings and a Jacobian too large for memory are named errors.
#[test]
fn bad_network_input_is_rejected_with_the_field() {
    let base = train_config(ProblemKind::Poisson1d, 10, 10, 0);
    let cases: Vec<(&str, Edit)> = vec![
        ("net.width", Box::new(|c| c.net.width = 0)),
        ("net.layers", Box::new(|c| c.net.layers = 20)),
        ("train.lr", Box::new(|c| c.train.lr = Some(-1.0))),
        ("train.steps", Box::new(|c| c.train.steps = 0)),
        ("train.every", Box::new(|c| c.train.every = 0)),
        ("train.decades", Box::new(|c| c.train.decades = f64::NAN)),
        (
            "net.width",
            Box::new(|c| {
                c.n = 20_000;
                c.net.width = 5000;
            }),
        ),
    ];
    for (field, set) in cases {
        let mut c = base.clone();
        set(&mut c);
        let e = c.check().unwrap_err();
        assert_eq!(e.field(), Some(field), "{e}");
    }
}

/// Adam and single precision also train: the loss falls and the report is finite.
#[test]
fn adam_and_f32_reduce_the_loss() {
    for (opt, precision, lr) in [
        (Optimizer::Adam, Precision::F64, Some(1e-2)),
        (Optimizer::Gd, Precision::F32, None),
    ] {
        let mut c = train_config(ProblemKind::Poisson2d, 20, 36, 4);
        c.h = vec![0.1];
        c.precision = precision;
        c.train.optimizer = opt;
        c.train.lr = lr;
        c.train.steps = 100;
        c.train.every = 50;
        let report = train(&c);
        for r in &report.runs {
            assert!(
                r.speed.final_loss < 0.5 * r.speed.initial_loss,
                "{opt:?} {precision:?}: {} → {}",
                r.speed.initial_loss,
                r.speed.final_loss
            );
        }
    }
}

/// A loss target stops each run as soon as its loss is at or below it.
#[test]
fn loss_target_stops_the_run() {
    let mut c = train_config(ProblemKind::Poisson1d, 30, 30, 0);
    c.h = vec![0.1];
    c.train.steps = 1000;
    c.train.loss_target = Some(1.0);
    let report = train(&c);
    for r in &report.runs {
        let stop = r.stopped.as_ref().unwrap();
        assert_eq!(stop.reason, StopReason::LossTarget, "{}", stop.message);
        let last = r.loss.last().unwrap();
        assert!(last.loss <= 1.0 && last.step < 1000 && last.step == stop.step);
        assert!(r.loss[..r.loss.len() - 1].iter().all(|p| p.loss > 1.0));
        assert!(last.true_residual.is_some());
    }
}

/// History is thinned as it is stored: a run of many steps keeps a bounded loss curve
/// and kernel history (both ends kept), yet reports the exact first step that reached
/// the speed target, as a short run of the same config does.
#[test]
fn long_runs_keep_bounded_history_and_exact_speed() {
    use adfd::experiment::{KERNEL_POINTS, LOSS_POINTS};
    let mut c = train_config(ProblemKind::Poisson1d, 4, 8, 0);
    c.h = vec![0.1];
    c.train.steps = 3 * LOSS_POINTS;
    c.train.every = 1;
    c.train.decades = 1.0;
    let mut long = comparison(&c);
    while !long.is_finished() {
        long.step().unwrap();
    }
    let report = long.report();
    for (run, r) in long.runs().iter().zip(&report.runs) {
        assert!(run.loss_curve().len() <= LOSS_POINTS + 1);
        assert!(run.kernels().len() <= KERNEL_POINTS + 1);
        assert!(run.records().len() <= KERNEL_POINTS + 1);
        assert_eq!(r.loss.first().unwrap().step, 0);
        assert_eq!(r.loss.last().unwrap().step, 3 * LOSS_POINTS);
        assert_eq!(r.kernel.last().unwrap().step, 3 * LOSS_POINTS);
        assert!(r.loss.windows(2).all(|w| w[0].step < w[1].step), "by step");
        // Exact: the same config cut at the reported step reaches the target there.
        let at = r.speed.steps_to_target.expect("1 decade is reached");
        let mut short = c.clone();
        short.train.steps = at;
        let s = train(&short);
        let run_short = s.runs.iter().find(|x| x.mode == r.mode).unwrap();
        assert_eq!(run_short.speed.steps_to_target, Some(at), "{}", r.mode);
    }
}
