//! The main-thread facade: [`Charts`] draws a worker snapshot on page canvases with
//! plotters (plotters-canvas needs a page canvas, so drawing cannot happen in the
//! worker). 2-D heatmaps are blitted as `ImageData`, not drawn cell by cell.
//! Every method returns the milliseconds it took, for the page's frame statistics.

use super::js::{self, get, list, num, text, vec};
use crate::spectrum::{self, Threshold};
use plotters::chart::SeriesAnno;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use web_time::Instant;

type Area = DrawingArea<CanvasBackend, Shift>;

/// Okabe–Ito colours (safe for the common colour-vision deficiencies): AD is blue;
/// FD steps take the others in order. Line style tells them apart too: AD is solid,
/// each FD step has its own dash pattern ([`dash`]).
const AD: RGBColor = RGBColor(0, 114, 178);
const FD: [RGBColor; 6] = [
    RGBColor(230, 159, 0),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(0, 158, 115),
    RGBColor(86, 180, 233),
    RGBColor(90, 90, 90),
];
const GREY: RGBColor = RGBColor(110, 110, 110);

fn colour(index: usize) -> RGBColor {
    if index == 0 {
        AD
    } else {
        FD[(index - 1) % FD.len()]
    }
}

/// Dash and gap lengths (CSS px) of run `index`'s line; `None` (solid) for AD.
fn dash(index: usize) -> Option<(f64, f64)> {
    const DASHES: [(f64, f64); 6] = [
        (9.0, 4.0),
        (2.5, 3.0),
        (16.0, 5.0),
        (5.0, 2.5),
        (1.5, 6.0),
        (24.0, 4.0),
    ];
    (index > 0).then(|| DASHES[(index - 1) % DASHES.len()])
}

/// A legend sample in run `index`'s colour and dash pattern (three strokes).
fn legend_line(
    x: i32,
    y: i32,
    index: usize,
    c: RGBColor,
) -> DynElement<'static, CanvasBackend, (i32, i32)> {
    let segs: [(i32, i32); 3] = match dash(index) {
        None => [(0, 7), (6, 13), (12, 19)],
        Some((on, off)) => {
            let on = (on.round() as i32).clamp(2, 6);
            let off = (off.round() as i32).clamp(2, 4);
            [
                (0, on),
                (on + off, 2 * on + off),
                (2 * (on + off), 3 * on + 2 * off),
            ]
        }
    };
    let seg = |(a, b): (i32, i32)| PathElement::new(vec![(a, 0), (b, 0)], c.stroke_width(3));
    (EmptyElement::at((x, y)) + seg(segs[0]) + seg(segs[1]) + seg(segs[2])).into_dyn()
}

fn err(e: impl std::fmt::Display) -> JsValue {
    js::message(&format!("drawing failed: {e}"))
}

/// Draws charts from snapshots; `dpr` is the device pixel ratio the canvases use.
#[wasm_bindgen]
pub struct Charts {
    dpr: f64,
}

struct Mode {
    label: String,
    sv: Vec<f64>,
    cut: f64,
    cutoff: usize,
    u: Vec<f64>,
}

fn modes(snap: &JsValue) -> Vec<Mode> {
    list(snap, "modes")
        .iter()
        .map(|m| Mode {
            label: text(m, "label"),
            sv: vec(m, "sv"),
            cut: num(m, "cut"),
            cutoff: num(m, "cutoff") as usize,
            u: vec(m, "u"),
        })
        .collect()
}

/// `(lo, hi)` of the positive finite values, widened for a log axis.
fn log_range(values: impl Iterator<Item = f64>, floor: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, 0f64);
    for v in values.filter(|v| v.is_finite() && *v > floor) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi <= 0.0 || !lo.is_finite() {
        return (1e-3, 1.0);
    }
    if hi / lo < 10.0 {
        (lo / 3.0, hi * 3.0)
    } else {
        (lo / 2.0, hi * 2.0)
    }
}

