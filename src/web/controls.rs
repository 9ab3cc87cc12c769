//! The page's controls, described once: [`CONTROLS`].
//!
//! Each [`Control`] names its key (the form field and the URL-hash key), its label,
//! its [`Kind`] with choices and range, the model it applies to, the [`Config`] field
//! it edits (by path, as `Config::check` names fields in errors) and how its text is
//! read from and written into a [`Config`]. [`super::form`] turns the page's text into
//! a config and back by walking this table, and the page builds its form from the
//! same table (exported to JavaScript by `controlSchema`), so no list of controls,
//! choices or ranges is written anywhere else. Choices come from the enums' `NAMES`.
//! Whole-number ranges are the limits `Config::check` enforces (the seed's is
//! [`MAX_SEED`]; the others are literals there), and a test pins each to what `check`
//! accepts and rejects.

use crate::config::MAX_SEED;
use crate::config::{Config, ModelKind};
use crate::error::{Error, Result};
use crate::jet::Precision;
use crate::optimizer::Optimizer;
use crate::problem::{ProblemKind, Sampling};
use crate::spectrum::Threshold;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::collections::BTreeMap;
use std::str::FromStr;

/// How a control is shown and what text it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One of the control's `choices` (a menu).
    Choice,
    /// A whole number in `min..=max`.
    Whole,
    /// A real number, as text (`1e-13`).
    Number,
    /// Free text: a list of numbers, or a number or `auto`.
    Text,
    /// A positive number with a slider over its base-10 exponent from `min` to `max`
    /// in steps of `step`, and the value as text beside it.
    Log,
}

/// The models a control applies to (it is hidden for the others).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Only {
    /// The random feature model.
    Rfm,
    /// Every network (`two-layer` and `mlp`).
    Net,
    /// Only the deep network (`mlp`).
    Mlp,
}

/// A narrower range while another control shows a given value (a relative threshold
/// stays below 1, so its slider ends lower than an absolute one's).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Narrow {
    /// The other control.
    pub key: &'static str,
    /// Its value that narrows this control's range.
    pub value: &'static str,
    /// The range's end meanwhile.
    pub max: f64,
}

/// One control of the page: what it shows and which [`Config`] field it edits.
#[derive(Clone, Copy)]
pub struct Control {
    /// Form field name and URL-hash key (`m`, `net_scale`).
    pub key: &'static str,
    /// What the page shows beside it.
    pub label: &'static str,
    /// The config field it edits, by path (`rfm.m`; the serialized config's nesting).
    pub path: &'static str,
    /// Other field paths whose errors belong to this control (`net.widths` → `width`).
    pub also: &'static [&'static str],
    /// How it is shown.
    pub kind: Kind,
    /// The accepted texts of a [`Kind::Choice`], in menu order.
    pub choices: &'static [&'static str],
    /// Smallest allowed value ([`Kind::Whole`]) or slider exponent ([`Kind::Log`]).
    pub min: Option<f64>,
    /// Largest allowed value ([`Kind::Whole`]) or slider exponent ([`Kind::Log`]).
    pub max: Option<f64>,
    /// Slider step of a [`Kind::Log`].
    pub step: Option<f64>,
    /// The models it applies to; `None`: every model.
    pub only: Option<Only>,
    /// A narrower range while another control shows a given value.
    pub narrow: Option<Narrow>,
    /// Its text for a config.
    pub get: fn(&Config) -> String,
    /// Sets its field of a config from text; a parse error's field is renamed to
    /// [`Control::key`] by the caller.
    pub set: fn(&mut Config, &str) -> Result<()>,
}

impl Control {
    const fn new(
        key: &'static str,
        label: &'static str,
        path: &'static str,
        kind: Kind,
        get: fn(&Config) -> String,
        set: fn(&mut Config, &str) -> Result<()>,
    ) -> Control {
        Control {
            key,
            label,
            path,
            also: &[],
            kind,
            choices: &[],
            min: None,
            max: None,
            step: None,
            only: None,
            narrow: None,
            get,
            set,
        }
    }

    const fn choices(self, choices: &'static [&'static str]) -> Control {
        Control { choices, ..self }
    }

    const fn range(self, min: f64, max: f64) -> Control {
        Control {
            min: Some(min),
            max: Some(max),
            ..self
        }
    }

    const fn only(self, only: Only) -> Control {
        Control {
            only: Some(only),
            ..self
        }
    }

    const fn also(self, also: &'static [&'static str]) -> Control {
        Control { also, ..self }
    }

    /// The control's text for the default config.
    pub fn default_text(&self) -> String {
        (self.get)(&Config::default())
    }
}

