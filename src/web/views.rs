//! The views a [`Snapshot`](super::snapshot::Snapshot) is made of, built from the
//! worker's comparisons: each run's spectrum, figures, curves and solution on the plot
//! grid, a sweep's points, and the run table (the readouts). Plain Rust, tested through
//! the driver.

use super::history::{outcomes, Outcome};
use super::snapshot::{PlotGrid, RunTraining, RunView, SpectrumView, SweepPoint, SweepView};
use crate::experiment::config::{Config, ModelKind};
use crate::experiment::report::table::{self, Table};
use crate::experiment::{Comparison, Progress, RfmComparison, RfmFit, Run};
use crate::models::optimizer::Optimizer;
use crate::numeric::spectrum::Threshold;
use crate::pde::problem::{PointSet, Problem};

/// Points of the line the solution panel draws in 1-D.
pub const PLOT_1D: usize = 201;
/// Points per axis of the grid the solution panel draws in 2-D.
const PLOT_2D: usize = 48;
/// Most points of a loss curve sent to the page (longer curves are thinned evenly).
const CURVE_POINTS: usize = 1500;
/// The grid the solution panel is drawn on: 201 points in 1-D, 48 × 48 cell centres
/// in 2-D.
pub fn plot_grid(dim: usize) -> PointSet {
    if dim == 1 {
        PointSet {
            dim,
            coords: (0..PLOT_1D)
                .map(|i| -1.0 + 2.0 * i as f64 / (PLOT_1D - 1) as f64)
                .collect(),
        }
    } else {
        PointSet::midpoints(2, PLOT_2D)
    }
}

/// The plot grid and the exact solution on it, as the page draws them.
pub fn plot_grid_view(grid: &PointSet, problem: &Problem) -> PlotGrid {
    PlotGrid {
        dim: grid.dim,
        n: if grid.dim == 1 { PLOT_1D } else { PLOT_2D },
        x: if grid.dim == 1 {
            grid.coords.clone()
        } else {
            Vec::new()
        },
        exact: grid.iter().map(|x| problem.exact(x)).collect(),
    }
}

/// The solution of one network run on the plot grid at one measured step.
#[derive(Clone, Debug, Default)]
pub struct NetSolution {
    step: usize,
    plot: Vec<f64>,
}

impl NetSolution {
    /// The training step it was taken at.
    pub fn step(&self) -> usize {
        self.step
    }
}

/// An RFM run's view: its spectrum with its round-off floor, its figures and its
/// solution on the plot `grid`.
pub fn rfm_run(
    cmp: &RfmComparison,
    fit: &RfmFit,
    threshold: Threshold,
    grid: &PointSet,
) -> RunView {
    let r = &fit.run;
    RunView {
        label: r.mode.to_string(),
        h: r.mode.h(),
        spectrum: Some(spectrum_view(
            &r.singular_values,
            threshold,
            r.cutoff,
            r.entropy,
            r.effective_modes,
            0,
            Some(r.noise_floor),
        )),
        residual_system: r.residual_system,
        residual_true: Some(r.residual_true),
        error_l2: r.error_l2,
        error_max: r.error_max,
        time_ms: r.time_ms,
        u: cmp.features().values(&fit.coefficients, grid),
        training: None,
    }
}

/// The run table of the comparison so far ([`table`]), the same the CLI prints.
pub fn readouts(comparison: Option<&Comparison>, c: &Config) -> Table {
    let dim = c.problem().dim();
    match comparison {
        None => Table::default(),
        Some(Comparison::Rfm(cmp)) => table::rfm(
            cmp.fits().iter().map(|f| &f.run),
            &c.threshold,
            c.precision,
            dim,
        ),
        Some(Comparison::Train(cmp)) => {
            let t = &cmp.config().train;
            let rows: Vec<_> = cmp.runs().iter().map(|r| r.row(t.decades)).collect();
            let lm = t.optimizer == Optimizer::Lm;
            table::train(&rows, &c.threshold, t.decades, lm, dim)
        }
    }
}

/// A spectrum and its truncated entropy, with the threshold level at `threshold`.
fn spectrum_view(
    singular_values: &[f64],
    threshold: Threshold,
    cutoff: usize,
    entropy: f64,
    effective_modes: f64,
    step: usize,
    noise_floor: Option<f64>,
) -> SpectrumView {
    SpectrumView {
        singular_values: singular_values.to_vec(),
        level: threshold.level(singular_values.first().copied().unwrap_or(0.0)),
        cutoff,
        entropy,
        effective_modes,
        step,
        noise_floor,
    }
}

