//! The sweep panel: `exp H` (above) and the true PDE residual (below) of each FD step size
//! `h` of a sweep, log scales, AD's as a dashed level.

use super::axis::{lg, pow_label, Axis};
use super::frame::{err, rgb, solid_sample, Area, Frame, Legend, Place, Side, Ticks};
use super::palette;
use crate::web::snapshot::Snapshot;
use plotters::prelude::*;
use wasm_bindgen::JsValue;

/// Draws the sweep of `snap`, or a note when there is none (yet).
pub fn draw(frame: &Frame, root: &Area, snap: &Snapshot) -> Result<(), JsValue> {
    let Some(sweep) = snap.sweep.as_ref().filter(|s| !s.h.is_empty()) else {
        let msg = if snap.sweep.is_none() {
            "Press “Sweep h” to fit AD once and FD at 12 steps h."
        } else {
            "sweeping h…"
        };
        return frame.note(root, &[msg]);
    };
    let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 / 2);
    let x = Axis::log_fit(sweep.h.iter().map(|&h| lg(h)));
    let ad = sweep.ad.unwrap_or_default();
    let rows = [
        (
            &top,
            &sweep.effective_modes,
            sweep.ad.map(|_| ad.effective_modes),
            "exp H (log axis = H)",
        ),
        (
            &bottom,
            &sweep.residual_true,
            sweep.ad.map(|_| ad.residual_true),
            "true PDE residual",
        ),
    ];
    let fd = rgb(palette::FD[0]);
    let ad_colour = rgb(palette::AD);
    for (row, (area, values, ad, desc)) in rows.into_iter().enumerate() {
        let lower = row == 1;
        let ad = ad.map(lg);
        let y = Axis::log_fit(values.iter().map(|&v| lg(v)).chain(ad));
        let mut chart = frame.chart(
            area,
            if lower { Place::Lower } else { Place::Upper },
            Side {
                axis: x,
                desc: if lower { "FD step size h" } else { "" },
                ticks: if lower {
                    Ticks::Format(pow_label)
                } else {
                    Ticks::Hidden
                },
            },
            Side {
                axis: y,
                desc,
                ticks: Ticks::Format(pow_label),
            },
        )?;
        let points = Axis::points(
            &x,
            &y,
            sweep.h.iter().zip(values).map(|(&h, &v)| (lg(h), lg(v))),
        );
        let mut legend = Legend::default();
        frame.line(&mut chart, points.clone(), fd, 2.0)?;
        legend.add("FD", solid_sample(fd, 1));
        let r = frame.px(3.0);
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, r, fd.filled())))
            .map_err(err)?;
        if let Some(level) = ad.filter(|&l| l.is_finite()).and_then(|l| y.place(l)) {
            frame.dashed(
                &mut chart,
                vec![(x.lo(), level), (x.hi(), level)],
                ad_colour,
                2.0,
                (6.0, 4.0),
            )?;
            legend.add("AD", solid_sample(ad_colour, 1));
        }
        frame.legend(&chart, SeriesLabelPosition::LowerRight, &legend)?;
    }
    Ok(())
}
