//! The main-thread charts: `Charts` (wasm32 only) draws the worker's
//! [`Snapshot`](crate::web::snapshot::Snapshot) on page canvases with plotters
//! (plotters-canvas needs a page canvas, so drawing cannot happen in the worker).
//!
//! * [`axis`] — spans every axis can draw (finite, bounded, non-zero width; log axes
//!   in decades) and tick labels; plain Rust, tested natively.
//! * [`palette`] — Okabe–Ito colours, AD solid / FD dash patterns, colour maps; plain
//!   Rust, tested natively.
//! * `canvas` (wasm32 only) — a page canvas as a plotters backend that measures labels
//!   with the canvas, never by laying out the page.
//! * `frame` (wasm32 only) — the canvas, fonts, one chart/mesh/legend setup, run-styled
//!   lines.
//! * `spectrum`, `solution`, `loss`, `sweep`, `scatter` (wasm32 only) — one panel each.
//!
//! The page hands `Charts::update` each new snapshot (deserialized once, here), then
//! asks for the panels it wants redrawn; every call returns the milliseconds it took,
//! for the page's frame statistics.

pub mod axis;
pub mod palette;

#[cfg(target_arch = "wasm32")]
mod canvas;
#[cfg(target_arch = "wasm32")]
mod frame;
#[cfg(target_arch = "wasm32")]
mod loss;
#[cfg(target_arch = "wasm32")]
mod scatter;
#[cfg(target_arch = "wasm32")]
mod solution;
#[cfg(target_arch = "wasm32")]
mod spectrum;
#[cfg(target_arch = "wasm32")]
mod sweep;

#[cfg(target_arch = "wasm32")]
pub use facade::Charts;

#[cfg(target_arch = "wasm32")]
mod facade {
    use super::frame::{err, Area, Frame, WARM_PARTS};
    use super::{loss, scatter, solution, spectrum, sweep};
    use crate::web::js;
    use crate::web::snapshot::Snapshot;
    use wasm_bindgen::prelude::*;
    use web_sys::HtmlCanvasElement;
    use web_time::Instant;

    /// Draws the latest snapshot on canvases whose pixel size is `dpr` × their CSS size.
    #[wasm_bindgen]
    pub struct Charts {
        frame: Frame,
        snap: Snapshot,
    }

    impl Charts {
        /// Clears `canvas`, lets `panel` draw on it, and returns the milliseconds taken.
        fn timed(
            &self,
            canvas: HtmlCanvasElement,
            panel: impl FnOnce(&Frame, &Area, &Snapshot) -> Result<(), JsValue>,
        ) -> Result<f64, JsValue> {
            let t0 = Instant::now();
            let root = self.frame.area(canvas)?;
            panel(&self.frame, &root, &self.snap)?;
            root.present().map_err(err)?;
            Ok(t0.elapsed().as_secs_f64() * 1e3)
        }
    }

    #[wasm_bindgen]
    impl Charts {
        /// Charts for canvases whose pixel size is `dpr` × their CSS size (kept within
        /// `[0.25, 16]`), with an empty snapshot until [`Charts::update`].
        #[wasm_bindgen(constructor)]
        pub fn new(dpr: f64) -> Charts {
            Charts {
                frame: Frame::new(dpr),
                snap: Snapshot::default(),
            }
        }

        /// Takes the worker's latest snapshot (the plain object `Session.snapshot()`
        /// made), read once into the typed `Snapshot` every panel then draws from;
        /// returns the milliseconds taken. An object that is not a snapshot is an error
        /// and leaves the previous one in place.
        pub fn update(&mut self, snap: JsValue) -> Result<f64, JsValue> {
            let t0 = Instant::now();
            self.snap = serde_wasm_bindgen::from_value(snap)
                .map_err(|e| js::message(&format!("not a snapshot: {e}")))?;
            Ok(t0.elapsed().as_secs_f64() * 1e3)
        }

        /// The spectra against their index, log scale, every run overlaid, with the
        /// threshold and each run's cut-off `K` dashed. `eigen` shows `λᵢ = sᵢ²`
        /// (still from the SVD) instead of `sᵢ`.
        pub fn spectrum(&self, canvas: HtmlCanvasElement, eigen: bool) -> Result<f64, JsValue> {
            self.timed(canvas, |f, root, snap| spectrum::draw(f, root, snap, eigen))
        }

        /// The solution: in 1-D the exact and fitted curves above their pointwise
        /// errors; in 2-D heatmaps of the exact, AD and FD (run `fd_index`, 1 the first
        /// FD step size) solutions and both errors.
        pub fn solution(&self, canvas: HtmlCanvasElement, fd_index: usize) -> Result<f64, JsValue> {
            let target = canvas.clone();
            self.timed(canvas, |f, root, snap| {
                solution::draw(f, root, &target, snap, fd_index)
            })
        }

        /// A network's training loss (solid) and true residual (dashed) against the
        /// step; for the RFM, `K(a)` and `exp H(a)` against the threshold `a`.
        pub fn loss(&self, canvas: HtmlCanvasElement) -> Result<f64, JsValue> {
            self.timed(canvas, loss::draw)
        }

        /// `exp H` and the true residual against `h` for a sweep, AD as a dashed level.
        pub fn sweep(&self, canvas: HtmlCanvasElement) -> Result<f64, JsValue> {
            self.timed(canvas, sweep::draw)
        }

        /// Warms the browser's glyph cache on `canvas`, a scratch canvas the page never
        /// shows, with every character the panels use in part `part` of their fonts
        /// (see `Frame::warm`; all parts `0 … warmParts() − 1` warm every font);
        /// returns the milliseconds taken.
        pub fn warm(&self, canvas: HtmlCanvasElement, part: usize) -> Result<f64, JsValue> {
            self.timed(canvas, |f, root, _| f.warm(root, part))
        }

        /// How many parts [`Charts::warm`] takes to warm every font.
        #[wasm_bindgen(js_name = warmParts)]
        pub fn warm_parts() -> usize {
            WARM_PARTS
        }

        /// Truncated entropy against the outcome of every finished run (AD filled, FD
        /// hollow).
        pub fn scatter(&self, canvas: HtmlCanvasElement) -> Result<f64, JsValue> {
            self.timed(canvas, scatter::draw)
        }
    }
}
