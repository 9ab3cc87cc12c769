//! What every panel shares: the canvas as a plotters drawing area, fonts and pixel
//! sizes at the device pixel ratio, a chart with its mesh and axis labels on two
//! [`Axis`] spans, legends, notes, and run-styled lines (AD solid, FD dashed).

use super::axis::Axis;
use super::canvas::Canvas;
use super::palette::{self, Rgb};
use crate::web::js;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use wasm_bindgen::JsValue;
use web_sys::HtmlCanvasElement;

/// A canvas (or part of one) to draw on.
pub type Area = DrawingArea<Canvas, Shift>;
/// A chart with two linear `f64` axes (log axes are linear over `log₁₀`).
pub type Chart<'a> = ChartContext<'a, Canvas, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
/// A legend sample, drawn at the legend's position for a series.
pub type Sample = DynElement<'static, Canvas, (i32, i32)>;
/// What draws a legend line's sample at a point (its line's middle left).
type DrawSample = Box<dyn Fn((i32, i32)) -> Sample>;

/// A chart's legend: one line per entry, its sample beside its label, in the order
/// added; drawn by [`Frame::legend`]. adfd lays legends out itself because plotters'
/// series labels measure each line through the page's DOM (a forced layout of the
/// whole page per line, tens of milliseconds on a fresh page); here the canvas
/// measures them (`measureText`, see `canvas`).
#[derive(Default)]
pub struct Legend {
    entries: Vec<(String, DrawSample)>,
}

impl Legend {
    /// Adds a line: `label`, with `sample` drawn at the middle left of its line.
    pub fn add(
        &mut self,
        label: impl Into<String>,
        sample: impl Fn((i32, i32)) -> Sample + 'static,
    ) {
        self.entries.push((label.into(), Box::new(sample)));
    }
}

/// The top-left corner of a `(w, h)` box at `position` on an `area`-sized area, 5 px
/// from its edges (as plotters places series labels).
fn corner(position: SeriesLabelPosition, (w, h): (i32, i32), area: (u32, u32)) -> (i32, i32) {
    use SeriesLabelPosition::*;
    let (aw, ah) = (area.0 as i32, area.1 as i32);
    let x = match position {
        UpperLeft | MiddleLeft | LowerLeft => 5,
        UpperMiddle | MiddleMiddle | LowerMiddle => (aw - w) / 2,
        UpperRight | MiddleRight | LowerRight => aw - w - 5,
        Coordinate(x, _) => x,
    };
    let y = match position {
        UpperLeft | UpperMiddle | UpperRight => 5,
        MiddleLeft | MiddleMiddle | MiddleRight => (ah - h) / 2,
        LowerLeft | LowerMiddle | LowerRight => ah - h - 5,
        Coordinate(_, y) => y,
    };
    (x, y)
}

/// A plotters colour from a palette entry.
pub fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

/// A drawing failure as a JS `Error`.
pub fn err(e: impl std::fmt::Display) -> JsValue {
    js::message(&format!("drawing failed: {e}"))
}

/// A tick label format.
pub type Format = fn(&f64) -> String;

/// How an axis's ticks are labelled.
#[derive(Clone, Copy)]
pub enum Ticks {
    /// No tick labels (a chart stacked above another shares its `x` labels).
    Hidden,
    /// plotters' own number format.
    Plain,
    /// This format.
    Format(Format),
    /// This format, at about this many ticks.
    FormatN(Format, usize),
}

impl Ticks {
    /// The formatter, if not plotters' own, and the number of ticks, if not its default.
    fn parts(self) -> (Option<Format>, Option<usize>) {
        match self {
            Ticks::Hidden => (None, Some(0)),
            Ticks::Plain => (None, None),
            Ticks::Format(f) => (Some(f), None),
            Ticks::FormatN(f, n) => (Some(f), Some(n)),
        }
    }
}

/// One axis of a chart: its span, its description ("" for none) and its tick labels.
pub struct Side<'t> {
    /// The span, in axis coordinates.
    pub axis: Axis,
    /// What the axis shows.
    pub desc: &'t str,
    /// How its ticks are labelled.
    pub ticks: Ticks,
}

/// Where a chart sits: alone on its area, or the upper or lower of two stacked.
#[derive(Clone, Copy, PartialEq)]
pub enum Place {
    /// A chart of its own.
    Alone,
    /// Above another chart (little room below for `x` labels).
    Upper,
    /// Below another chart.
    Lower,
}

/// How many parts [`Frame::warm`] splits its work into: three font sizes, two
/// directions.
pub const WARM_PARTS: usize = 6;

/// Drawing at one device pixel ratio.
pub struct Frame {
    dpr: f64,
}

