//! The page's controls as text, turned into a validated [`Config`] and back.
//!
//! The page sends every control's value as a string (`{"m": "400", "h": "1e-1, 1e-2"}`);
//! all parsing happens here, in Rust, so JavaScript does no numerics and every error
//! names the control it belongs to ([`Error::field`]). Both directions walk the page's
//! rows of the one table of settings fields, [`CONTROLS`]. Unknown keys are ignored (the URL hash may carry
//! keys from a newer page); missing keys keep the base config's values.
//! Plain Rust, compiled on every target so it is tested natively.

use super::controls::{control_for_path, CONTROLS, TWO_LAYER};
use crate::error::{Error, Result};
use crate::experiment::budget::{self, Budget};
use crate::experiment::config::{Config, Valid};
use std::collections::BTreeMap;

/// The control that shows the config field at `path` (`rfm.m` → `m`, `net.scale` →
/// `net_scale`); a field without a control keeps its path.
pub fn control_of(path: &str) -> &str {
    control_for_path(path).map_or(path, |c| c.key)
}

/// Applies the string values of `form` to `base` (in [`CONTROLS`] order) and checks
/// the result. `model = two-layer` pins `layers` at 1; the network is always `layers`
/// hidden layers of `width` (no per-layer widths).
pub fn config_from_form(form: &BTreeMap<String, String>, base: &Config) -> Result<Valid<Config>> {
    let mut c = base.clone();
    for control in CONTROLS.iter() {
        if let Some(text) = form.get(control.key) {
            control.apply(&mut c, text)?;
        }
    }
    if form.get("model").map(|m| m.trim()) == Some(TWO_LAYER) {
        c.net.layers = 1;
    }
    c.net.widths.clear();
    c.check().map_err(for_controls)
}

/// The error with its config path (`rfm.m`) renamed to the control's key (`m`).
fn for_controls(e: Error) -> Error {
    match e.field() {
        Some(field) => {
            let key = control_of(field).to_owned();
            e.named(&key)
        }
        None => e,
    }
}

/// [`config_from_form`], then refuses what cannot fit in a browser tab's wasm32
/// memory at all ([`budget::check_fits_wasm`]); returns the config and its budget.
pub fn config_for_browser(
    form: &BTreeMap<String, String>,
    base: &Config,
) -> Result<(Valid<Config>, Budget)> {
    let config = config_from_form(form, base)?;
    let budget = budget::check_fits_wasm(&config).map_err(for_controls)?;
    Ok((config, budget))
}

/// What the settings of `form` cost ([`budget::Estimate`], over adfd's defaults) at
/// this machine's `rates` (`None` while unmeasured: then at [`budget::Rates::SLOW`],
/// marked provisional); `None` when a value is invalid (the worker's reply names it).
pub fn estimate(
    form: &BTreeMap<String, String>,
    rates: Option<&budget::Rates>,
) -> Option<budget::Estimate> {
    config_from_form(form, &Config::default())
        .ok()
        .map(|c| Budget::of(&c).estimate(rates))
}

/// This machine's speeds for the budget's work estimates, `{rfm, network}` in flops
/// per second ([`budget::Rates::measure`]: two small references, three runs each,
/// 0.5–1.2 s in a browser tab here). The worker measures them when the page first
/// needs them.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = machineRates)]
pub fn machine_rates() -> wasm_bindgen::JsValue {
    serde_wasm_bindgen::to_value(&budget::Rates::measure()).unwrap_or(wasm_bindgen::JsValue::NULL)
}