/// The control that owns errors about the config field `path` (`rfm.m` → `m`), if any.
pub fn control_for_path(path: &str) -> Option<&'static Control> {
    CONTROLS
        .iter()
        .find(|c| c.path == path || c.also.contains(&path))
}

/// The control with this key, if any.
pub fn control(key: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.key == key)
}

/// The JavaScript side sees every field but `also`, `get` and `set`, plus `default`:
/// the control's text for the default config.
impl Serialize for Control {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("Control", 11)?;
        o.serialize_field("key", self.key)?;
        o.serialize_field("label", self.label)?;
        o.serialize_field("path", self.path)?;
        o.serialize_field("kind", &self.kind)?;
        o.serialize_field("choices", self.choices)?;
        o.serialize_field("min", &self.min)?;
        o.serialize_field("max", &self.max)?;
        o.serialize_field("step", &self.step)?;
        o.serialize_field("only", &self.only)?;
        o.serialize_field("narrow", &self.narrow)?;
        o.serialize_field("default", &self.default_text())?;
        o.end()
    }
}

/// The page's model menu: the RFM, a network with one hidden layer (the paper's
/// theory), or a deeper one (`layers` of them).
pub const MODEL_CHOICES: &[&str] = &["rfm", TWO_LAYER, "mlp"];
/// The model choice that pins `layers` at 1 whatever the `layers` control says.
pub const TWO_LAYER: &str = "two-layer";
/// The activations the page offers: every smooth one, and `relu^5` (smooth enough for
/// the biharmonic operator); the CLI takes any `relu^k`
/// ([`ACTIVATION_NAMES`](crate::activation::ACTIVATION_NAMES)).
pub const ACTIVATION_CHOICES: &[&str] =
    &["tanh", "sin", "sigmoid", "softplus", "gaussian", "relu^5"];
/// Stencil accuracy orders.
pub const ORDER_CHOICES: &[&str] = &["2", "4"];
/// Threshold kinds: `a` relative to `s₁`, or absolute.
pub const THRESHOLD_KINDS: &[&str] = &["relative", "absolute"];

/// Stores a parsed value.
fn put<T>(slot: &mut T, value: Result<T>) -> Result<()> {
    *slot = value?;
    Ok(())
}

/// A real number (Rust's float syntax: `1e-13`, `+2.5`, `0.1`).
fn number<T: FromStr>(text: &str) -> Result<T> {
    let t = text.trim();
    t.parse()
        .map_err(|_| Error::invalid("", format!("{t:?} is not a number")))
}

/// A whole number; digits that do not fit say so.
fn whole<T: FromStr>(text: &str) -> Result<T> {
    let t = text.trim();
    t.parse().map_err(|_| {
        let digits = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let why = if digits {
            "is too large"
        } else {
            "is not a whole number"
        };
        Error::invalid("", format!("{t:?} {why}"))
    })
}

/// Exponent form (`1e-13`), which round-trips every float exactly.
fn exp(v: f64) -> String {
    format!("{v:e}")
}

fn threshold_a(t: Threshold) -> f64 {
    match t {
        Threshold::Relative(a) | Threshold::Absolute(a) => a,
    }
}

fn model_text(c: &Config) -> String {
    match (c.model, c.net.depth()) {
        (ModelKind::Rfm, _) => "rfm",
        (ModelKind::Network, 1) => TWO_LAYER,
        (ModelKind::Network, _) => "mlp",
    }
    .to_owned()
}

fn set_model(c: &mut Config, v: &str) -> Result<()> {
    c.model = match v.trim() {
        "rfm" => ModelKind::Rfm,
        TWO_LAYER | "mlp" | "network" => ModelKind::Network,
        other => {
            return Err(Error::invalid(
                "",
                format!("{other:?}: choose one of {}", MODEL_CHOICES.join(", ")),
            ))
        }
    };
    Ok(())
}

fn set_threshold_kind(c: &mut Config, v: &str) -> Result<()> {
    let a = threshold_a(c.threshold);
    c.threshold = match v.trim() {
        "relative" => Threshold::Relative(a),
        "absolute" => Threshold::Absolute(a),
        other => {
            return Err(Error::invalid(
                "",
                format!("{other:?}: choose one of {}", THRESHOLD_KINDS.join(", ")),
            ))
        }
    };
    Ok(())
}

