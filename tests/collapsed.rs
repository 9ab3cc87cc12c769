//! Collapsed Taylor mode gives the per-direction jets' results to round-off.
//!
//! AD's probe groups are radial (`Σ γ (w·v)ᵖ = p! ‖w‖ᵖ`): the two-layer network then
//! evaluates `σ⁽ᵖ⁾(z) ‖w‖ᵖ` per neuron instead of a jet per direction, and a deeper
//! network propagates the 2-D Laplacian's second-order coefficients as one sum
//! (`adfd::net::collapsed`). Clearing `radial` on every group sends the same rows
//! through the per-direction path, so both can be compared on one network: residuals,
//! the loss gradient and the Jacobian agree to 1e-12 relative to their largest entry.

use adfd::net::forward::values;
use adfd::net::loss::{linearization, loss_and_gradient, residuals};
use adfd::net::residual::Residuals;
use adfd::net::{Architecture, Network};
use adfd::problem::{Points, Problem, ProblemKind, Sampling};
use adfd::{Activation, DiffMode, Precision};

/// `max |a − b| / max |b|`.
fn relative(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let diff = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    let scale = b.iter().map(|y| y.abs()).fold(0.0, f64::max);
    assert!(scale > 0.0, "a nonzero reference");
    diff / scale
}

fn network(dim: usize, widths: Vec<usize>, activation: Activation) -> Network {
    let arch = Architecture {
        dim,
        widths,
        activation,
    };
    Network::init(arch, 2.5, 7)
}

#[test]
fn collapsed_and_per_direction_paths_agree_to_round_off() {
    let cases = [
        ProblemKind::Poisson2d,
        ProblemKind::Biharmonic2d,
        ProblemKind::Poisson1d,
        ProblemKind::Biharmonic1d,
    ];
    for kind in cases {
        let problem = Problem { kind, k: 1 };
        let points = Points::new(&problem, 49, 0, Sampling::Grid, 1);
        let collapsed = Residuals::new(&problem, &points, DiffMode::Ad, 1.0);
        assert!(
            collapsed
                .rows
                .iter()
                .all(|r| r.groups.iter().all(|g| g.radial.is_some())),
            "{kind:?}: AD's groups are radial"
        );
        let mut per_direction = collapsed.clone();
        for g in per_direction
            .rows
            .iter_mut()
            .flat_map(|r| r.groups.iter_mut())
        {
            g.radial = None;
        }
        for activation in [Activation::Tanh, Activation::Sigmoid] {
            for widths in [vec![30], vec![12, 9], vec![8, 6, 5]] {
                let net = network(problem.dim(), widths.clone(), activation);
                let what = format!("{kind:?} {activation:?} {widths:?}");
                let r = residuals(&net, &collapsed, Precision::F64);
                let r0 = residuals(&net, &per_direction, Precision::F64);
                assert!(relative(&r, &r0) < 1e-12, "{what}: residuals");
                let (mut g, mut g0) = (vec![0.0; net.theta.len()], vec![0.0; net.theta.len()]);
                loss_and_gradient(&net, &collapsed, Precision::F64, Some(&mut g));
                loss_and_gradient(&net, &per_direction, Precision::F64, Some(&mut g0));
                assert!(relative(&g, &g0) < 1e-12, "{what}: gradient");
                let (j, _) = linearization(&net, &collapsed, Precision::F64);
                let (j0, _) = linearization(&net, &per_direction, Precision::F64);
                assert!(relative(j.as_slice(), j0.as_slice()) < 1e-12, "{what}: J");
            }
        }
    }
}

/// FD's taps are values at shifted points, not directions: never radial.
#[test]
fn fd_groups_are_not_radial() {
    let problem = Problem {
        kind: ProblemKind::Poisson2d,
        k: 1,
    };
    let points = Points::new(&problem, 16, 0, Sampling::Grid, 1);
    let fd = Residuals::new(&problem, &points, DiffMode::Fd { h: 0.1, order: 2 }, 1.0);
    assert!(fd
        .rows
        .iter()
        .all(|r| r.groups.iter().all(|g| g.radial.is_none())));
}

/// The batched values on the test points are the point-by-point values to round-off.
#[test]
fn batched_values_match_the_pointwise_network() {
    for kind in [ProblemKind::Poisson1d, ProblemKind::Poisson2d] {
        let problem = Problem { kind, k: 1 };
        let test = Points::test(&problem);
        for widths in [vec![40], vec![10, 7]] {
            let net = network(problem.dim(), widths, Activation::Tanh);
            let fast = values(&net, &test);
            let slow: Vec<f64> = test.iter().map(|x| net.value(x)).collect();
            assert!(relative(&fast, &slow) < 1e-13, "{kind:?}");
        }
    }
}
