//! The spectrum panel: every run's singular values (or eigenvalues `λᵢ = sᵢ²`) against
//! their index on a log axis, the threshold dashed black, each run's cut-off `K`
//! dashed in its colour, and each FD run's estimated round-off floor as a shaded band
//! in its colour (singular values inside it are noise; a threshold level inside it counts noise
//! as modes).

use super::axis::{lg, pow_label, whole, Axis};
use super::frame::{err, rgb, run_sample, solid_sample, Area, Frame, Legend, Place, Side, Ticks};
use super::palette;
use crate::numeric::spectrum::Threshold;
use crate::web::snapshot::Snapshot;
use plotters::prelude::*;
use wasm_bindgen::JsValue;

/// How many decades (of `sᵢ`) above the largest singular value the threshold may lie
/// and still widen the axis to show its line.
const NEAR: f64 = 3.0;

/// Draws the spectra of `snap`'s runs; `eigen` shows `λᵢ = sᵢ²` (taken as `2·log₁₀ sᵢ`
/// on the log axis, so no square overflows).
pub fn draw(frame: &Frame, root: &Area, snap: &Snapshot, eigen: bool) -> Result<(), JsValue> {
    let spectra: Vec<_> = snap
        .runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r, r.spectrum.as_ref()?)))
        .collect();
    if spectra.is_empty() {
        return frame.note(root, &["computing the spectra…"]);
    }
    let power = if eigen { 2.0 } else { 1.0 };
    // Decades of sᵢ (or λᵢ): never the square itself.
    let at = |s: f64| power * lg(s);
    let n = spectra
        .iter()
        .map(|(_, _, s)| s.singular_values.len())
        .max()
        .unwrap_or(1)
        .max(2);
    let values = || {
        spectra
            .iter()
            .flat_map(|(_, _, s)| s.singular_values.iter())
            .map(|&s| at(s))
    };
    // The threshold level widens the axis only when it lies near the spectra: an absolute
    // threshold of 1e308 would otherwise squeeze every singular value off the chart.
    let top = Axis::log_fit(values()).hi() + NEAR * power;
    let level = at(spectra[0].2.level);
    let y = Axis::log_fit(values().chain((level <= top).then_some(level))).deepest(20.0 * power);
    let x = Axis::linear(1.0, n as f64);
    let threshold = match snap.threshold {
        Threshold::Relative(a) => format!("threshold sᵢ > a·s₁, a = {a:.0e}"),
        Threshold::Absolute(a) => format!("threshold sᵢ > a = {a:.0e}"),
    };
    let mut chart = frame.chart(
        root,
        Place::Alone,
        Side {
            axis: x,
            desc: "index i",
            ticks: Ticks::Format(whole),
        },
        Side {
            axis: y,
            desc: if eigen {
                "eigenvalue λᵢ = sᵢ²"
            } else {
                "singular value sᵢ"
            },
            ticks: Ticks::Format(pow_label),
        },
    )?;
    let mut legend = Legend::default();
    // Round-off floors first, so the spectra are drawn over them.
    let mut banded = false;
    for &(i, run, s) in &spectra {
        let Some(top) = s
            .noise_floor
            .filter(|_| run.h.is_some())
            .and_then(|f| y.place(at(f)))
        else {
            continue;
        };
        if top <= y.lo() {
            continue;
        }
        let band = rgb(palette::colour(i)).mix(0.13).filled();
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x.lo(), y.lo()), (x.hi(), top)],
                band,
            )))
            .map_err(err)?;
        if !banded {
            banded = true;
            legend.add("shaded: the round-off floor of each h", move |(px, py)| {
                Rectangle::new([(px, py - 5), (px + 18, py + 5)], band).into_dyn()
            });
        }
    }
    for &(i, run, s) in &spectra {
        let points = Axis::points(
            &x,
            &y,
            s.singular_values
                .iter()
                .enumerate()
                .map(|(j, &v)| ((j + 1) as f64, at(v)))
                .filter(|p| p.1 >= y.lo()),
        );
        frame.run_line(&mut chart, points, i, 2.0)?;
        legend.add(format!("{}  K = {}", run.label, s.cutoff), run_sample(i));
        let k = s.cutoff as f64;
        if s.cutoff > 0 && x.contains(k) {
            frame.dashed(
                &mut chart,
                vec![(k, y.lo()), (k, y.hi())],
                rgb(palette::colour(i)).mix(0.7),
                1.0,
                (4.0, 4.0),
            )?;
        }
    }
    let threshold = if eigen {
        format!("{threshold} (shown squared)")
    } else {
        threshold
    };
    if y.contains(level) {
        frame.dashed(
            &mut chart,
            vec![(x.lo(), level), (x.hi(), level)],
            BLACK,
            1.5,
            (8.0, 5.0),
        )?;
        legend.add(threshold, solid_sample(BLACK, 1));
    } else if !level.is_nan() {
        // Off the chart: named in the legend, with where it is.
        let side = if level > y.hi() { "above" } else { "below" };
        legend.add(
            format!("{threshold}, {side} the chart"),
            solid_sample(BLACK, 1),
        );
    }
    frame.legend(&chart, SeriesLabelPosition::LowerLeft, &legend)?;
    Ok(())
}