/// A network run's solution on the plot `grid` at training step `step`.
pub fn net_solution(run: &Run, grid: &PointSet, step: usize) -> NetSolution {
    let net = run.network();
    NetSolution {
        step,
        plot: grid.iter().map(|x| net.value(x)).collect(),
    }
}

/// Evenly thins `(step, value)` pairs to at most [`CURVE_POINTS`], keeping the last.
fn thin(points: Vec<(f64, f64)>) -> (Vec<f64>, Vec<f64>) {
    let stride = points.len().div_ceil(CURVE_POINTS).max(1);
    let last = points.len().saturating_sub(1);
    points
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % stride == 0 || *i == last)
        .map(|(_, p)| p)
        .unzip()
}

/// A network run's view: its latest spectrum, figures, curves and `solution`.
pub fn net_run(run: &Run, view: &NetSolution, threshold: Threshold, decades: f64) -> RunView {
    let curve = run.loss_curve();
    let (loss_step, loss) = thin(curve.iter().map(|p| (p.step as f64, p.loss)).collect());
    let records = run.records();
    let (true_step, true_residual) = thin(
        records
            .iter()
            .map(|r| (r.step as f64, r.true_residual))
            .collect(),
    );
    let (_, error_l2) = thin(
        records
            .iter()
            .map(|r| (r.step as f64, r.error_l2))
            .collect(),
    );
    let latest = run.latest_record();
    let speed = run.speed(decades);
    RunView {
        label: run.mode().to_string(),
        h: run.mode().h(),
        spectrum: run.latest_kernel().map(|k| {
            spectrum_view(
                &k.singular_values,
                threshold,
                k.cutoff,
                k.entropy,
                k.effective_modes,
                k.step,
                None,
            )
        }),
        residual_system: run.latest_loss(),
        residual_true: run.latest_true_residual().map(|r| r.1),
        error_l2: latest.map_or(f64::NAN, |r| r.error_l2),
        error_max: latest.map_or(f64::NAN, |r| r.error_max),
        time_ms: if speed.steps_per_second > 0.0 {
            1e3 / speed.steps_per_second
        } else {
            f64::NAN
        },
        u: view.plot.clone(),
        training: Some(RunTraining {
            step: run.step(),
            entropy0: run.kernels().first().map_or(f64::NAN, |k| k.entropy),
            loss_step,
            loss,
            true_step,
            true_residual,
            error_l2,
            mu: latest.and_then(|r| r.mu),
            steps_to_target: speed.steps_to_target,
            loss_reduction: speed.loss_reduction,
            stopped: run.stopped().map(|s| s.message.clone()),
        }),
    }
}

/// A sweep's view: its progress (networks: steps of all its runs) and each finished
/// FD run's entropy and true residual against `h`, AD's apart. `progress` is the sweep
/// job's own (RFM: runs fitted).
pub fn sweep(config: &Config, comparison: Option<&Comparison>, progress: Progress) -> SweepView {
    let (done, total) = match comparison {
        Some(Comparison::Train(c)) => (
            c.runs().iter().map(Run::step).sum(),
            c.runs().len() * c.config().train.steps,
        ),
        _ if config.model == ModelKind::Network => (0, config.modes().len() * config.train.steps),
        _ => (progress.done, progress.total),
    };
    let network = config.model == ModelKind::Network;
    let runs = outcomes(comparison);
    let fd: Vec<&Outcome> = runs.iter().filter(|r| r.h.is_some()).collect();
    SweepView {
        progress: Progress { done, total },
        entropy_label: if network {
            "exp H of J at step 0"
        } else {
            "exp H of A"
        }
        .into(),
        y_label: if network {
            "true residual after training"
        } else {
            "true PDE residual"
        }
        .into(),
        h: fd.iter().map(|r| r.h.unwrap_or(f64::NAN)).collect(),
        entropy: fd.iter().map(|r| r.entropy).collect(),
        effective_modes: fd.iter().map(|r| r.effective_modes).collect(),
        residual_true: fd.iter().map(|r| r.residual_true).collect(),
        ad: runs.iter().find(|r| r.h.is_none()).map(|r| SweepPoint {
            entropy: r.entropy,
            effective_modes: r.effective_modes,
            residual_true: r.residual_true,
        }),
    }
}