/// Log axes are drawn as linear axes over `log₁₀ v` (plotters' own log axis drops its
/// labels over very wide ranges); this labels a tick `t` with the value `10ᵗ`.
fn pow_label(t: &f64) -> String {
    let v = 10f64.powf(*t);
    let r = t.round();
    if (t - r).abs() < 1e-6 && !(-3.0..=3.0).contains(&r) {
        format!("1e{}", r as i64)
    } else if (1e-3..1e4).contains(&v) {
        // Plain numbers with up to three significant digits: 0.05, 2.5, 300.
        let digits = (2 - v.log10().floor() as i32).max(0) as usize;
        let text = format!("{v:.digits$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    } else {
        format!("{v:.1e}")
    }
}

fn lg(v: f64) -> f64 {
    v.log10()
}

fn whole(v: &f64) -> String {
    format!("{v:.0}")
}

/// One decimal, without a "-0.0".
fn tidy(v: &f64) -> String {
    format!("{:.1}", if v.abs() < 1e-9 { 0.0 } else { *v })
}

impl Charts {
    fn font(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * self.dpr).into_font().into()
    }

    fn area(&self, canvas: HtmlCanvasElement) -> Result<Area, JsValue> {
        let backend = CanvasBackend::with_canvas_object(canvas)
            .ok_or_else(|| js::message("no 2-D context on this canvas"))?;
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        Ok(root)
    }

    fn note(&self, area: &Area, lines: &[&str]) -> Result<(), JsValue> {
        let (w, h) = area.dim_in_pixel();
        let style = self
            .font(13.0)
            .color(&GREY)
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ));
        let step = (18.0 * self.dpr) as i32;
        let top = h as i32 / 2 - step * (lines.len() as i32 - 1) / 2;
        for (i, line) in lines.iter().enumerate() {
            area.draw_text(line, &style, (w as i32 / 2, top + step * i as i32))
                .map_err(err)?;
        }
        Ok(())
    }

    fn px(&self, v: f64) -> u32 {
        (v * self.dpr).round() as u32
    }

    /// The legend box every chart uses, at `position`.
    fn legend(
        &self,
        chart: &mut ChartContext<'_, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        position: SeriesLabelPosition,
    ) -> Result<(), JsValue> {
        chart
            .configure_series_labels()
            .position(position)
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .label_font(self.font(11.0))
            .draw()
            .map_err(err)
    }

    /// Run `index`'s line in its colour and style: AD solid, each FD step dashed.
    fn styled<'a, 'b>(
        &self,
        chart: &'b mut ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        pts: Vec<(f64, f64)>,
        index: usize,
        width: f64,
    ) -> Result<&'b mut SeriesAnno<'a, CanvasBackend>, JsValue> {
        let style = colour(index).stroke_width(self.px(width));
        match dash(index) {
            None => chart.draw_series(LineSeries::new(pts, style)),
            Some((on, off)) => {
                chart.draw_series(DashedLineSeries::new(pts, self.px(on), self.px(off), style))
            }
        }
        .map_err(err)
    }
}

#[wasm_bindgen]
impl Charts {
    /// Charts for canvases whose pixel size is `dpr` × their CSS size.
    #[wasm_bindgen(constructor)]
    pub fn new(dpr: f64) -> Charts {
        Charts {
            dpr: if dpr.is_finite() && dpr > 0.0 {
                dpr
            } else {
                1.0
            },
        }
    }

