//! The page's controls: the rows of the settings table that the page shows,
//! [`CONTROLS`], and their schema for JavaScript.
//!
//! A control is a [`Field`] of [`FIELDS`] with `page` set, in table order: its key is
//! the form field and the URL-hash key, and its label, kind, choices, range, models and
//! default text are the row's. [`super::form`] turns the page's text into a config and
//! back by walking these rows, and the page builds its form from the same rows
//! (exported by `controlSchema` as plain objects `{key, label, path, kind, choices,
//! min, max, step, only, narrow, default}`), so no list of controls, choices or ranges
//! is written anywhere else.

use crate::experiment::config::field::{Field, Kind, Models, Range};
use crate::experiment::config::settings::FIELDS;
use crate::experiment::config::{Config, ModelKind};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::collections::BTreeMap;
use std::sync::LazyLock;

pub use crate::experiment::config::settings::TWO_LAYER;

/// Every control, in the order the page shows them: the fields the page shows.
pub static CONTROLS: LazyLock<Vec<&'static Field>> =
    LazyLock::new(|| FIELDS.iter().filter(|f| f.page).collect());

/// The control that owns errors about the config field `path` (`rfm.m` → `m`), if any.
pub fn control_for_path(path: &str) -> Option<&'static Field> {
    CONTROLS
        .iter()
        .copied()
        .find(|c| c.path == path || c.errors_from.contains(&path))
}

/// The control with this key, if any.
pub fn control(key: &str) -> Option<&'static Field> {
    CONTROLS.iter().copied().find(|c| c.key == key)
}

/// The kind the page knows a control by: `choice` (a menu), `whole` (a number input
/// with `min`/`max`), `number` (a real as text), `log` (a slider over the exponent with
/// the value beside it) or `text` (a list, or a number or a word such as `auto`).
pub fn page_kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Choice => "choice",
        Kind::Whole => "whole",
        Kind::Real => "number",
        Kind::Log(_) => "log",
        Kind::Reals { .. } | Kind::Wholes { .. } | Kind::Optional { .. } => "text",
    }
}

/// The models a control applies to, as the page names them (`null`: every model).
fn page_only(models: Models) -> Option<&'static str> {
    match models {
        Models::All => None,
        Models::Rfm => Some("rfm"),
        Models::Net => Some("net"),
        Models::Mlp => Some("mlp"),
    }
}

/// A control as the page's schema describes it.
pub struct Control(pub &'static Field);

impl Control {
    /// `min` and `max`: a whole number's range, or a slider's exponents.
    fn bounds(&self) -> (Option<f64>, Option<f64>) {
        match (self.0.kind, self.0.range) {
            (Kind::Whole, Some(Range::Whole(min, max))) => (Some(min as f64), Some(max as f64)),
            (Kind::Log(s), _) => (Some(s.min), Some(s.max)),
            _ => (None, None),
        }
    }
}

/// `{key, label, path, kind, choices, min, max, step, only, narrow, default}`, where
/// `default` is the control's text for the default config.
impl Serialize for Control {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let f = self.0;
        let slider = match f.kind {
            Kind::Log(slider) => Some(slider),
            _ => None,
        };
        let (min, max) = self.bounds();
        let mut o = s.serialize_struct("Control", 11)?;
        o.serialize_field("key", f.key)?;
        o.serialize_field("label", f.label)?;
        o.serialize_field("path", f.path)?;
        o.serialize_field("kind", page_kind(f.kind))?;
        o.serialize_field("choices", f.choices)?;
        o.serialize_field("min", &min)?;
        o.serialize_field("max", &max)?;
        o.serialize_field("step", &slider.map(|s| s.step))?;
        o.serialize_field("only", &page_only(f.models))?;
        o.serialize_field("narrow", &slider.and_then(|s| s.narrow))?;
        o.serialize_field("default", &(f.get)(&Config::default()))?;
        o.end()
    }
}

/// The schema for the page: every control, in order.
pub fn schema() -> Vec<Control> {
    CONTROLS.iter().map(|&f| Control(f)).collect()
}

/// The schema for the page: [`schema`] as an array of plain objects (`key`, `label`,
/// `path`, `kind`, `choices`, `min`, `max`, `step`, `only`, `narrow`, `default`).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = controlSchema)]
pub fn control_schema() -> std::result::Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    schema()
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(Into::into)
}

/// Every control's text for adfd's defaults for the page's `model` (`rfm`, `two-layer`,
/// `mlp`) on `problem` in `precision` ([`Config::defaults_for`]): what a link's
/// unlisted controls take, and where the page moves the settings a user has not
/// touched when the problem, precision or model changes. Unknown names fall back to
/// poisson1d / f64 / rfm; the model control keeps the text it was given.
pub fn defaults_for(problem: &str, precision: &str, model: &str) -> BTreeMap<&'static str, String> {
    let kind = if ["two-layer", "mlp", "network"].contains(&model.trim()) {
        ModelKind::Network
    } else {
        ModelKind::Rfm
    };
    let config = Config::defaults_for(
        problem.parse().unwrap_or_default(),
        precision.parse().unwrap_or_default(),
        kind,
    );
    let mut texts: BTreeMap<&'static str, String> =
        CONTROLS.iter().map(|c| (c.key, (c.get)(&config))).collect();
    if kind == ModelKind::Network {
        texts.insert("model", model.trim().to_owned());
    }
    texts
}

