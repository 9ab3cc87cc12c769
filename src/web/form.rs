//! The page's controls as text, turned into a validated [`Config`] and back.
//!
//! The page sends every control's value as a string (`{"m": "400", "h": "1e-1, 1e-2"}`);
//! all parsing happens here, in Rust, so JavaScript does no numerics and every error
//! names the control it belongs to ([`Error::field`]). Unknown keys are ignored (the
//! URL hash may carry keys from a newer page); missing keys keep their defaults.
//! Plain Rust, compiled on every target so it is tested natively.

use crate::config::parse_h_list;
use crate::config::{Config, ModelKind, Valid};
use crate::error::{Error, Result};
use crate::jet::Precision;
use crate::spectrum::Threshold;
use std::collections::BTreeMap;
use std::str::FromStr;

/// The controls the page shows, in the order it shows them.
pub const FORM_KEYS: &[&str] = &[
    "problem",
    "k",
    "activation",
    "m",
    "scale",
    "init",
    "n",
    "sampling",
    "lambda",
    "seed",
    "h",
    "order",
    "threshold",
    "threshold_kind",
    "precision",
    "rcond",
    "model",
    "width",
    "layers",
    "net_scale",
    "optimizer",
    "lr",
    "lr_scale",
    "steps",
];

fn number<T: FromStr>(field: &str, text: &str) -> Result<T> {
    text.trim().parse().map_err(|_| {
        Error::invalid(
            field,
            format!("{:?} is not a number of the expected kind", text.trim()),
        )
    })
}

/// The control that shows the config field at `path` (`rfm.m` → `m`, `net.scale` →
/// `net_scale`); fields without a path prefix are their own control.
fn control_of(path: &str) -> &str {
    match path {
        "net.scale" => "net_scale",
        "net.widths" => "width",
        _ => path.rsplit('.').next().unwrap_or(path),
    }
}

/// Applies the string values of `form` to `base` and checks the result.
pub fn config_from_form(form: &BTreeMap<String, String>, base: &Config) -> Result<Valid<Config>> {
    let mut c = base.clone();
    let mut threshold_a = match c.threshold {
        Threshold::Relative(a) | Threshold::Absolute(a) => a,
    };
    let mut absolute = matches!(c.threshold, Threshold::Absolute(_));
    for (key, value) in form {
        let v = value.as_str();
        match key.as_str() {
            "problem" => c.problem = v.parse()?,
            "k" => c.k = number(key, v)?,
            "activation" => c.activation = v.parse()?,
            "m" => c.rfm.m = number(key, v)?,
            "scale" => c.rfm.scale = number(key, v)?,
            "init" => c.rfm.init = v.parse()?,
            "rcond" => c.rfm.rcond = number(key, v)?,
            "n" => c.n = number(key, v)?,
            "sampling" => c.sampling = v.parse()?,
            "lambda" => c.lambda = number(key, v)?,
            "seed" => c.seed = number(key, v)?,
            "h" => c.h = parse_h_list(v)?,
            "order" => c.order = number(key, v)?,
            "precision" => c.precision = v.parse::<Precision>()?,
            "threshold" => threshold_a = number("threshold", v)?,
            "model" => match v.trim() {
                "rfm" => c.model = ModelKind::Rfm,
                "two-layer" | "mlp" | "network" => c.model = ModelKind::Network,
                other => {
                    return Err(Error::invalid(
                        "model",
                        format!("{other:?}: choose rfm, two-layer or mlp"),
                    ))
                }
            },
            "width" => c.net.width = number(key, v)?,
            "layers" => c.net.layers = number(key, v)?,
            "net_scale" => c.net.scale = number(key, v)?,
            "optimizer" => {
                c.train.optimizer = v
                    .parse()
                    .map_err(|e: Error| Error::invalid(key, e.to_string()))?
            }
            "lr" => {
                c.train.lr = match v.trim() {
                    "" | "auto" => None,
                    t => Some(number(key, t)?),
                }
            }
            "lr_scale" => c.train.lr_scale = number(key, v)?,
            "steps" => c.train.steps = number(key, v)?,
            "threshold_kind" => {
                absolute = match v.trim() {
                    "relative" => false,
                    "absolute" => true,
                    other => {
                        return Err(Error::invalid(
                            "threshold_kind",
                            format!("{other:?}: choose relative or absolute"),
                        ))
                    }
                }
            }
            _ => {}
        }
    }
    if form.get("model").map(|m| m.trim()) == Some("two-layer") {
        c.net.layers = 1;
    }
    c.net.widths.clear();
    c.threshold = if absolute {
        Threshold::Absolute(threshold_a)
    } else {
        Threshold::Relative(threshold_a)
    };
    c.check().map_err(|e| match e {
        Error::Invalid { field, message } => Error::invalid(control_of(&field), message),
        e => e,
    })
}