    /// Training loss (solid) and true PDE residual (dashed) against the step, log
    /// scale, for AD and each FD step. The RFM is fitted in one least-squares solve,
    /// so it has no curve; the panel says so.
    pub fn loss(&self, canvas: HtmlCanvasElement, snap: &JsValue) -> Result<f64, JsValue> {
        let t0 = Instant::now();
        let root = self.area(canvas)?;
        if text(snap, "model") != "network" {
            self.threshold_curves(&root, snap)?;
            root.present().map_err(err)?;
            return Ok(t0.elapsed().as_secs_f64() * 1e3);
        }
        let runs = list(snap, "modes");
        // (label, loss steps, losses, true-residual steps, true residuals) per run.
        type Curves = (String, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);
        let curves: Vec<Curves> = runs
            .iter()
            .map(|m| {
                (
                    text(m, "label"),
                    vec(m, "lossStep"),
                    vec(m, "loss"),
                    vec(m, "trueStep"),
                    vec(m, "trueResidual"),
                )
            })
            .collect();
        let last = curves
            .iter()
            .flat_map(|c| c.1.last().copied())
            .fold(1f64, f64::max);
        let (lo, hi) = log_range(
            curves
                .iter()
                .flat_map(|c| c.2.iter().chain(c.4.iter()).copied()),
            1e-300,
        );
        let mut chart = ChartBuilder::on(&root)
            .margin(self.px(8.0))
            .x_label_area_size(self.px(34.0))
            .y_label_area_size(self.px(54.0))
            .build_cartesian_2d(0f64..last.max(1.0), lg(lo)..lg(hi))
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc("training step")
            .y_desc("loss (solid), true residual (dashed)")
            .x_label_formatter(&whole)
            .y_label_formatter(&pow_label)
            .label_style(self.font(11.0))
            .axis_desc_style(self.font(12.0))
            .draw()
            .map_err(err)?;
        for (i, (name, ls, l, ts, tr)) in curves.into_iter().enumerate() {
            let c = colour(i);
            let pts: Vec<(f64, f64)> = ls
                .into_iter()
                .zip(l)
                .filter(|p| p.1 > 0.0 && p.1.is_finite())
                .map(|(x, y)| (x, lg(y)))
                .collect();
            chart
                .draw_series(LineSeries::new(pts, c.stroke_width(self.px(2.0))))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3))
                });
            let pts: Vec<(f64, f64)> = ts
                .into_iter()
                .zip(tr)
                .filter(|p| p.1 > 0.0 && p.1.is_finite())
                .map(|(x, y)| (x, lg(y)))
                .collect();
            if pts.len() > 1 {
                chart
                    .draw_series(DashedLineSeries::new(
                        pts,
                        self.px(5.0),
                        self.px(4.0),
                        c.stroke_width(self.px(1.5)),
                    ))
                    .map_err(err)?;
            }
        }
        self.legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(err)?;
        Ok(t0.elapsed().as_secs_f64() * 1e3)
    }

    /// The spectrum against its index, log scale, every mode overlaid, with the
    /// threshold as a dashed line and each mode's cut-off `K` marked. `eigen` shows
    /// `λᵢ = sᵢ²` (still computed from the SVD) instead of `sᵢ`.
    pub fn spectrum(
        &self,
        canvas: HtmlCanvasElement,
        snap: &JsValue,
        eigen: bool,
    ) -> Result<f64, JsValue> {
        let t0 = Instant::now();
        let root = self.area(canvas)?;
        let modes = modes(snap);
        if modes.is_empty() {
            self.note(&root, &["computing the spectra…"])?;
            return Ok(t0.elapsed().as_secs_f64() * 1e3);
        }
        let f = |s: f64| if eigen { s * s } else { s };
        let n = modes.iter().map(|m| m.sv.len()).max().unwrap_or(1).max(2);
        let (lo, hi) = log_range(
            modes
                .iter()
                .flat_map(|m| m.sv.iter().map(|&s| f(s)).chain([f(m.cut)])),
            0.0,
        );
        let lo = lo.max(hi * if eigen { 1e-40 } else { 1e-20 });
        let thr = if text(snap, "thresholdKind") == "absolute" {
            format!("threshold sᵢ > a = {:.0e}", num(snap, "threshold"))
        } else {
            format!("threshold sᵢ > a·s₁, a = {:.0e}", num(snap, "threshold"))
        };
        let mut chart = ChartBuilder::on(&root)
            .margin(self.px(8.0))
            .x_label_area_size(self.px(34.0))
            .y_label_area_size(self.px(54.0))
            .build_cartesian_2d(1f64..n as f64, lg(lo)..lg(hi))
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc("index i")
            .y_desc(if eigen {
                "eigenvalue λᵢ = sᵢ²"
            } else {
                "singular value sᵢ"
            })
            .x_label_formatter(&whole)
            .y_label_formatter(&pow_label)
            .label_style(self.font(11.0))
            .axis_desc_style(self.font(12.0))
            .draw()
            .map_err(err)?;
        for (i, m) in modes.iter().enumerate() {
            let c = colour(i);
            let pts: Vec<(f64, f64)> =
                m.sv.iter()
                    .enumerate()
                    .map(|(j, &s)| ((j + 1) as f64, f(s)))
                    .filter(|p| p.1 >= lo)
                    .map(|(x, y)| (x, lg(y)))
                    .collect();
            self.styled(&mut chart, pts, i, 2.0)?
                .label(format!("{}  K = {}", m.label, m.cutoff))
                .legend(move |(x, y)| legend_line(x, y, i, c));
            if m.cutoff > 0 {
                let k = m.cutoff as f64;
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(k, lg(lo)), (k, lg(hi))],
                        self.px(4.0),
                        self.px(4.0),
                        c.mix(0.7).stroke_width(self.px(1.0)),
                    ))
                    .map_err(err)?;
            }
        }
        let cut = f(modes[0].cut);
        if cut >= lo && cut <= hi {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(1.0, lg(cut)), (n as f64, lg(cut))],
                    self.px(8.0),
                    self.px(5.0),
                    BLACK.stroke_width(self.px(1.5)),
                ))
                .map_err(err)?
                .label(if eigen {
                    format!("{thr} (shown squared)")
                } else {
                    thr
                })
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
        }
        self.legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        root.present().map_err(err)?;
        Ok(t0.elapsed().as_secs_f64() * 1e3)
    }

    /// The solution: in 1-D the exact, AD- and FD-fitted curves above their pointwise
    /// errors; in 2-D heatmaps (exact, AD, FD at `fd_index`, and both errors).
    pub fn solution(
        &self,
        canvas: HtmlCanvasElement,
        snap: &JsValue,
        fd_index: usize,
    ) -> Result<f64, JsValue> {
        let t0 = Instant::now();
        let root = self.area(canvas.clone())?;
        let grid = get(snap, "grid");
        let exact = vec(&grid, "exact");
        let modes = modes(snap);
        if num(&grid, "dim") as usize == 2 {
            self.heatmaps(&canvas, &root, &grid, &exact, &modes, fd_index)?;
        } else {
            self.curves(&root, &vec(&grid, "x"), &exact, &modes)?;
        }
        root.present().map_err(err)?;
        Ok(t0.elapsed().as_secs_f64() * 1e3)
    }

    /// `exp H` and the true residual against `h` for the sweep, AD as a dashed level.
    pub fn sweep(&self, canvas: HtmlCanvasElement, snap: &JsValue) -> Result<f64, JsValue> {
        let t0 = Instant::now();
        let root = self.area(canvas)?;
        let s = get(snap, "sweep");
        let h = vec(&s, "h");
        if h.is_empty() {
            let msg = if s.is_undefined() {
                "Press “Sweep h” to fit AD once and FD at 12 steps h."
            } else {
                "sweeping h…"
            };
            self.note(&root, &[msg])?;
            return Ok(t0.elapsed().as_secs_f64() * 1e3);
        }
        let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 / 2);
        let x = log_range(h.iter().copied(), 0.0);
        let rows: [(&Area, &str, &str, &str); 2] = [
            (
                &top,
                "effectiveModes",
                "adEffectiveModes",
                "exp H (log axis = H)",
            ),
            (
                &bottom,
                "residualTrue",
                "adResidualTrue",
                "true PDE residual",
            ),
        ];
        for (i, (area, key, ad_key, desc)) in rows.into_iter().enumerate() {
            let y = vec(&s, key);
            let ad = num(&s, ad_key);
            let (lo, hi) = log_range(y.iter().copied().chain([ad]), 1e-300);
            let mut chart = ChartBuilder::on(area)
                .margin(self.px(6.0))
                .x_label_area_size(self.px(if i == 1 { 32.0 } else { 8.0 }))
                .y_label_area_size(self.px(54.0))
                .build_cartesian_2d(lg(x.0)..lg(x.1), lg(lo)..lg(hi))
                .map_err(err)?;
            let mut mesh = chart.configure_mesh();
            mesh.light_line_style(WHITE.mix(0.0))
                .y_desc(desc)
                .x_label_formatter(&pow_label)
                .y_label_formatter(&pow_label)
                .label_style(self.font(11.0))
                .axis_desc_style(self.font(12.0));
            if i == 1 {
                mesh.x_desc("FD step h");
            } else {
                mesh.x_labels(0);
            }
            mesh.draw().map_err(err)?;
            let pts: Vec<(f64, f64)> = h
                .iter()
                .zip(&y)
                .filter(|p| *p.1 > 0.0 && p.1.is_finite())
                .map(|(h, y)| (lg(*h), lg(*y)))
                .collect();
            let fdc = FD[0];
            chart
                .draw_series(LineSeries::new(pts.clone(), fdc.stroke_width(self.px(2.0))))
                .map_err(err)?
                .label("FD")
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], fdc));
            chart
                .draw_series(
                    pts.iter()
                        .map(|&p| Circle::new(p, self.px(3.0), fdc.filled())),
                )
                .map_err(err)?;
            if ad.is_finite() && ad > 0.0 {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(lg(x.0), lg(ad)), (lg(x.1), lg(ad))],
                        self.px(6.0),
                        self.px(4.0),
                        AD.stroke_width(self.px(2.0)),
                    ))
                    .map_err(err)?
                    .label("AD")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], AD));
            }
            self.legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        }
        root.present().map_err(err)?;
        Ok(t0.elapsed().as_secs_f64() * 1e3)
    }

    /// Truncated entropy `H` against the true residual of every run so far (AD filled,
    /// FD hollow): higher entropy should go with lower residual.
    pub fn scatter(&self, canvas: HtmlCanvasElement, snap: &JsValue) -> Result<f64, JsValue> {
        let t0 = Instant::now();
        let root = self.area(canvas)?;
        let hist = get(snap, "history");
        let (hs, rs, ad) = (vec(&hist, "entropy"), vec(&hist, "y"), vec(&hist, "ad"));
        if hs.is_empty() {
            self.note(
                &root,
                &[
                    "Each finished run adds a point here:",
                    "its truncated entropy against how well it fitted or trained.",
                ],
            )?;
            return Ok(t0.elapsed().as_secs_f64() * 1e3);
        }
        let (hlo, hhi) = hs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let pad = ((hhi - hlo) * 0.1).max(0.05);
        let (lo, hi) = log_range(rs.iter().copied(), 1e-300);
        let mut chart = ChartBuilder::on(&root)
            .margin(self.px(8.0))
            .x_label_area_size(self.px(34.0))
            .y_label_area_size(self.px(54.0))
            .build_cartesian_2d((hlo - pad)..(hhi + pad), lg(lo)..lg(hi))
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc(text(&hist, "xLabel"))
            .y_desc(text(&hist, "yLabel"))
            .y_label_formatter(&pow_label)
            .label_style(self.font(11.0))
            .axis_desc_style(self.font(12.0))
            .draw()
            .map_err(err)?;
        let r = self.px(4.0);
        let pts = hs.iter().zip(&rs).zip(&ad);
        chart
            .draw_series(
                pts.clone()
                    .filter(|(_, &a)| a == 0.0)
                    .map(|((&h, &res), _)| Circle::new((h, lg(res)), r, FD[0].stroke_width(2))),
            )
            .map_err(err)?
            .label("FD runs")
            .legend(|(x, y)| Circle::new((x + 8, y), 4, FD[0].stroke_width(2)));
        chart
            .draw_series(
                pts.filter(|(_, &a)| a != 0.0)
                    .map(|((&h, &res), _)| Circle::new((h, lg(res)), r, AD.filled())),
            )
            .map_err(err)?
            .label("AD runs")
            .legend(|(x, y)| Circle::new((x + 8, y), 4, AD.filled()));
        self.legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        root.present().map_err(err)?;
        Ok(t0.elapsed().as_secs_f64() * 1e3)
    }
}

