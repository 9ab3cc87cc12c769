//! The paired RFM comparison: AD and each FD step size on the same frozen features and points.

use super::{runs_at_once, Experiment, Progress};
use crate::error::Result;
use crate::experiment::config::{Config, Valid};
use crate::experiment::report::{Envelope, RfmReport, RfmResults, RfmRun, RFM_DEFINITIONS};
use crate::models::rfm::{self, Features};
use crate::numeric::jet::Precision;
use crate::numeric::spectrum;
use crate::pde::operator::DiffMode;
use crate::pde::problem::{PointSet, Points, SolutionError};
use nalgebra::{DMatrix, DVector};
use web_time::Instant;

/// One run's fit: its [`RfmRun`] figures and the fitted outer coefficients `a`.
#[derive(Clone, Debug)]
pub struct RfmFit {
    /// The reported figures.
    pub run: RfmRun,
    /// The least-squares coefficients `a` (one per feature).
    pub coefficients: Vec<f64>,
}

/// A paired RFM comparison: the features, points and exact test operator its runs
/// share, and the runs fitted so far (one per [`Experiment::step`]).
#[derive(Clone, Debug)]
pub struct RfmComparison {
    config: Config,
    features: Features,
    points: Points,
    modes: Vec<DiffMode>,
    test: PointSet,
    /// The exact (AD, f64) interior operator on the test points, `n_test × m`.
    test_op: DMatrix<f64>,
    test_f: Vec<f64>,
    exact: Vec<f64>,
    fits: Vec<RfmFit>,
    /// Wall milliseconds of the steps so far (the fits, overlapping on several threads).
    wall_ms: f64,
}

impl RfmComparison {
    /// The frozen features.
    pub fn features(&self) -> &Features {
        &self.features
    }

    /// The runs fitted so far, AD first.
    pub fn fits(&self) -> &[RfmFit] {
        &self.fits
    }

    /// Assembles, solves and measures one run.
    fn fit(&self, mode: DiffMode) -> Result<RfmFit> {
        let config = &self.config;
        let problem = config.problem();
        let start = Instant::now();
        let system = match config.precision {
            Precision::F64 => {
                rfm::assemble::<f64>(&problem, &self.features, &self.points, mode, config.lambda)
            }
            Precision::F32 => {
                rfm::assemble::<f32>(&problem, &self.features, &self.points, mode, config.lambda)
            }
        };
        let what = format!("the {mode} matrix A");
        let (a, s) = spectrum::least_squares(&system.a, &system.f, config.rfm.rcond, &what)?;
        let ent = spectrum::truncated_entropy(&s, config.threshold)?;
        let av = DVector::from_column_slice(&a);
        let fitted = &system.a * &av;
        let residual_system = mean_sq(fitted.iter().zip(&system.f).map(|(p, f)| p - f));
        let time_ms = start.elapsed().as_secs_f64() * 1e3;
        let noise_floor = rfm::noise_floor(
            &problem,
            &self.features,
            &self.points,
            mode,
            config.lambda,
            config.precision,
        );
        let level = config.threshold.level(s.first().copied().unwrap_or(0.0));
        let k_counts_noise = s.iter().any(|&v| v > level && v <= noise_floor);

        let lu = &self.test_op * &av;
        let residual_true = mean_sq(lu.iter().zip(&self.test_f).map(|(p, f)| p - f));
        let error = SolutionError::of(&self.features.values(&a, &self.test), &self.exact);
        let run = RfmRun {
            mode,
            singular_values: s,
            cutoff: ent.cutoff,
            entropy: ent.entropy,
            effective_modes: ent.effective_modes,
            noise_floor,
            k_counts_noise,
            residual_system,
            residual_true,
            error_l2: error.l2,
            error_max: error.max,
            time_ms,
        };
        Ok(RfmFit {
            run,
            coefficients: a,
        })
    }
}

impl Experiment for RfmComparison {
    type Report = RfmReport;

    /// Draws features and points from the seed and builds the exact operator on the
    /// held-out test points.
    fn new(config: &Valid<Config>) -> Result<Self> {
        let problem = config.problem();
        let features = config.features();
        let test = Points::test(&problem);
        let test_op = rfm::interior_operator_matrix(&problem, &features, &test);
        Ok(RfmComparison {
            test_f: test.iter().map(|x| problem.source(x)).collect(),
            exact: test.iter().map(|x| problem.exact(x)).collect(),
            points: config.points(),
            modes: config.modes(),
            config: (**config).clone(),
            features,
            test,
            test_op,
            fits: Vec::new(),
            wall_ms: 0.0,
        })
    }

    /// Fits the next [`runs_at_once`] runs in parallel (each run is fitted by the same
    /// code from the same inputs, so the results do not depend on how many run
    /// together; faer's SVD is single-threaded, so this is what puts a second core to
    /// work on it). Runs are kept in mode order, up to the first that fails.
    fn step(&mut self) -> Result<()> {
        use rayon::prelude::*;
        let done = self.fits.len();
        let next = (done + runs_at_once(&self.config)).min(self.modes.len());
        let start = Instant::now();
        let fits: Vec<Result<RfmFit>> = self.modes[done..next]
            .par_iter()
            .map(|&mode| self.fit(mode))
            .collect();
        self.wall_ms += start.elapsed().as_secs_f64() * 1e3;
        for fit in fits {
            self.fits.push(fit?);
        }
        Ok(())
    }

    fn progress(&self) -> Progress {
        Progress {
            done: self.fits.len(),
            total: self.modes.len(),
        }
    }

    fn is_finished(&self) -> bool {
        self.fits.len() == self.modes.len()
    }

    /// The report of the runs fitted so far.
    fn report(&self) -> RfmReport {
        let body = RfmResults {
            features: self.features.clone(),
            points: self.points.clone(),
            runs: self.fits.iter().map(|f| f.run.clone()).collect(),
            time_ms: self.wall_ms,
        };
        Envelope::new(self.config.clone(), body, RFM_DEFINITIONS)
    }
}

fn mean_sq(it: impl ExactSizeIterator<Item = f64>) -> f64 {
    let n = it.len().max(1) as f64;
    it.map(|v| v * v).sum::<f64>() / n
}
