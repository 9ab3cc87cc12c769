//! Levenberg–Marquardt against answers known independently.
//!
//! * With the hidden layer frozen a two-layer network is linear in its output weights
//!   `a`: `u = (1/√m) Σ a_k σ(w_k·x + b_k)` is a random feature model with coefficients
//!   `c = a/√m`. One Gauss–Newton step with `μ → 0` from any `a` is then the
//!   least-squares solution, which the RFM computes by its own assembly (feature
//!   columns, not the network's jets) and its own solver (the SVD pseudo-inverse, not
//!   Cholesky of the Gram matrix).
//! * A whole training run never raises its loss, and at the end the network has
//!   learned the solution where gradient descent at `c/λ_max` has not.

use adfd::net::loss::linearization;
use adfd::net::residual::Residuals;
use adfd::net::Network;
use adfd::optimizer::lm::{Form, GaussNewton};
use adfd::rfm::{self, Features};
use adfd::{spectrum, Config, DiffMode, ModelKind, Optimizer, Precision, ProblemKind};
use faer::MatRef;

/// The least-squares output weights of `net`'s frozen hidden layer on `problem`,
/// (a) by one undamped Gauss–Newton step on the network's own `J` restricted to `a`
/// and (b) by the RFM with the same features, its boundary weight chosen so that its
/// least-squares objective is proportional to the network's loss.
fn frozen_hidden_layer(problem: ProblemKind, width: usize, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut c = Config::defaults_for(problem, Precision::F64, ModelKind::Network);
    c.model = ModelKind::Network;
    c.n = n;
    c.net.width = width;
    c.net.scale = 4.0;
    c.seed = 3;
    let c = c.check().unwrap();
    let (p, points) = (c.problem(), c.points());
    let net = Network::init(c.architecture(), c.net.scale, c.seed);
    let res = Residuals::new(&p, &points, DiffMode::Ad, c.lambda);
    let (j, r) = linearization(&net, &res, Precision::F64);
    // J's columns for a: the last `width` parameters.
    let a0 = net.arch.a_offset();
    let ja = j.columns(a0, width).into_owned();
    let gn = GaussNewton::new(
        MatRef::from_column_major_slice(ja.as_slice(), ja.nrows(), ja.ncols()),
        &r,
    );
    assert_eq!(
        gn.form(),
        Form::ParameterSpace,
        "more rows than output weights"
    );
    let step = gn.step(1e-13).unwrap();
    let a: Vec<f64> = net.theta[a0..]
        .iter()
        .zip(&step.delta)
        .map(|(a, d)| a - d)
        .collect();

    // The network's loss weights rows by 1/n inside and λ/n_b on the boundary; the
    // RFM's by 1 and λ_RFM: equal up to a factor when λ_RFM = λ·n/n_b.
    let (ni, nb) = (
        points.interior.len(),
        points.boundary.len() * p.boundary().len(),
    );
    let features = Features {
        dim: p.dim(),
        w: net.theta[..width * p.dim()].to_vec(),
        b: net.theta[width * p.dim()..a0].to_vec(),
        activation: c.activation,
    };
    let system = rfm::assemble::<f64>(&p, &features, &points, DiffMode::Ad, ni as f64 / nb as f64);
    let (coef, _) = spectrum::least_squares(&system.a, &system.f, 1e-15, "A").unwrap();
    let scaled: Vec<f64> = a.iter().map(|a| a / (width as f64).sqrt()).collect();
    (scaled, coef)
}

#[test]
fn one_undamped_step_with_the_hidden_layer_frozen_is_the_rfm_least_squares_fit() {
    for (problem, width, n) in [
        (ProblemKind::Poisson1d, 8, 60),
        (ProblemKind::Biharmonic1d, 8, 50),
        (ProblemKind::Poisson2d, 10, 100),
    ] {
        let (gn, rfm) = frozen_hidden_layer(problem, width, n);
        let size = rfm.iter().map(|c| c * c).sum::<f64>().sqrt();
        let diff = gn
            .iter()
            .zip(&rfm)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(
            diff <= 1e-9 * size,
            "{problem}: ‖c_GN − c_RFM‖ = {diff:e}, ‖c_RFM‖ = {size:e}\nGN  {gn:?}\nRFM {rfm:?}"
        );
    }
}

#[test]
fn a_training_run_never_raises_its_loss_and_learns_the_solution() {
    let mut c = Config::defaults_for(ProblemKind::Poisson1d, Precision::F64, ModelKind::Network);
    c.model = ModelKind::Network;
    c.n = 60;
    c.net.width = 40;
    c.h = vec![];
    c.train.steps = 60;
    c.train.every = 1;
    let mut gd = c.clone();
    c.train.optimizer = Optimizer::Lm;
    let report = adfd::run_train(&c.check().unwrap()).unwrap();
    let ad = &report.runs[0];
    for w in ad.loss.windows(2) {
        assert!(
            w[1].loss < w[0].loss,
            "step {}: {} → {}",
            w[1].step,
            w[0].loss,
            w[1].loss
        );
    }
    assert!(ad.records.iter().skip(1).all(|r| r.mu.is_some()));
    assert!(
        ad.error_l2 < 1e-5,
        "LM: relative L2 error {:e}",
        ad.error_l2
    );
    gd.train.optimizer = Optimizer::Gd;
    let gd = adfd::run_train(&gd.check().unwrap()).unwrap();
    assert!(
        gd.runs[0].error_l2 > 100.0 * ad.error_l2,
        "GD: {:e}",
        gd.runs[0].error_l2
    );
}