impl Charts {
    /// The RFM has no training curve; this panel shows instead how `K(a)` and `exp H(a)`
    /// of each mode's spectrum depend on the relative threshold `a` (computed here from
    /// the singular values with the library's own entropy), with the chosen `a` dashed:
    /// lowering `a` below FD's round-off floor starts counting noise as modes.
    fn threshold_curves(&self, root: &Area, snap: &JsValue) -> Result<(), JsValue> {
        let modes = modes(snap);
        if modes.is_empty() {
            return self.note(root, &["computing the spectra…"]);
        }
        let grid: Vec<f64> = (0..=60).map(|i| -16.0 + 0.25 * i as f64).collect();
        // (K(a), exp H(a)) along the grid, per mode.
        let curves: Vec<Vec<(f64, f64, f64)>> = modes
            .iter()
            .map(|m| {
                grid.iter()
                    .filter_map(|&t| {
                        let e =
                            spectrum::truncated_entropy(&m.sv, Threshold::Relative(10f64.powf(t)));
                        e.ok().map(|e| (t, e.cutoff as f64, e.effective_modes))
                    })
                    .collect()
            })
            .collect();
        let top = curves.iter().flatten().fold(2f64, |m, p| m.max(p.1)) * 1.3;
        let mut chart = ChartBuilder::on(root)
            .margin(self.px(8.0))
            .x_label_area_size(self.px(34.0))
            .y_label_area_size(self.px(54.0))
            .build_cartesian_2d(-16f64..-1f64, 0f64..lg(top))
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc("relative threshold a (keep sᵢ > a·s₁)")
            .y_desc("K(a) solid, exp H(a) dashed")
            .x_label_formatter(&pow_label)
            .y_label_formatter(&|t: &f64| format!("{:.0}", 10f64.powf(*t)))
            .label_style(self.font(11.0))
            .axis_desc_style(self.font(12.0))
            .draw()
            .map_err(err)?;
        for (i, (m, pts)) in modes.iter().zip(curves).enumerate() {
            let c = colour(i);
            let k: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, lg(p.1.max(1.0)))).collect();
            let h: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, lg(p.2.max(1.0)))).collect();
            chart
                .draw_series(LineSeries::new(k, c.stroke_width(self.px(2.0))))
                .map_err(err)?
                .label(m.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3))
                });
            chart
                .draw_series(DashedLineSeries::new(
                    h,
                    self.px(5.0),
                    self.px(4.0),
                    c.stroke_width(self.px(1.5)),
                ))
                .map_err(err)?;
        }
        let a = num(snap, "threshold");
        if text(snap, "thresholdKind") == "relative" && a > 0.0 {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(lg(a), 0.0), (lg(a), lg(top))],
                    self.px(8.0),
                    self.px(5.0),
                    BLACK.stroke_width(self.px(1.5)),
                ))
                .map_err(err)?
                .label(format!("chosen a = {a:.0e}"))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
        }
        self.legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }

    fn curves(&self, root: &Area, x: &[f64], exact: &[f64], modes: &[Mode]) -> Result<(), JsValue> {
        let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 * 3 / 5);
        let all = exact
            .iter()
            .chain(modes.iter().flat_map(|m| m.u.iter()))
            .copied()
            .filter(|v| v.is_finite());
        let (lo, hi) = all.fold((-1.0f64, 1.0f64), |(a, b), v| (a.min(v), b.max(v)));
        let (lo, hi) = (lo.max(-10.0) - 0.1, hi.min(10.0) + 0.1);
        let mut chart = ChartBuilder::on(&top)
            .margin(self.px(6.0))
            .x_label_area_size(self.px(8.0))
            .y_label_area_size(self.px(54.0))
            .build_cartesian_2d(-1f64..1f64, lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_labels(0)
            .y_desc("u(x)")
            .y_label_formatter(&tidy)
            .label_style(self.font(11.0))
            .axis_desc_style(self.font(12.0))
            .draw()
            .map_err(err)?;
        let xy = |u: &[f64]| -> Vec<(f64, f64)> {
            x.iter()
                .copied()
                .zip(u.iter().map(|v| v.clamp(lo, hi)))
                .collect()
        };
        chart
            .draw_series(LineSeries::new(xy(exact), BLACK.stroke_width(self.px(4.0))))
            .map_err(err)?
            .label("exact u*")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(3)));
        for (i, m) in modes.iter().enumerate() {
            let c = colour(i);
            self.styled(&mut chart, xy(&m.u), i, 1.5)?
                .label(m.label.clone())
                .legend(move |(x, y)| legend_line(x, y, i, c));
        }
        self.legend(&mut chart, SeriesLabelPosition::LowerRight)?;

        let errs: Vec<Vec<f64>> = modes
            .iter()
            .map(|m| m.u.iter().zip(exact).map(|(u, e)| (u - e).abs()).collect())
            .collect();
        let (elo, ehi) = log_range(errs.iter().flatten().copied(), 1e-300);
        let elo = elo.max(ehi * 1e-14);
        let mut chart = ChartBuilder::on(&bottom)
            .margin(self.px(6.0))
            .x_label_area_size(self.px(32.0))
            .y_label_area_size(self.px(54.0))
            .build_cartesian_2d(-1f64..1f64, lg(elo)..lg(ehi))
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc("x")
            .x_label_formatter(&tidy)
            .y_desc("|u − u*|")
            .y_label_formatter(&pow_label)
            .y_labels(5)
            .label_style(self.font(11.0))
            .axis_desc_style(self.font(12.0))
            .draw()
            .map_err(err)?;
        for (i, e) in errs.iter().enumerate() {
            let pts: Vec<(f64, f64)> = x
                .iter()
                .copied()
                .zip(e.iter().map(|v| lg(v.max(elo))))
                .collect();
            self.styled(&mut chart, pts, i, 1.5)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn heatmaps(
        &self,
        canvas: &HtmlCanvasElement,
        root: &Area,
        grid: &JsValue,
        exact: &[f64],
        modes: &[Mode],
        fd_index: usize,
    ) -> Result<(), JsValue> {
        let n = num(grid, "n") as usize;
        let ctx = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
            .ok_or_else(|| js::message("no 2-D context on this canvas"))?;
        let cells = root.split_evenly((2, 3));
        let ad = modes.first();
        let fd = modes.get(fd_index.max(1)).or(modes.get(1));
        let umax = exact.iter().fold(0f64, |m, v| m.max(v.abs())).max(1e-12);
        let diverging = |v: f64| diverging(v / umax);
        let error = |u: &[f64]| -> Vec<f64> {
            u.iter()
                .zip(exact)
                .map(|(u, e)| (u - e).abs().max(1e-16).log10())
                .collect()
        };
        let ad_err = ad.map(|m| error(&m.u));
        let fd_err = fd.map(|m| error(&m.u));
        let (elo, ehi) = ad_err
            .iter()
            .chain(fd_err.iter())
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let (elo, ehi) = if elo < ehi { (elo, ehi) } else { (-16.0, 0.0) };
        let seq = |v: f64| viridis((v - elo) / (ehi - elo));
        let title = self.font(12.0);
        let panels: [(usize, String, Option<&[f64]>, bool); 5] = [
            (0, "exact u*".into(), Some(exact), false),
            (1, "AD-fitted u".into(), ad.map(|m| m.u.as_slice()), false),
            (
                2,
                fd.map_or("FD-fitted u".into(), |m| format!("{}-fitted u", m.label)),
                fd.map(|m| m.u.as_slice()),
                false,
            ),
            (4, "log₁₀|u − u*|, AD".into(), ad_err.as_deref(), true),
            (5, "log₁₀|u − u*|, FD".into(), fd_err.as_deref(), true),
        ];
        for (cell, name, values, is_err) in panels {
            let area = &cells[cell];
            let ((x0, x1), (y0, y1)) = {
                let (xr, yr) = area.get_pixel_range();
                ((xr.start, xr.end), (yr.start, yr.end))
            };
            let pad = self.px(4.0) as i32;
            let head = self.px(18.0) as i32;
            area.draw_text(&name, &title, (pad, pad)).map_err(err)?;
            let side = ((x1 - x0 - 2 * pad).min(y1 - y0 - head - pad)).max(8) as u32;
            let (left, top) = (x0 + (x1 - x0 - side as i32) / 2, y0 + head);
            if let Some(v) = values {
                let paint = |t: f64| if is_err { seq(t) } else { diverging(t) };
                self.blit(&ctx, v, n, side, (left, top), paint)?;
            }
        }
        // The colour bars live in the bottom-left cell.
        let area = &cells[3];
        let (xr, yr) = area.get_pixel_range();
        let pad = self.px(6.0) as i32;
        let w = (xr.end - xr.start - 2 * pad).max(8) as u32;
        let bh = self.px(14.0);
        let label = self.font(11.0);
        type Paint<'a> = Box<dyn Fn(f64) -> [u8; 3] + 'a>;
        let bars: [(String, String, String, Paint); 2] = [
            (
                "u (exact, AD, FD)".into(),
                format!("{:.2}", -umax),
                format!("{umax:.2}"),
                Box::new(move |t: f64| diverging(-1.0 + 2.0 * t)),
            ),
            (
                "log₁₀|u − u*|".into(),
                format!("{elo:.1}"),
                format!("{ehi:.1}"),
                Box::new(viridis),
            ),
        ];
        let mut y = yr.start + pad;
        for (name, lo, hi, paint) in bars {
            area.draw_text(&name, &label, (pad, y - yr.start))
                .map_err(err)?;
            y += self.px(15.0) as i32;
            let mut buf = Vec::with_capacity((w * bh * 4) as usize);
            for _ in 0..bh {
                for i in 0..w {
                    let [r, g, b] = paint(i as f64 / (w - 1).max(1) as f64);
                    buf.extend_from_slice(&[r, g, b, 255]);
                }
            }
            put(&ctx, &buf, w, bh, (xr.start + pad, y))?;
            y += bh as i32 + self.px(2.0) as i32;
            area.draw_text(&lo, &label, (pad, y - yr.start))
                .map_err(err)?;
            let right = (w as i32 + pad) - (hi.len() as f64 * 6.5 * self.dpr) as i32;
            area.draw_text(&hi, &label, (right, y - yr.start))
                .map_err(err)?;
            y += self.px(24.0) as i32;
        }
        Ok(())
    }

    /// Paints an `n × n` grid (row 0 = lowest y) into a `side`² square at `at`, nearest
    /// neighbour, y pointing up.
    fn blit(
        &self,
        ctx: &CanvasRenderingContext2d,
        v: &[f64],
        n: usize,
        side: u32,
        at: (i32, i32),
        paint: impl Fn(f64) -> [u8; 3],
    ) -> Result<(), JsValue> {
        if n == 0 || v.len() < n * n {
            return Ok(());
        }
        let colours: Vec<[u8; 3]> = v.iter().map(|&x| paint(x)).collect();
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

/// Blue–white–red for `t ∈ [−1, 1]`.
fn diverging(t: f64) -> [u8; 3] {
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: f64, b: f64, s: f64| (a + (b - a) * s).round() as u8;
    if t < 0.0 {
        let s = -t;
        [
            mix(247.0, 33.0, s),
            mix(247.0, 102.0, s),
            mix(247.0, 172.0, s),
        ]
    } else {
        [
            mix(247.0, 178.0, t),
            mix(247.0, 24.0, t),
            mix(247.0, 43.0, t),
        ]
    }
}

/// A five-stop approximation of viridis for `t ∈ [0, 1]`.
fn viridis(t: f64) -> [u8; 3] {
    const STOPS: [[f64; 3]; 5] = [
        [68.0, 1.0, 84.0],
        [59.0, 82.0, 139.0],
        [33.0, 145.0, 140.0],
        [94.0, 201.0, 98.0],
        [253.0, 231.0, 37.0],
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    } * 4.0;
    let i = (t.floor() as usize).min(3);
    let s = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    [0, 1, 2].map(|k| (a[k] + (b[k] - a[k]) * s).round() as u8)
}