/// Every control, in the order the page shows them.
#[rustfmt::skip] // one control per paragraph reads as a table; rustfmt would spread each over 8 lines
pub const CONTROLS: &[Control] = &[
    Control::new("problem", "problem", "problem", Kind::Choice,
        |c| c.problem.to_string(),
        |c, v| put(&mut c.problem, v.parse()))
    .choices(ProblemKind::NAMES),
    Control::new("k", "frequency k", "k", Kind::Whole,
        |c| c.k.to_string(),
        |c, v| put(&mut c.k, whole(v)))
    .range(1.0, 16.0),
    Control::new("model", "model", "model", Kind::Choice, model_text, set_model)
    .choices(MODEL_CHOICES),
    Control::new("activation", "activation σ", "activation", Kind::Choice,
        |c| c.activation.to_string(),
        |c, v| put(&mut c.activation, v.parse()))
    .choices(ACTIVATION_CHOICES),
    Control::new("m", "features m", "rfm.m", Kind::Whole,
        |c| c.rfm.m.to_string(),
        |c, v| put(&mut c.rfm.m, whole(v)))
    .range(1.0, 20_000.0)
    .only(Only::Rfm),
    Control::new("scale", "feature scale R", "rfm.scale", Kind::Number,
        |c| c.rfm.scale.to_string(),
        |c, v| put(&mut c.rfm.scale, number(v)))
    .only(Only::Rfm),
    Control::new("width", "width", "net.width", Kind::Whole,
        |c| c.net.width.to_string(),
        |c, v| put(&mut c.net.width, whole(v)))
    .range(1.0, 5000.0)
    .only(Only::Net)
    .also(&["net.widths"]),
    Control::new("layers", "hidden layers", "net.layers", Kind::Whole,
        |c| c.net.layers.to_string(),
        |c, v| put(&mut c.net.layers, whole(v)))
    .range(1.0, 8.0)
    .only(Only::Mlp),
    Control::new("net_scale", "init scale R", "net.scale", Kind::Number,
        |c| c.net.scale.to_string(),
        |c, v| put(&mut c.net.scale, number(v)))
    .only(Only::Net),
    Control::new("optimizer", "optimizer", "train.optimizer", Kind::Choice,
        |c| c.train.optimizer.to_string(),
        |c, v| put(&mut c.train.optimizer, v.parse::<Optimizer>()))
    .choices(Optimizer::NAMES)
    .only(Only::Net),
    Control::new("lr", "learning rate (auto: c/λmax)", "train.lr", Kind::Text,
        |c| c.train.lr.map_or("auto".to_owned(), exp),
        |c, v| put(&mut c.train.lr, match v.trim() {
            "" | "auto" => Ok(None),
            t => number(t).map(Some),
        }))
    .only(Only::Net),
    Control::new("lr_scale", "c in c/λmax", "train.lr_scale", Kind::Number,
        |c| c.train.lr_scale.to_string(),
        |c, v| put(&mut c.train.lr_scale, number(v)))
    .only(Only::Net),
    Control::new("steps", "steps", "train.steps", Kind::Whole,
        |c| c.train.steps.to_string(),
        |c, v| put(&mut c.train.steps, whole(v)))
    .range(1.0, 1_000_000.0)
    .only(Only::Net),
    Control::new("n", "interior points n", "n", Kind::Whole,
        |c| c.n.to_string(),
        |c, v| put(&mut c.n, whole(v)))
    .range(1.0, 20_000.0),
    Control::new("sampling", "points", "sampling", Kind::Choice,
        |c| c.sampling.to_string(),
        |c, v| put(&mut c.sampling, v.parse::<Sampling>()))
    .choices(Sampling::NAMES),
    Control::new("seed", "seed", "seed", Kind::Whole,
        |c| c.seed.to_string(),
        |c, v| put(&mut c.seed, whole(v)))
    .range(0.0, MAX_SEED as f64),
    Control::new("h", "FD steps h (list; AD always runs)", "h", Kind::Text,
        |c| c.h.iter().map(|&h| exp(h)).collect::<Vec<_>>().join(", "),
        |c, v| put(&mut c.h, crate::config::parse_h_list(v))),
    Control::new("order", "stencil order", "order", Kind::Choice,
        |c| c.order.to_string(),
        |c, v| put(&mut c.order, whole(v)))
    .choices(ORDER_CHOICES),
    Control {
        step: Some(0.5),
        narrow: Some(Narrow { key: "threshold_kind", value: "relative", max: -0.5 }),
        ..Control::new("threshold", "threshold a", "threshold.a", Kind::Log,
            |c| exp(threshold_a(c.threshold)),
            |c, v| {
                let a = number(v)?;
                c.threshold = match c.threshold {
                    Threshold::Relative(_) => Threshold::Relative(a),
                    Threshold::Absolute(_) => Threshold::Absolute(a),
                };
                Ok(())
            })
        .range(-16.0, 4.0)
        .also(&["threshold"])
    },
    Control::new("threshold_kind", "threshold is", "threshold.kind", Kind::Choice,
        |c| match c.threshold {
            Threshold::Relative(_) => "relative".to_owned(),
            Threshold::Absolute(_) => "absolute".to_owned(),
        },
        set_threshold_kind)
    .choices(THRESHOLD_KINDS),
    Control::new("precision", "precision", "precision", Kind::Choice,
        |c| c.precision.to_string(),
        |c, v| put(&mut c.precision, v.parse::<Precision>()))
    .choices(Precision::NAMES),
    Control::new("lambda", "boundary weight λ", "lambda", Kind::Number,
        |c| c.lambda.to_string(),
        |c, v| put(&mut c.lambda, number(v))),
    Control::new("init", "feature init", "rfm.init", Kind::Choice,
        |c| c.rfm.init.to_string(),
        |c, v| put(&mut c.rfm.init, v.parse()))
    .choices(crate::rfm::Init::NAMES)
    .only(Only::Rfm),
    Control::new("rcond", "least-squares rcond", "rfm.rcond", Kind::Number,
        |c| exp(c.rfm.rcond),
        |c, v| put(&mut c.rfm.rcond, number(v)))
    .only(Only::Rfm),
];

