//! The page's controls as text, turned into a validated [`Config`] and back.
//!
//! The page sends every control's value as a string (`{"m": "400", "h": "1e-1, 1e-2"}`);
//! all parsing happens here, in Rust, so JavaScript does no numerics and every error
//! names the control it belongs to ([`Error::field`]). Unknown keys are ignored (the
//! URL hash may carry keys from a newer page); missing keys keep their defaults.
//! Plain Rust, compiled on every target so it is tested natively.

use crate::error::{Error, Result};
use crate::experiment::{Config, Precision};
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
];

fn number<T: FromStr>(field: &str, text: &str) -> Result<T> {
    text.trim().parse().map_err(|_| {
        Error::invalid(
            field,
            format!("{:?} is not a number of the expected kind", text.trim()),
        )
    })
}

/// Parses a list of steps such as `"1e-1, 1e-2 1e-3"` (commas or spaces).
pub fn parse_steps(text: &str) -> Result<Vec<f64>> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| number::<f64>("h", s))
        .collect()
}

/// Applies the string values of `form` to `base` and validates the result.
pub fn config_from_form(form: &BTreeMap<String, String>, base: &Config) -> Result<Config> {
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
            "h" => c.h = parse_steps(v)?,
            "order" => c.order = number(key, v)?,
            "precision" => c.precision = v.parse::<Precision>()?,
            "threshold" => threshold_a = number("threshold", v)?,
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
    c.threshold = if absolute {
        Threshold::Absolute(threshold_a)
    } else {
        Threshold::Relative(threshold_a)
    };
    c.validate()?;
    Ok(c)
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
        assert_eq!(back, c);
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
        ] {
            let err = config_from_form(&form(&[(key, bad)]), &base).unwrap_err();
            assert_eq!(err.field(), Some(key), "{key}={bad}: {err}");
        }
    }

    #[test]
    fn steps_accept_commas_and_spaces() {
        assert_eq!(
            parse_steps("1e-1, 1e-2 ;1e-3").unwrap(),
            vec![0.1, 0.01, 0.001]
        );
        let c = config_from_form(
            &form(&[("threshold", "1e-3"), ("threshold_kind", "absolute")]),
            &Config::default(),
        )
        .unwrap();
        assert_eq!(c.threshold, Threshold::Absolute(1e-3));
    }
}
