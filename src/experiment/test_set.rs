//! The held-out test points of a training comparison: each recorded step's true PDE
//! residual `mean (L u − f)²` (AD, f64) and the solution's errors against `u*` there.

use crate::experiment::report::Record;
use crate::models::net::forward::values;
use crate::models::net::loss::loss_and_gradient;
use crate::models::net::residual::Residuals;
use crate::models::net::Network;
use crate::numeric::jet::Precision;
use crate::pde::problem::{PointSet, Points, Problem, SolutionError};

/// The held-out test points, where runs are measured against the exact solution.
#[derive(Clone, Debug)]
pub(super) struct TestSet {
    /// The exact (AD, f64) interior residual rows there.
    residuals: Residuals,
    /// The points themselves…
    points: PointSet,
    /// …and the exact solution `u*` at each.
    exact: Vec<f64>,
}

impl TestSet {
    pub(super) fn new(problem: &Problem) -> Self {
        let points = Points::test(problem);
        TestSet {
            residuals: Residuals::exact_interior(problem, &points),
            exact: points.iter().map(|x| problem.exact(x)).collect(),
            points,
        }
    }

    /// `net` at step `step` (loss `loss`, damping `mu`): its true residual
    /// `mean (L u − f)²` (exact operator, f64) and its errors against `u*`, from its
    /// values at every test point at once ([`values`]).
    pub(super) fn record(&self, net: &Network, step: usize, loss: f64, mu: Option<f64>) -> Record {
        let u = values(net, &self.points);
        let error = SolutionError::of(&u, &self.exact);
        Record {
            step,
            loss,
            true_residual: loss_and_gradient(net, &self.residuals, Precision::F64, None),
            error_l2: error.l2,
            error_max: error.max,
            mu,
        }
    }
}
