//! The solution panel: in 1-D the exact, AD- and FD-fitted curves above their pointwise
//! errors; in 2-D heatmaps (exact, AD, one FD step size, and both errors) blitted as
//! `ImageData`, with colour bars.

use super::axis::{extent, lg, pow_label, tidy, Axis};
use super::frame::{err, run_sample, solid_sample, Area, Frame, Legend, Place, Side, Ticks};
use super::palette::{self, Rgb};
use crate::web::js;
use crate::web::snapshot::{RunView, Snapshot};
use plotters::prelude::*;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The widest the `u` axis of the 1-D curves gets: `±10`.
const U_LIMIT: f64 = 10.0;

/// Draws `snap`'s solutions on `canvas` (`root` is its drawing area); in 2-D the FD run
/// shown is `fd_index` (1 is the first FD step size).
pub fn draw(
    frame: &Frame,
    root: &Area,
    canvas: &HtmlCanvasElement,
    snap: &Snapshot,
    fd_index: usize,
) -> Result<(), JsValue> {
    if snap.grid.dim == 2 {
        heatmaps(frame, root, canvas, snap, fd_index)
    } else {
        curves(frame, root, snap)
    }
}

/// `|u − u*|` at each grid point.
fn errors(u: &[f64], exact: &[f64]) -> Vec<f64> {
    u.iter().zip(exact).map(|(u, e)| (u - e).abs()).collect()
}

fn curves(frame: &Frame, root: &Area, snap: &Snapshot) -> Result<(), JsValue> {
    let (x, exact, runs) = (&snap.grid.x, &snap.grid.exact, &snap.runs);
    let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 * 3 / 5);
    let xs = Axis::linear(-1.0, 1.0);
    let (lo, hi) = extent(
        exact
            .iter()
            .chain(runs.iter().flat_map(|r| r.u.iter()))
            .copied()
            .chain([-1.0, 1.0]),
    )
    .unwrap_or((-1.0, 1.0));
    let u = Axis::linear(lo.max(-U_LIMIT) - 0.1, hi.min(U_LIMIT) + 0.1);
    let mut chart = frame.chart(
        &top,
        Place::Upper,
        Side {
            axis: xs,
            desc: "",
            ticks: Ticks::Hidden,
        },
        Side {
            axis: u,
            desc: "u(x)",
            ticks: Ticks::Format(tidy),
        },
    )?;
    let xy = |v: &[f64]| Axis::points(&xs, &u, x.iter().copied().zip(v.iter().copied()));
    let mut legend = Legend::default();
    frame.line(&mut chart, xy(exact), BLACK, 4.0)?;
    legend.add("exact u*", solid_sample(BLACK, 3));
    for (i, run) in runs.iter().enumerate() {
        frame.run_line(&mut chart, xy(&run.u), i, 1.5)?;
        legend.add(run.label.clone(), run_sample(i));
    }
    frame.legend(&chart, SeriesLabelPosition::LowerRight, &legend)?;

    let errs: Vec<Vec<f64>> = runs.iter().map(|r| errors(&r.u, exact)).collect();
    let e = Axis::log_fit(errs.iter().flatten().map(|&v| lg(v))).deepest(14.0);
    let mut chart = frame.chart(
        &bottom,
        Place::Lower,
        Side {
            axis: xs,
            desc: "x",
            ticks: Ticks::Format(tidy),
        },
        Side {
            axis: e,
            desc: "|u − u*|",
            ticks: Ticks::FormatN(pow_label, 5),
        },
    )?;
    for (i, err) in errs.iter().enumerate() {
        // Exact points (error 0, log −∞) sit on the axis floor.
        let points = Axis::points(
            &xs,
            &e,
            x.iter()
                .copied()
                .zip(err.iter().map(|&v| if v == 0.0 { e.lo() } else { lg(v) })),
        );
        frame.run_line(&mut chart, points, i, 1.5)?;
    }
    Ok(())
}