/// The controls' text for `config` (the inverse of [`config_from_form`]).
pub fn form_from_config(c: &Config) -> BTreeMap<String, String> {
    CONTROLS
        .iter()
        .map(|control| (control.key.to_owned(), (control.get)(c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::controls::control;
    use super::*;
    use crate::experiment::config::field::{Kind, Models, Range};
    use crate::experiment::config::ModelKind;
    use crate::numeric::spectrum::Threshold;
    use serde_json::Value;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The form that reaches `key`'s field: network controls need a network.
    fn reaching(key: &str, value: &str) -> BTreeMap<String, String> {
        match control(key).unwrap().models {
            Models::Net | Models::Mlp => form(&[("model", "mlp"), (key, value)]),
            _ => form(&[(key, value)]),
        }
    }

    /// Leaf paths (`rfm.m`; arrays count as leaves) where two JSON values differ.
    fn differences(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    let path = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    differences(v, y.get(k).unwrap_or(&Value::Null), &path, out);
                }
            }
            _ if a != b => out.push(at.to_owned()),
            _ => {}
        }
    }

    /// The config the per-control tests start from: adfd's defaults on fewer points,
    /// so that the widest network a control allows (8 layers of the default width)
    /// still fits the memory bound.
    fn base() -> Config {
        Config {
            n: 100,
            ..Config::default()
        }
    }

    fn json(c: &Config) -> Value {
        serde_json::to_value(c).unwrap()
    }

    #[test]
    fn the_browser_refuses_what_cannot_fit_in_wasm32_naming_the_control() {
        // Passes every size cap, yet 13 runs of Adam state on a 2 × 4000 network need
        // more than wasm32's 4 GiB (issue 10's crash loop).
        let mut form = form_from_config(&Config::default());
        for (k, v) in [
            ("problem", "poisson1d"),
            ("model", "mlp"),
            ("layers", "2"),
            ("width", "4000"),
            ("n", "1"),
            ("optimizer", "adam"),
            (
                "h",
                "1e-1,1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,2e-1,2e-2,2e-3,2e-4,2e-5",
            ),
        ] {
            form.insert(k.into(), v.into());
        }
        assert!(config_from_form(&form, &Config::default()).is_ok());
        let e = config_for_browser(&form, &Config::default()).unwrap_err();
        assert_eq!(e.field(), Some("width"), "{e}");
        assert!(e.to_string().contains("WebAssembly"), "{e}");
        let fine = form_from_config(&Config::default());
        assert!(config_for_browser(&fine, &Config::default()).is_ok());
    }

    #[test]
    fn round_trip_of_the_default_config() {
        let c = Config::default();
        let text = form_from_config(&c);
        assert_eq!(text.len(), CONTROLS.len());
        let back = config_from_form(&text, &Config::default()).unwrap();
        assert_eq!(*back, c);
    }

    #[test]
    fn every_control_edits_the_field_at_its_path() {
        let default = json(&base());
        for c in CONTROLS.iter() {
            // A valid value unlike the default: the last other choice, a range's end,
            // or 0.25 (in range for every number here).
            let text = (c.get)(&base());
            let value = match (c.kind, c.range) {
                (Kind::Choice, _) => *c.choices.iter().rev().find(|&&x| x != text).unwrap(),
                (Kind::Whole, Some(Range::Whole(_, max))) => &max.to_string(),
                _ => "0.25",
            };
            let set = config_from_form(&reaching(c.key, value), &base())
                .unwrap_or_else(|e| panic!("{}={value}: {e}", c.key));
            let mut changed = Vec::new();
            differences(&default, &json(&set), "", &mut changed);
            changed.retain(|p| p != "model" || c.key == "model");
            assert_eq!(changed, [c.path], "{}={value} changed {changed:?}", c.key);
            // Read back: the control's text for that config gives the same config.
            let text = form_from_config(&set)[c.key].clone();
            let again = config_from_form(&reaching(c.key, &text), &base()).unwrap();
            assert_eq!(again, set, "{}: {value} read back as {text}", c.key);
        }
    }

    #[test]
    fn every_choice_is_accepted_and_reads_back_as_itself() {
        for c in CONTROLS.iter().filter(|c| c.kind == Kind::Choice) {
            for choice in c.choices {
                // layers = 3 so that "mlp" is a deep network (two-layer pins it at 1).
                let f = form(&[(c.key, choice), ("layers", "3")]);
                let set = config_from_form(&f, &base())
                    .unwrap_or_else(|e| panic!("{}={choice}: {e}", c.key));
                assert_eq!(form_from_config(&set)[c.key], *choice);
            }
        }
    }

    #[test]
    fn every_control_names_itself_in_its_errors() {
        for c in CONTROLS.iter() {
            // Text that is no value at all fails while parsing…
            let err = config_from_form(&reaching(c.key, "no such value"), &base()).unwrap_err();
            assert_eq!(err.field(), Some(c.key), "{}: {err}", c.key);
            // …and an out-of-range value fails in Config::check, by field path.
            let bad = match (c.kind, c.range) {
                (Kind::Choice, _) if c.key == "order" => "3".to_owned(),
                (Kind::Choice, _) => continue,
                (Kind::Whole, Some(Range::Whole(_, max))) => (max + 1).to_string(),
                (Kind::Log(_), _) => "2".to_owned(),
                _ => "-1".to_owned(),
            };
            let err = config_from_form(&reaching(c.key, &bad), &base()).unwrap_err();
            assert_eq!(err.field(), Some(c.key), "{}={bad}: {err}", c.key);
        }
    }

    #[test]
    fn whole_number_ranges_are_the_ones_check_enforces() {
        for c in CONTROLS.iter().filter(|c| c.kind == Kind::Whole) {
            let Some(Range::Whole(min, max)) = c.range else {
                panic!("{}: a whole number without a whole range", c.key)
            };
            for ok in [min, max] {
                let r = config_from_form(&reaching(c.key, &ok.to_string()), &base());
                assert!(r.is_ok(), "{}={ok}: {:?}", c.key, r.err());
            }
            let mut outside = vec![max + 1];
            outside.extend(min.checked_sub(1));
            for bad in outside {
                let err =
                    config_from_form(&reaching(c.key, &bad.to_string()), &base()).unwrap_err();
                assert_eq!(err.field(), Some(c.key), "{}={bad}: {err}", c.key);
            }
        }
    }

    #[test]
    fn large_seeds_and_plain_threshold_numbers_round_trip() {
        let max = crate::experiment::config::MAX_SEED.to_string();
        for (key, text) in [
            ("seed", max.as_str()),
            ("threshold", "3.16e-8"),
            ("lr", "1e+3"),
        ] {
            let c = config_from_form(&reaching(key, text), &Config::default()).unwrap();
            let back = form_from_config(&c)[key].clone();
            let again = config_from_form(&reaching(key, &back), &Config::default()).unwrap();
            assert_eq!(again, c, "{key}={text} → {back}");
        }
        let err = config_from_form(
            &form(&[("seed", "99999999999999999999")]),
            &Config::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
    }

    #[test]
    fn h_lists_and_threshold_kinds() {
        let c = config_from_form(&form(&[("h", "1e-1, 1e-2 ;1e-3")]), &Config::default()).unwrap();
        assert_eq!(c.h, vec![0.1, 0.01, 0.001]);
        // Value and kind combine whatever order they are applied in.
        let c = config_from_form(
            &form(&[("threshold", "1e-3"), ("threshold_kind", "absolute")]),
            &Config::default(),
        )
        .unwrap();
        assert_eq!(c.threshold, Threshold::Absolute(1e-3));
    }

    #[test]
    fn two_layer_pins_one_hidden_layer() {
        let base = Config::default();
        let c = config_from_form(&form(&[("model", "two-layer"), ("layers", "3")]), &base).unwrap();
        assert_eq!((c.model, c.net.layers), (ModelKind::Network, 1));
        let c = config_from_form(&form(&[("model", "mlp"), ("layers", "3")]), &base).unwrap();
        assert_eq!(form_from_config(&c)["model"], "mlp");
        assert_eq!(c.train.lr, None);
    }
}