/// The controls' text for `config` (the inverse of [`config_from_form`]).
pub fn form_from_config(c: &Config) -> BTreeMap<String, String> {
    let (a, kind) = match c.threshold {
        Threshold::Relative(a) => (a, "relative"),
        Threshold::Absolute(a) => (a, "absolute"),
    };
    let text = |v: &dyn std::fmt::Display| v.to_string();
    let h: Vec<String> = c.h.iter().map(|h| format!("{h:e}")).collect();
    let init = serde_json::to_value(c.rfm.init).ok();
    let sampling = serde_json::to_value(c.sampling).ok();
    let precision = serde_json::to_value(c.precision).ok();
    let optimizer = serde_json::to_value(c.train.optimizer).ok();
    let model = match (c.model, c.net.hidden().len()) {
        (ModelKind::Rfm, _) => "rfm",
        (ModelKind::Network, 1) => "two-layer",
        (ModelKind::Network, _) => "mlp",
    };
    let name = |v: Option<serde_json::Value>| {
        v.and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    [
        ("problem", text(&c.problem)),
        ("k", text(&c.k)),
        ("activation", text(&c.activation)),
        ("m", text(&c.rfm.m)),
        ("scale", text(&c.rfm.scale)),
        ("init", name(init)),
        ("n", text(&c.n)),
        ("sampling", name(sampling)),
        ("lambda", text(&c.lambda)),
        ("seed", text(&c.seed)),
        ("h", h.join(", ")),
        ("order", text(&c.order)),
        ("threshold", format!("{a:e}")),
        ("threshold_kind", kind.to_owned()),
        ("precision", name(precision)),
        ("rcond", format!("{:e}", c.rfm.rcond)),
        ("model", model.to_owned()),
        ("width", text(&c.net.width)),
        ("layers", text(&c.net.layers)),
        ("net_scale", text(&c.net.scale)),
        ("optimizer", name(optimizer)),
        (
            "lr",
            c.train.lr.map_or("auto".to_owned(), |lr| format!("{lr:e}")),
        ),
        ("lr_scale", text(&c.train.lr_scale)),
        ("steps", text(&c.train.steps)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn round_trip_of_the_default_config() {
        let c = Config::default();
        let back = config_from_form(&form_from_config(&c), &Config::default()).unwrap();
        assert_eq!(*back, c);
        assert_eq!(FORM_KEYS.len(), form_from_config(&c).len());
    }

    #[test]
    fn every_error_names_its_control() {
        let base = Config::default();
        for (key, bad) in [
            ("m", "0"),
            ("m", "many"),
            ("k", "-1"),
            ("h", "1e-1, zero"),
            ("h", "0"),
            ("scale", "-3"),
            ("threshold", "2"),
            ("threshold_kind", "sideways"),
            ("order", "3"),
            ("seed", "1e300"),
            ("problem", "heat"),
            ("activation", "relu^1"),
            ("precision", "f16"),
            ("n", "100000000"),
            ("model", "cnn"),
        ] {
            let err = config_from_form(&form(&[(key, bad)]), &base).unwrap_err();
            assert_eq!(err.field(), Some(key), "{key}={bad}: {err}");
        }
    }

    #[test]
    fn h_lists_accept_commas_and_spaces() {
        assert_eq!(
            parse_h_list("1e-1, 1e-2 ;1e-3").unwrap(),
            vec![0.1, 0.01, 0.001]
        );
        let c = config_from_form(
            &form(&[("threshold", "1e-3"), ("threshold_kind", "absolute")]),
            &Config::default(),
        )
        .unwrap();
        assert_eq!(c.threshold, Threshold::Absolute(1e-3));
    }

    #[test]
    fn network_controls_name_their_own_fields() {
        let base = Config::default();
        let net = |k: &str, v: &str| form(&[("model", "mlp"), (k, v)]);
        for (key, bad) in [
            ("width", "0"),
            ("layers", "99"),
            ("net_scale", "-1"),
            ("optimizer", "sgd"),
            ("lr", "-1"),
            ("lr_scale", "0"),
            ("steps", "0"),
        ] {
            let err = config_from_form(&net(key, bad), &base).unwrap_err();
            assert_eq!(err.field(), Some(key), "{key}={bad}: {err}");
        }
        let c = config_from_form(&form(&[("model", "two-layer"), ("layers", "3")]), &base).unwrap();
        assert_eq!((c.model, c.net.layers), (ModelKind::Network, 1));
        let c = config_from_form(&net("layers", "3"), &base).unwrap();
        assert_eq!(form_from_config(&c)["model"], "mlp");
        assert_eq!(c.train.lr, None);
    }
}