fn heatmaps(
    frame: &Frame,
    root: &Area,
    canvas: &HtmlCanvasElement,
    snap: &Snapshot,
    fd_index: usize,
) -> Result<(), JsValue> {
    let (n, exact, runs) = (snap.grid.n, &snap.grid.exact, &snap.runs);
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or_else(|| js::message("no 2-D context on this canvas"))?;
    let cells = root.split_evenly((2, 3));
    let ad = runs.first();
    let fd = runs.get(fd_index.max(1)).or(runs.get(1));
    let umax = exact
        .iter()
        .filter(|v| v.is_finite())
        .fold(0f64, |m, v| m.max(v.abs()))
        .max(1e-12);
    let diverging = |v: f64| palette::diverging(v / umax);
    // log₁₀|u − u*|, floored at 1e-16.
    let error = |r: &RunView| -> Vec<f64> {
        errors(&r.u, exact)
            .into_iter()
            .map(|v| if v.is_nan() { v } else { lg(v.max(1e-16)) })
            .collect()
    };
    let ad_err = ad.map(error);
    let fd_err = fd.map(error);
    let scale = match extent(ad_err.iter().chain(fd_err.iter()).flatten().copied()) {
        Some((lo, hi)) if lo < hi => Axis::decades(lo, hi),
        _ => Axis::decades(-16.0, 0.0),
    };
    let seq = |v: f64| palette::viridis((v - scale.lo()) / (scale.hi() - scale.lo()));
    let title = frame.font(12.0);
    let panels: [(usize, String, Option<&[f64]>, bool); 5] = [
        (0, "exact u*".into(), Some(exact), false),
        (1, "AD-fitted u".into(), ad.map(|r| r.u.as_slice()), false),
        (
            2,
            fd.map_or("FD-fitted u".into(), |r| format!("{}-fitted u", r.label)),
            fd.map(|r| r.u.as_slice()),
            false,
        ),
        (4, "log₁₀|u − u*|, AD".into(), ad_err.as_deref(), true),
        (5, "log₁₀|u − u*|, FD".into(), fd_err.as_deref(), true),
    ];
    for (cell, name, values, is_err) in panels {
        let area = &cells[cell];
        let (xr, yr) = area.get_pixel_range();
        let pad = frame.px(4.0) as i32;
        let head = frame.px(18.0) as i32;
        area.draw_text(&name, &title, (pad, pad)).map_err(err)?;
        let side =
            ((xr.end - xr.start - 2 * pad).min(yr.end - yr.start - head - pad)).max(8) as u32;
        let (left, top) = (
            xr.start + (xr.end - xr.start - side as i32) / 2,
            yr.start + head,
        );
        if let Some(v) = values {
            let paint = |t: f64| if is_err { seq(t) } else { diverging(t) };
            blit(&ctx, v, n, side, (left, top), paint)?;
        }
    }
    // The colour bars live in the bottom-left cell.
    let area = &cells[3];
    let (xr, yr) = area.get_pixel_range();
    let pad = frame.px(6.0) as i32;
    let w = (xr.end - xr.start - 2 * pad).max(8) as u32;
    let bh = frame.px(14.0).max(1);
    let label = frame.font(11.0);
    type Paint<'a> = Box<dyn Fn(f64) -> Rgb + 'a>;
    let bars: [(String, String, String, Paint); 2] = [
        (
            "u (exact, AD, FD)".into(),
            format!("{:.2}", -umax),
            format!("{umax:.2}"),
            Box::new(move |t: f64| diverging(umax * (-1.0 + 2.0 * t))),
        ),
        (
            "log₁₀|u − u*|".into(),
            format!("{:.1}", scale.lo()),
            format!("{:.1}", scale.hi()),
            Box::new(palette::viridis),
        ),
    ];
    let mut y = yr.start + pad;
    for (name, lo, hi, paint) in bars {
        area.draw_text(&name, &label, (pad, y - yr.start))
            .map_err(err)?;
        y += frame.px(15.0) as i32;
        let mut buf = Vec::with_capacity((w * bh * 4) as usize);
        for _ in 0..bh {
            for i in 0..w {
                let [r, g, b] = paint(i as f64 / (w - 1).max(1) as f64);
                buf.extend_from_slice(&[r, g, b, 255]);
            }
        }
        put(&ctx, &buf, w, bh, (xr.start + pad, y))?;
        y += bh as i32 + frame.px(2.0) as i32;
        area.draw_text(&lo, &label, (pad, y - yr.start))
            .map_err(err)?;
        let right = (w as i32 + pad) - (hi.len() as f64 * 6.5 * frame.dpr()) as i32;
        area.draw_text(&hi, &label, (right, y - yr.start))
            .map_err(err)?;
        y += frame.px(24.0) as i32;
    }
    Ok(())
}

/// Paints an `n × n` grid (row 0 = lowest y) into a `side`² square at `at`, nearest
/// neighbour, y pointing up; nothing if `v` holds fewer than `n²` values.
fn blit(
    ctx: &CanvasRenderingContext2d,
    v: &[f64],
    n: usize,
    side: u32,
    at: (i32, i32),
    paint: impl Fn(f64) -> Rgb,
) -> Result<(), JsValue> {
    if n == 0 || n.checked_mul(n).is_none_or(|cells| v.len() < cells) {
        return Ok(());
    }
    let colours: Vec<Rgb> = v[..n * n].iter().map(|&x| paint(x)).collect();
    let mut buf = Vec::with_capacity((side * side * 4) as usize);
    for py in 0..side {
        let gy = n - 1 - (py as usize * n / side as usize).min(n - 1);
        for px in 0..side {
            let gx = (px as usize * n / side as usize).min(n - 1);
            let [r, g, b] = colours[gy * n + gx];
            buf.extend_from_slice(&[r, g, b, 255]);
        }
    }
    put(ctx, &buf, side, side, at)
}

fn put(
    ctx: &CanvasRenderingContext2d,
    buf: &[u8],
    w: u32,
    h: u32,
    at: (i32, i32),
) -> Result<(), JsValue> {
    let img = ImageData::new_with_u8_clamped_array_and_sh(Clamped(buf), w, h)?;
    ctx.put_image_data(&img, at.0 as f64, at.1 as f64)
}
