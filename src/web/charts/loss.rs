//! The loss panel. A network: above, each run's training loss (solid) and true PDE
//! residual (dashed) against the step; below, the relative L2 error of its solution
//! (AD solid, each FD dashed, as the legend of both shows); log scales. The RFM is fitted in one least-squares solve,
//! so it has no curve; instead `K(a)` (solid) and `exp H(a)` (dashed) of each spectrum
//! against the relative threshold `a`, the chosen `a` dashed black.

use super::axis::{count_label, extent, lg, pow_label, whole, Axis};
use super::frame::{rgb, run_sample, solid_sample, Area, Frame, Legend, Place, Side, Ticks};
use super::palette;
use crate::experiment::config::ModelKind;
use crate::numeric::spectrum::{self, Threshold};
use crate::web::snapshot::Snapshot;
use plotters::prelude::*;
use wasm_bindgen::JsValue;

/// Draws the loss panel of `snap`.
pub fn draw(frame: &Frame, root: &Area, snap: &Snapshot) -> Result<(), JsValue> {
    match snap.model {
        ModelKind::Network => training_curves(frame, root, snap),
        ModelKind::Rfm => threshold_curves(frame, root, snap),
    }
}

fn training_curves(frame: &Frame, root: &Area, snap: &Snapshot) -> Result<(), JsValue> {
    let curves: Vec<_> = snap
        .runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r, r.training.as_ref()?)))
        .collect();
    if curves.is_empty() {
        return frame.note(root, &["training…"]);
    }
    let last = extent(
        curves
            .iter()
            .flat_map(|(_, _, t)| t.loss_step.last().copied()),
    )
    .map_or(1.0, |(_, hi)| hi.max(1.0));
    let x = Axis::linear(0.0, last);
    let (upper, lower) = root.split_vertically(root.dim_in_pixel().1 * 11 / 20);
    let y = Axis::log_fit(
        curves
            .iter()
            .flat_map(|(_, _, t)| t.loss.iter().chain(&t.true_residual))
            .map(|&v| lg(v)),
    );
    let mut chart = frame.chart(
        &upper,
        Place::Upper,
        Side {
            axis: x,
            desc: "",
            ticks: Ticks::Format(whole),
        },
        Side {
            axis: y,
            desc: "loss, true residual",
            ticks: Ticks::Format(pow_label),
        },
    )?;
    let curve = |y: &Axis, steps: &[f64], values: &[f64]| {
        Axis::points(&x, y, steps.iter().zip(values).map(|(&s, &v)| (s, lg(v))))
    };
    let mut legend = Legend::default();
    for &(i, run, t) in &curves {
        let c = rgb(palette::colour(i));
        frame.line(&mut chart, curve(&y, &t.loss_step, &t.loss), c, 2.0)?;
        let points = curve(&y, &t.true_step, &t.true_residual);
        if points.len() > 1 {
            frame.dashed(&mut chart, points, c, 1.5, (5.0, 4.0))?;
        }
        legend.add(run.label.clone(), run_sample(i));
    }
    // Middle right: the losses fall below it and the true residuals stay above.
    frame.legend(&chart, SeriesLabelPosition::MiddleRight, &legend)?;
    // The solution's error, which neither loss shows: an FD run can drive its own loss
    // to round-off while its solution stays at its stencil's truncation error.
    let y = Axis::log_fit(
        curves
            .iter()
            .flat_map(|(_, _, t)| &t.error_l2)
            .map(|&v| lg(v)),
    );
    let mut chart = frame.chart(
        &lower,
        Place::Lower,
        Side {
            axis: x,
            desc: "training step",
            ticks: Ticks::Format(whole),
        },
        Side {
            axis: y,
            desc: "L2 error of u",
            ticks: Ticks::Format(pow_label),
        },
    )?;
    for &(i, _, t) in &curves {
        let points = curve(&y, &t.true_step, &t.error_l2);
        if points.len() > 1 {
            frame.run_line(&mut chart, points, i, 2.0)?;
        }
    }
    Ok(())
}

/// The relative thresholds the RFM panel evaluates, in decades: `10⁻¹⁶ … 10⁻¹`.
const A_DECADES: (f64, f64) = (-16.0, -1.0);

/// How `K(a)` and `exp H(a)` of each run's spectrum depend on the relative threshold
/// `a` (computed here from the singular values with the library's own entropy): lowering
/// `a` below FD's round-off floor starts counting noise as modes.
fn threshold_curves(frame: &Frame, root: &Area, snap: &Snapshot) -> Result<(), JsValue> {
    let spectra: Vec<_> = snap
        .runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r, r.spectrum.as_ref()?)))
        .collect();
    if spectra.is_empty() {
        return frame.note(root, &["computing the spectra…"]);
    }
    let grid: Vec<f64> = (0..=60).map(|i| A_DECADES.0 + 0.25 * i as f64).collect();
    // (log₁₀ a, K(a), exp H(a)) along the grid, per run; a spectrum the library
    // rejects (not finite, not sorted) has no curve.
    let curves: Vec<Vec<(f64, f64, f64)>> = spectra
        .iter()
        .map(|(_, _, s)| {
            grid.iter()
                .filter_map(|&t| {
                    let e = spectrum::truncated_entropy(
                        &s.singular_values,
                        Threshold::Relative(10f64.powf(t)),
                    );
                    e.ok().map(|e| (t, e.cutoff as f64, e.effective_modes))
                })
                .collect()
        })
        .collect();
    let top = curves.iter().flatten().fold(2f64, |m, p| m.max(p.1)) * 1.3;
    let x = Axis::decades(A_DECADES.0, A_DECADES.1);
    let y = Axis::decades(0.0, lg(top));
    let mut chart = frame.chart(
        root,
        Place::Alone,
        Side {
            axis: x,
            desc: "relative threshold a (keep sᵢ > a·s₁)",
            ticks: Ticks::Format(pow_label),
        },
        Side {
            axis: y,
            desc: "K(a) solid, exp H(a) dashed",
            ticks: Ticks::Format(count_label),
        },
    )?;
    let mut legend = Legend::default();
    for ((i, run, _), points) in spectra.iter().zip(curves) {
        let c = rgb(palette::colour(*i));
        let k = Axis::points(&x, &y, points.iter().map(|p| (p.0, lg(p.1.max(1.0)))));
        let h = Axis::points(&x, &y, points.iter().map(|p| (p.0, lg(p.2.max(1.0)))));
        frame.line(&mut chart, k, c, 2.0)?;
        legend.add(run.label.clone(), solid_sample(c, 3));
        frame.dashed(&mut chart, h, c, 1.5, (5.0, 4.0))?;
    }
    if let Threshold::Relative(a) = snap.threshold {
        if x.contains(lg(a)) {
            frame.dashed(
                &mut chart,
                vec![(lg(a), y.lo()), (lg(a), y.hi())],
                BLACK,
                1.5,
                (8.0, 5.0),
            )?;
            legend.add(format!("chosen a = {a:.0e}"), solid_sample(BLACK, 1));
        }
    }
    frame.legend(&chart, SeriesLabelPosition::UpperRight, &legend)
}