impl Frame {
    /// Drawing at `dpr` device pixels per CSS pixel, kept within `[0.25, 16]` (NaN
    /// gives 1), so sizes in pixels stay sane.
    pub fn new(dpr: f64) -> Frame {
        Frame {
            dpr: if dpr.is_nan() {
                1.0
            } else {
                dpr.clamp(0.25, 16.0)
            },
        }
    }

    /// The device pixel ratio in use.
    pub fn dpr(&self) -> f64 {
        self.dpr
    }

    /// A sans-serif font of `size` CSS px.
    pub fn font(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * self.dpr).into_font().into()
    }

    /// Draws every character chart text uses in part `part % WARM_PARTS` of the fonts
    /// and directions the panels use (labels 11 px, axis descriptions 12 px, notes
    /// 13 px; each upright and turned for `y`), on `area`: a scratch canvas the page
    /// never shows. With every part drawn, the browser's glyph cache is warm before
    /// the first results (in a profile of fresh pages, `fillText` took ~50 ms of their
    /// first draws); in parts, so that no one task takes it all.
    pub fn warm(&self, area: &Area, part: usize) -> Result<(), JsValue> {
        const GLYPHS: [&str; 3] = [
            "0123456789 .,:;+-=*/()[]<>%^_|'\"#&!?",
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "±²³·¹×ηλᵗᵢ–—‖“”…⁰⁴⁵⁶⁷⁸⁹⁻₀₁←∈−∞≤⌈⌉",
        ];
        let part = part % WARM_PARTS;
        let size = [11.0, 12.0, 13.0][part / 2];
        let turn = if part.is_multiple_of(2) {
            FontTransform::None
        } else {
            FontTransform::Rotate270
        };
        let style = self.font(size).transform(turn);
        for (i, line) in GLYPHS.iter().enumerate() {
            area.draw_text(line, &style, (20, 20 + 20 * i as i32))
                .map_err(err)?;
        }
        Ok(())
    }

    /// `v` CSS px in device pixels.
    pub fn px(&self, v: f64) -> u32 {
        (v * self.dpr).round() as u32
    }

    /// The whole canvas, cleared to white.
    pub fn area(&self, canvas: HtmlCanvasElement) -> Result<Area, JsValue> {
        let backend =
            Canvas::new(canvas).ok_or_else(|| js::message("no 2-D context on this canvas"))?;
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        Ok(root)
    }

    /// Grey lines of text centred on `area`, for a panel with nothing to plot yet.
    pub fn note(&self, area: &Area, lines: &[&str]) -> Result<(), JsValue> {
        let (w, h) = area.dim_in_pixel();
        let grey = rgb(palette::GREY);
        let style = self
            .font(13.0)
            .color(&grey)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let step = (18.0 * self.dpr) as i32;
        let top = h as i32 / 2 - step * (lines.len() as i32 - 1) / 2;
        for (i, line) in lines.iter().enumerate() {
            area.draw_text(line, &style, (w as i32 / 2, top + step * i as i32))
                .map_err(err)?;
        }
        Ok(())
    }

    /// A chart on `area` over the spans of `x` and `y`, its mesh and axis labels drawn.
    pub fn chart<'a>(
        &self,
        area: &'a Area,
        place: Place,
        x: Side<'_>,
        y: Side<'_>,
    ) -> Result<Chart<'a>, JsValue> {
        let (margin, below) = match place {
            Place::Alone => (8.0, 34.0),
            Place::Upper => (6.0, 8.0),
            Place::Lower => (6.0, 32.0),
        };
        let mut chart = ChartBuilder::on(area)
            .margin(self.px(margin))
            .x_label_area_size(self.px(below))
            .y_label_area_size(self.px(54.0))
            .build_cartesian_2d(x.axis.range(), y.axis.range())
            .map_err(err)?;
        // The formatters outlive the mesh that borrows them.
        let (x_format, x_count) = x.ticks.parts();
        let (y_format, y_count) = y.ticks.parts();
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(WHITE.mix(0.0))
            .label_style(self.font(11.0))
            .axis_desc_style(self.font(12.0));
        if !x.desc.is_empty() {
            mesh.x_desc(x.desc);
        }
        if !y.desc.is_empty() {
            mesh.y_desc(y.desc);
        }
        if let Some(f) = &x_format {
            mesh.x_label_formatter(f);
        }
        if let Some(f) = &y_format {
            mesh.y_label_formatter(f);
        }
        if let Some(n) = x_count {
            mesh.x_labels(n);
        }
        if let Some(n) = y_count {
            mesh.y_labels(n);
        }
        mesh.draw().map_err(err)?;
        Ok(chart)
    }

    /// `legend`'s box at `position` on the chart's plotting area, laid out as plotters'
    /// series labels are: lines `1.25 ×` the font size apart, samples in a 30 px column,
    /// a 10 px margin, 5 px from the area's edges. Draws nothing for an empty legend.
    pub fn legend(
        &self,
        chart: &Chart<'_>,
        position: SeriesLabelPosition,
        legend: &Legend,
    ) -> Result<(), JsValue> {
        const SAMPLES: i32 = 30;
        const MARGIN: i32 = 10;
        if legend.entries.is_empty() {
            return Ok(());
        }
        let area = chart.plotting_area().strip_coord_spec();
        let font = self.font(11.0);
        let step = font.font.get_size() * 1.25;
        // Each line's box relative to the text's top-left corner.
        let mut lines = Vec::with_capacity(legend.entries.len());
        for (i, (label, _)) in legend.entries.iter().enumerate() {
            let (w, h) = area.estimate_text_size(label, &font).map_err(err)?;
            let top = (i as f64 * step).round() as i32;
            lines.push((top, w as i32, h as i32));
        }
        let text_w = lines.iter().map(|&(_, w, _)| w).max().unwrap_or(0);
        let text_h = lines.iter().map(|&(top, _, h)| top + h).max().unwrap_or(0);
        let (w, h) = (text_w + SAMPLES + 2 * MARGIN, text_h + 2 * MARGIN);
        let (x, y) = corner(position, (w, h), area.dim_in_pixel());
        let frame = [(x, y), (x + w, y + h)];
        area.draw(&Rectangle::new(frame, WHITE.mix(0.85).filled()))
            .map_err(err)?;
        area.draw(&Rectangle::new(frame, rgb(palette::GREY)))
            .map_err(err)?;
        for ((label, sample), &(top, _, h)) in legend.entries.iter().zip(&lines) {
            let y0 = y + MARGIN + top;
            area.draw_text(label, &font, (x + SAMPLES + MARGIN, y0))
                .map_err(err)?;
            area.draw(&sample((x + MARGIN, y0 + h / 2))).map_err(err)?;
        }
        Ok(())
    }

    /// Run `index`'s line through `points`, `width` CSS px, in its colour and style: AD
    /// solid, each FD step size dashed.
    pub fn run_line(
        &self,
        chart: &mut Chart<'_>,
        points: Vec<(f64, f64)>,
        index: usize,
        width: f64,
    ) -> Result<(), JsValue> {
        let c = rgb(palette::colour(index));
        match palette::dash(index) {
            None => self.line(chart, points, c, width),
            Some(pattern) => self.dashed(chart, points, c, width, pattern),
        }
    }

    /// A solid line through `points`, `width` CSS px.
    pub fn line(
        &self,
        chart: &mut Chart<'_>,
        points: Vec<(f64, f64)>,
        c: impl Color,
        width: f64,
    ) -> Result<(), JsValue> {
        chart
            .draw_series(LineSeries::new(points, c.stroke_width(self.px(width))))
            .map_err(err)?;
        Ok(())
    }

    /// A dashed line through `points`, `width` CSS px, dashes and gaps `(on, off)` CSS px.
    /// The points must lie on the chart (placed through its axes): plotters walks a
    /// dashed line dash by dash in `f32` pixels, which never ends far off the canvas.
    pub fn dashed(
        &self,
        chart: &mut Chart<'_>,
        points: Vec<(f64, f64)>,
        c: impl Color,
        width: f64,
        (on, off): (f64, f64),
    ) -> Result<(), JsValue> {
        let style = c.stroke_width(self.px(width));
        chart
            .draw_series(DashedLineSeries::new(
                points,
                self.px(on).max(1),
                self.px(off),
                style,
            ))
            .map_err(err)?;
        Ok(())
    }
}

/// A legend sample in run `index`'s colour and dash pattern (three strokes).
pub fn run_sample(index: usize) -> impl Fn((i32, i32)) -> Sample {
    let c = rgb(palette::colour(index));
    let segs: [(i32, i32); 3] = match palette::dash(index) {
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
    move |(x, y)| {
        let seg = |(a, b): (i32, i32)| PathElement::new(vec![(a, 0), (b, 0)], c.stroke_width(3));
        (EmptyElement::at((x, y)) + seg(segs[0]) + seg(segs[1]) + seg(segs[2])).into_dyn()
    }
}

/// A legend sample: a solid stroke `width` px wide.
pub fn solid_sample<C: Color + Copy + 'static>(c: C, width: u32) -> impl Fn((i32, i32)) -> Sample {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(width)).into_dyn()
}