/// The schema for the page: [`CONTROLS`] as an array of plain objects (`key`, `label`,
/// `path`, `kind`, `choices`, `min`, `max`, `step`, `only`, `narrow`, `default`).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = controlSchema)]
pub fn control_schema() -> std::result::Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    CONTROLS
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(Into::into)
}

/// Every control's text for adfd's defaults for `problem` in `precision`
/// ([`Config::defaults_for`]): what a link's unlisted controls take, and where the page
/// moves the settings a user has not touched when the problem or precision changes.
/// Unknown names fall back to poisson1d / f64.
pub fn defaults_for(problem: &str, precision: &str) -> BTreeMap<&'static str, String> {
    let config = Config::defaults_for(
        problem.parse().unwrap_or_default(),
        precision.parse().unwrap_or_default(),
    );
    CONTROLS.iter().map(|c| (c.key, (c.get)(&config))).collect()
}

/// [`defaults_for`] for the page, as a plain object `{key: text}`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = defaultsFor)]
pub fn defaults_for_js(
    problem: &str,
    precision: &str,
) -> std::result::Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    defaults_for(problem, precision)
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::{Activation, ACTIVATION_NAMES};

    #[test]
    fn keys_and_paths_are_unique() {
        for (i, a) in CONTROLS.iter().enumerate() {
            for b in &CONTROLS[i + 1..] {
                assert_ne!(a.key, b.key);
                assert_ne!(a.path, b.path);
            }
        }
    }

    #[test]
    fn choices_are_the_enums_names() {
        let choices = |key: &str| control(key).unwrap().choices;
        assert_eq!(choices("problem"), ProblemKind::NAMES);
        assert_eq!(choices("sampling"), Sampling::NAMES);
        assert_eq!(choices("init"), crate::rfm::Init::NAMES);
        assert_eq!(choices("optimizer"), Optimizer::NAMES);
        assert_eq!(choices("precision"), Precision::NAMES);
        // Activations: every named one the parser lists, plus one relu^k; each reads
        // back as itself.
        for name in ACTIVATION_NAMES.split(", ").filter(|n| !n.contains('^')) {
            assert!(choices("activation").contains(&name), "{name} offered");
        }
        for name in choices("activation") {
            assert_eq!(name.parse::<Activation>().unwrap().to_string(), *name);
        }
        for c in CONTROLS {
            assert_eq!(c.kind == Kind::Choice, !c.choices.is_empty(), "{}", c.key);
        }
    }

    #[test]
    fn the_schema_serializes_every_control_with_its_default() {
        let v = serde_json::to_value(CONTROLS).unwrap();
        let list = v.as_array().unwrap();
        assert_eq!(list.len(), CONTROLS.len());
        for (json, c) in list.iter().zip(CONTROLS) {
            assert_eq!(json["key"], c.key);
            assert_eq!(json["default"], (c.get)(&Config::default()));
            assert!(json.get("set").is_none() && json.get("also").is_none());
        }
        let seed = &list.iter().find(|c| c["key"] == "seed").unwrap();
        assert_eq!(seed["max"].as_f64(), Some(MAX_SEED as f64));
        assert_eq!(seed["kind"], "whole");
        assert_eq!(list[0]["choices"][3], "biharmonic2d");
    }

    #[test]
    fn defaults_for_a_problem_are_that_problems_config() {
        let d = defaults_for("biharmonic2d", "f32");
        let c = Config::defaults_for(ProblemKind::Biharmonic2d, Precision::F32);
        assert_eq!(d["problem"], "biharmonic2d");
        assert_eq!(d["scale"], (control("scale").unwrap().get)(&c));
        assert_eq!(d["h"], (control("h").unwrap().get)(&c));
        assert_ne!(d["h"], defaults_for("poisson1d", "f64")["h"]);
        assert_eq!(d.len(), CONTROLS.len());
    }
}