/// [`defaults_for`] for the page, as a plain object `{key: text}`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = defaultsFor)]
pub fn defaults_for_js(
    problem: &str,
    precision: &str,
    model: &str,
) -> std::result::Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    defaults_for(problem, precision, model)
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::MAX_SEED;
    use crate::numeric::jet::Precision;
    use crate::pde::problem::ProblemKind;
    use serde_json::json;

    /// The page's controls, in the page's order (www/controls.js and the page tests
    /// know them by these keys).
    const PAGE: &[&str] = &[
        "problem",
        "k",
        "model",
        "activation",
        "m",
        "scale",
        "width",
        "layers",
        "net_scale",
        "optimizer",
        "lr",
        "lr_scale",
        "mu0",
        "mu_max",
        "steps",
        "every",
        "n",
        "sampling",
        "seed",
        "h",
        "order",
        "threshold",
        "threshold_kind",
        "precision",
        "lambda",
        "init",
        "rcond",
    ];

    #[test]
    fn the_page_shows_the_same_controls_in_the_same_order() {
        let keys: Vec<&str> = CONTROLS.iter().map(|c| c.key).collect();
        assert_eq!(keys, PAGE);
    }

    #[test]
    fn the_schema_serializes_every_control_with_its_default() {
        let v = serde_json::to_value(schema()).unwrap();
        let list = v.as_array().unwrap();
        assert_eq!(list.len(), CONTROLS.len());
        for (json, c) in list.iter().zip(CONTROLS.iter()) {
            assert_eq!(json["key"], c.key);
            assert_eq!(json["default"], (c.get)(&Config::default()));
            let mut keys: Vec<&str> = json
                .as_object()
                .unwrap()
                .keys()
                .map(|k| k.as_str())
                .collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                [
                    "choices", "default", "key", "kind", "label", "max", "min", "narrow", "only",
                    "path", "step"
                ]
            );
        }
        let seed = &list.iter().find(|c| c["key"] == "seed").unwrap();
        assert_eq!(seed["max"].as_f64(), Some(MAX_SEED as f64));
        assert_eq!(seed["kind"], "whole");
        assert_eq!(list[0]["choices"][3], "biharmonic2d");
    }

    /// Two controls as the page had them before the table: a slider and a list.
    #[test]
    fn the_schema_keeps_its_values() {
        let v = serde_json::to_value(schema()).unwrap();
        let threshold = v
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "threshold")
            .unwrap();
        assert_eq!(
            *threshold,
            json!({"key": "threshold", "label": "threshold a", "path": "threshold.a",
                "kind": "log", "choices": [], "min": -16.0, "max": 4.0, "step": 0.5, "only": null,
                "narrow": {"key": "threshold_kind", "value": "relative", "max": -0.5},
                "default": "1e-8"})
        );
        let width = v
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "width")
            .unwrap();
        assert_eq!(
            *width,
            json!({"key": "width", "label": "width", "path": "net.width", "kind": "whole",
                "choices": [], "min": 1.0, "max": 5000.0, "step": null, "only": "net",
                "narrow": null, "default": "150"})
        );
        let lr = v
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "lr")
            .unwrap();
        assert_eq!(
            (lr["kind"].as_str(), lr["min"].is_null()),
            (Some("text"), true)
        );
    }

    #[test]
    fn defaults_for_a_problem_are_that_problems_config() {
        let d = defaults_for("biharmonic2d", "f32", "rfm");
        let c = Config::defaults_for(ProblemKind::Biharmonic2d, Precision::F32, ModelKind::Rfm);
        assert_eq!(d["problem"], "biharmonic2d");
        assert_eq!(d["scale"], (control("scale").unwrap().get)(&c));
        assert_eq!(d["h"], (control("h").unwrap().get)(&c));
        assert_ne!(d["h"], defaults_for("poisson1d", "f64", "rfm")["h"]);
        assert_eq!(d.len(), CONTROLS.len());
        // A network's points and FD step sizes are its own; the model keeps its text.
        let net = defaults_for("biharmonic2d", "f32", "mlp");
        let c = Config::defaults_for(
            ProblemKind::Biharmonic2d,
            Precision::F32,
            ModelKind::Network,
        );
        assert_eq!(net["model"], "mlp");
        assert_eq!(net["n"], (control("n").unwrap().get)(&c));
        assert_ne!(net["h"], d["h"]);
    }

    #[test]
    fn errors_of_fields_off_the_page_belong_to_their_control() {
        assert_eq!(control_for_path("net.widths").unwrap().key, "width");
        assert_eq!(control_for_path("threshold.a").unwrap().key, "threshold");
        assert!(control_for_path("train.decades").is_none());
        assert!(control("decades").is_none());
    }
}
