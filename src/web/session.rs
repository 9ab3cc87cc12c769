//! The worker-side facade: [`Session`] wraps a [`Driver`] for JavaScript. It turns the
//! page's controls into a checked config, works in time slices, and hands the page a
//! typed [`Snapshot`](super::snapshot::Snapshot) as a plain JS object.
//!
//! The worker's loop decides how long to work between messages and when to post, so
//! pause, resume and single-step are "stop calling work", "call it again" and "call
//! it with a zero slice" (which still does one unit).

use super::driver::Driver;
use super::form;
use super::js;
use crate::experiment::config::Config;
use serde::Serialize;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

/// Starts rayon's pool on `n` Web Workers sharing this module's memory (the page's
/// threaded build only, `--features threads`; wasm-bindgen-rayon). Results do not
/// depend on `n`: work is split in fixed blocks and reduced in block order.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// The threads computing: rayon's pool size (1 in the single-threaded build).
#[wasm_bindgen(js_name = threadCount)]
pub fn thread_count() -> usize {
    rayon::current_num_threads()
}

/// The compute facade the Web Worker drives.
#[wasm_bindgen]
pub struct Session {
    driver: Driver,
}

#[wasm_bindgen]
impl Session {
    /// An idle session holding the default config: nothing is computed before the
    /// page's settings arrive (`configure`) and `work` is called.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Session, JsValue> {
        let config = Config::default().check().map_err(|e| js::error(&e))?;
        Ok(Session {
            driver: Driver::new(config),
        })
    }

    /// The generation of the current settings (see `Snapshot::generation`).
    pub fn generation(&self) -> u32 {
        self.driver.generation()
    }

    /// The controls' text for the current config, as a plain object `{key: string}`
    /// (serde-wasm-bindgen would otherwise make a `Map`, whose entries the page's
    /// `controls.write` cannot see).
    #[wasm_bindgen(js_name = formValues)]
    pub fn form_values(&self) -> JsValue {
        let values = form::form_from_config(self.driver.config());
        let plain = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
        values.serialize(&plain).unwrap_or(JsValue::NULL)
    }

    /// Applies the controls' text (a JSON object `{key: string}`) and restarts the
    /// comparison if the settings changed (set up by the next `work`). On an invalid
    /// value, or settings that cannot fit in wasm32's memory, nothing changes and the
    /// thrown error's `field` names the control.
    pub fn configure(&mut self, form_json: &str) -> Result<(), JsValue> {
        let form: BTreeMap<String, String> = serde_json::from_str(form_json)
            .map_err(|e| js::message(&format!("the page sent malformed settings: {e}")))?;
        let (config, _) =
            form::config_for_browser(&form, self.driver.config()).map_err(|e| js::error(&e))?;
        self.driver.configure(config);
        Ok(())
    }

    /// Works for about `slice_ms` milliseconds on the comparison, or else on the sweep:
    /// at least one unit of work (RFM: the next runs' fits, one per thread; network: one
    /// step of every run). Returns true when nothing is left to do.
    pub fn work(&mut self, slice_ms: f64) -> Result<bool, JsValue> {
        self.driver.work(slice_ms).map_err(|e| js::error(&e))
    }

    /// The current settings as JSON (the report's `config`), without setting anything
    /// up: what the worker runs, even while a heavy run is held.
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> Result<String, JsValue> {
        serde_json::to_string(&**self.driver.config())
            .map_err(|e| js::message(&format!("could not write the settings: {e}")))
    }

    /// The current comparison as the CLI's `--json` report, so `adfd rfm|train
    /// --config FILE` re-runs it natively.
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&mut self) -> Result<String, JsValue> {
        let report = self.driver.report().map_err(|e| js::error(&e))?;
        serde_json::to_string(&report)
            .map_err(|e| js::message(&format!("could not write the report: {e}")))
    }

    /// The current comparison as the CLI's `--csv` table.
    #[wasm_bindgen(js_name = reportCsv)]
    pub fn report_csv(&mut self) -> Result<String, JsValue> {
        Ok(self.driver.report().map_err(|e| js::error(&e))?.csv())
    }

    /// True when the comparison and any sweep are complete.
    #[wasm_bindgen(js_name = isFinished)]
    pub fn is_finished(&self) -> bool {
        self.driver.is_finished()
    }

    /// Starts the comparison again from the same initialization (same seed).
    pub fn reset(&mut self) {
        self.driver.reset();
    }

    /// Draws a new seed (from the old one, so a sequence of seeds is reproducible),
    /// restarts, and returns the seed.
    #[wasm_bindgen(js_name = newSeed)]
    pub fn new_seed(&mut self) -> Result<f64, JsValue> {
        self.driver
            .new_seed()
            .map(|s| s as f64)
            .map_err(|e| js::error(&e))
    }

    /// Queues a sweep of the current settings over log-spaced FD step sizes `h`; it runs
    /// after the comparison.
    pub fn sweep(&mut self) -> Result<(), JsValue> {
        self.driver.sweep().map_err(|e| js::error(&e))
    }

    /// The current state: a [`Snapshot`](super::snapshot::Snapshot) as a plain JS
    /// object with camelCase fields.
    pub fn snapshot(&mut self) -> Result<JsValue, JsValue> {
        serde_wasm_bindgen::to_value(&self.driver.snapshot())
            .map_err(|e| js::message(&format!("could not send the snapshot: {e}")))
    }
}
