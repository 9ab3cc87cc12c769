//! The page's facade (wasm32): events and commands cross as JSON text.

use super::{ControlPlane, Event};
use wasm_bindgen::prelude::*;

/// The page's control plane, for `www/app.js`.
#[wasm_bindgen(js_name = ControlPlane)]
pub struct Facade(ControlPlane);

#[wasm_bindgen(js_class = ControlPlane)]
impl Facade {
    /// A plane for a page being built.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Facade {
        Facade(ControlPlane::new())
    }

    /// Handles the event (JSON text) at `now` and returns the commands (JSON text,
    /// an array).
    pub fn handle(&mut self, event: &str, now: f64) -> Result<String, JsValue> {
        let event: Event = serde_json::from_str(event)
            .map_err(|e| JsValue::from_str(&format!("the page sent a malformed event: {e}")))?;
        serde_json::to_string(&self.0.handle(event, now))
            .map_err(|e| JsValue::from_str(&e.to_string()))
    }

    /// The state the page's tests read (JSON text).
    pub fn view(&self) -> String {
        serde_json::to_string(&self.0.view()).unwrap_or_default()
    }
}
