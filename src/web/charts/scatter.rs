//! The scatter panel: truncated entropy `H` against the outcome of every finished run
//! (AD filled, FD hollow); higher entropy should go with a lower residual.

use super::axis::{extent, lg, pow_label, Axis};
use super::frame::{err, rgb, Area, Frame, Legend, Place, Side, Ticks};
use super::palette;
use crate::web::snapshot::Snapshot;
use plotters::prelude::*;
use wasm_bindgen::JsValue;

/// Draws the history of `snap`, or a note before the first finished run.
pub fn draw(frame: &Frame, root: &Area, snap: &Snapshot) -> Result<(), JsValue> {
    let hist = &snap.history;
    if hist.entropy.is_empty() {
        return frame.note(
            root,
            &[
                "Each finished run adds a point here:",
                "its truncated entropy against how well it fitted or trained.",
            ],
        );
    }
    let (lo, hi) = extent(hist.entropy.iter().copied()).unwrap_or((0.0, 1.0));
    let pad = ((hi - lo) * 0.1).max(0.05);
    let x = Axis::linear(lo - pad, hi + pad);
    let y = Axis::log_fit(hist.y.iter().map(|&v| lg(v)));
    let mut chart = frame.chart(
        root,
        Place::Alone,
        Side {
            axis: x,
            desc: &hist.x_label,
            ticks: Ticks::Plain,
        },
        Side {
            axis: y,
            desc: &hist.y_label,
            ticks: Ticks::Format(pow_label),
        },
    )?;
    let r = frame.px(4.0);
    let (ad, fd) = (rgb(palette::AD), rgb(palette::FD[0]));
    let runs = |want_ad: bool| {
        let points = hist
            .entropy
            .iter()
            .zip(&hist.y)
            .zip(&hist.ad)
            .filter(move |(_, &is_ad)| is_ad == want_ad)
            .map(|((&h, &v), _)| (h, lg(v)));
        Axis::points(&x, &y, points)
    };
    chart
        .draw_series(
            runs(false)
                .into_iter()
                .map(|p| Circle::new(p, r, fd.stroke_width(2))),
        )
        .map_err(err)?;
    chart
        .draw_series(
            runs(true)
                .into_iter()
                .map(|p| Circle::new(p, r, ad.filled())),
        )
        .map_err(err)?;
    let mut legend = Legend::default();
    legend.add("FD runs", move |(x, y)| {
        Circle::new((x + 8, y), 4, fd.stroke_width(2)).into_dyn()
    });
    legend.add("AD runs", move |(x, y)| {
        Circle::new((x + 8, y), 4, ad.filled()).into_dyn()
    });
    frame.legend(&chart, SeriesLabelPosition::LowerLeft, &legend)
}
