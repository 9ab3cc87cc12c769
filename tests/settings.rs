//! The settings table is the one source of every field's range and choices: walking
//! it, the CLI (the built binary, `--dry-run`), the page's form (`config_from_form`)
//! and `Config::check` accept and refuse the same values at every boundary (the ends,
//! just outside them, and for reals NaN, ±∞ and ±0), every choice, an unknown name,
//! and lists at and past their length. The CLI's help states each flag's range and
//! default from the table.
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
#[allow(dead_code)] // `rerun` is for the report tests
mod cli;

use adfd::config::field::{Field, Kind, Models, Range};
use adfd::config::settings::FIELDS;
use adfd::web::form::config_from_form;
use adfd::{Config, ModelKind, Precision, ProblemKind};
use std::collections::BTreeMap;

/// The values to try for a row: its range's ends and their neighbours (for reals also
/// NaN, ±∞ and ±0), every choice and an unknown one, and for a list one item too many.
fn probes(f: &Field) -> Vec<String> {
    let mut out: Vec<String> = match f.range {
        Some(Range::Whole(lo, hi)) => [Some(lo), Some(hi), lo.checked_sub(1), hi.checked_add(1)]
            .into_iter()
            .flatten()
            .map(|v| v.to_string())
            .collect(),
        Some(Range::Real { min, max, .. }) => [
            min,
            min.next_down(),
            min.next_up(),
            max,
            max.next_down(),
            max.next_up(),
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
        ]
        .iter()
        .map(|v| format!("{v:e}"))
        .collect(),
        None => Vec::new(),
    };
    match f.kind {
        Kind::Choice => {
            out.extend(f.choices.iter().map(|c| c.to_string()));
            out.push("no-such-choice".into());
        }
        Kind::Reals { max_len } | Kind::Wholes { max_len } => {
            let item = if matches!(f.kind, Kind::Wholes { .. }) {
                "3"
            } else {
                "0.5"
            };
            out.push(vec![item; max_len].join(","));
            out.push(vec![item; max_len + 1].join(","));
        }
        Kind::Optional { none } => out.push(none.to_owned()),
        _ => {}
    }
    out
}

/// The model a row's value is tried on: a network for the networks' rows.
fn model_of(f: &Field) -> ModelKind {
    match f.models {
        Models::Net | Models::Mlp => ModelKind::Network,
        Models::All | Models::Rfm => ModelKind::Rfm,
    }
}

/// adfd's defaults for the model a row is tried on (Poisson 1-D, f64): where the CLI's
/// subcommand and the page start.
fn base_of(f: &Field) -> Config {
    Config::defaults_for(ProblemKind::Poisson1d, Precision::F64, model_of(f))
}

/// `Config::check` on adfd's defaults with the row set to `text` (a parse error refuses).
fn check_accepts(f: &Field, text: &str) -> bool {
    let mut c = base_of(f);
    f.apply(&mut c, text).is_ok() && c.check().is_ok()
}

/// The page's form with the control set to `text` (on a network for its rows); `None`
/// for a row the page does not show.
fn form_accepts(f: &Field, text: &str) -> Option<bool> {
    if !f.page {
        return None;
    }
    let mut form = BTreeMap::from([(f.key.to_owned(), text.to_owned())]);
    if model_of(f) == ModelKind::Network && f.key != "model" {
        form.insert("model".into(), "mlp".into());
    }
    let result = config_from_form(&form, &base_of(f));
    if let Err(e) = &result {
        assert_eq!(e.field(), Some(f.key), "form {}={text}: {e}", f.key);
    }
    Some(result.is_ok())
}

/// `adfd rfm|train --flag text --dry-run`; `None` for a row the CLI does not show. A
/// refusal is exit code 2 with a first line naming the flag or field and a bound.
fn cli_accepts(f: &Field, text: &str) -> Option<bool> {
    if !f.cli {
        return None;
    }
    let subcommand = match model_of(f) {
        ModelKind::Rfm => "rfm",
        ModelKind::Network => "train",
    };
    let flag = format!("--{}", f.flag());
    let out = cli::adfd(&[subcommand, &flag, text, "--dry-run"]);
    let err = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        // The CLI starts from adfd's defaults for the problem and precision given.
        let config: Config = serde_json::from_slice(&out.stdout).unwrap();
        let mut given = Config::default();
        f.apply(&mut given, text).unwrap();
        let mut expected = Config {
            model: model_of(f),
            ..Config::defaults_for(given.problem, given.precision, model_of(f))
        };
        f.apply(&mut expected, text).unwrap();
        assert_eq!(config, expected, "{flag} {text}");
        return Some(true);
    }
    assert_eq!(out.status.code(), Some(2), "{flag} {text}: {err}");
    assert!(!err.contains("panicked"), "{flag} {text}: {err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        [flag.as_str(), f.key, f.path]
            .iter()
            .any(|n| first.contains(n)),
        "{flag} {text}: {first:?} names neither the flag nor the field"
    );
    assert!(
        first.chars().any(|c| c.is_ascii_digit()) || first.contains("choose"),
        "{flag} {text}: {first:?} states no bound"
    );
    Some(false)
}

#[test]
fn cli_form_and_check_agree_at_every_boundary_of_every_row() {
    let mut tried = 0;
    for f in FIELDS {
        let values = probes(f);
        let (mut accepted, mut refused) = (0, 0);
        for text in &values {
            let check = check_accepts(f, text);
            if let Some(form) = form_accepts(f, text) {
                assert_eq!(form, check, "{}={text}: form {form}, check {check}", f.key);
            }
            if let Some(cli) = cli_accepts(f, text) {
                assert_eq!(cli, check, "{}={text}: CLI {cli}, check {check}", f.key);
            }
            if check {
                accepted += 1;
            } else {
                refused += 1;
            }
            tried += 1;
        }
        // Not vacuous: each row with a range or choices had values on both sides.
        if f.range.is_some() || f.kind == Kind::Choice {
            assert!(accepted > 0 && refused > 0, "{}: {values:?}", f.key);
        }
    }
    assert!(tried > 200, "{tried} values tried");
}

/// The ends themselves: a closed end is accepted, an open one refused, and the next
/// number outward refused.
#[test]
fn closed_ends_are_accepted_and_open_ends_refused() {
    for f in FIELDS {
        let Some(Range::Real {
            min,
            min_open,
            max,
            max_open,
        }) = f.range
        else {
            continue;
        };
        assert_eq!(
            check_accepts(f, &format!("{min:e}")),
            !min_open,
            "{} min",
            f.key
        );
        assert!(
            !check_accepts(f, &format!("{:e}", min.next_down())),
            "{}",
            f.key
        );
        if max.is_finite() {
            assert_eq!(
                check_accepts(f, &format!("{max:e}")),
                !max_open,
                "{} max",
                f.key
            );
            assert!(
                !check_accepts(f, &format!("{:e}", max.next_up())),
                "{}",
                f.key
            );
        }
    }
}

#[test]
fn the_help_states_each_flags_range_and_default_from_the_table() {
    for (subcommand, model) in [("rfm", ModelKind::Rfm), ("train", ModelKind::Network)] {
        let out = cli::adfd(&[subcommand, "--help"]);
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).unwrap();
        for f in FIELDS {
            let flag = format!("--{} <", f.flag());
            assert_eq!(
                help.contains(&flag),
                f.cli && f.applies_to(model),
                "{subcommand}: {flag}"
            );
            if help.contains(&flag) {
                let default = format!("[default: {}]", f.default_summary(model));
                assert!(help.contains(&default), "{subcommand} {flag}: {default}");
            }
        }
        // Old and underscore spellings are accepted but not shown; `--scale` is the
        // RFM's own flag.
        assert!(!help.contains("--net_scale") && !help.contains("--lr_scale"));
        assert_eq!(
            help.contains("--scale <"),
            model == ModelKind::Rfm,
            "{subcommand}"
        );
    }
    let rfm = String::from_utf8(cli::adfd(&["rfm", "--help"]).stdout).unwrap();
    for needle in [
        "[allowed: 1..=20000] [default: 400]",
        "[allowed: (0, 10000]] [default: 10 in 1-D, 2 in 2-D]",
        "[default: 1e-8 in f64, 1e-5 in f32]",
        "--threshold-kind",
        "--absolute",
        "--config <FILE>",
    ] {
        assert!(rfm.contains(needle), "{needle:?} missing from\n{rfm}");
    }
}

#[test]
fn old_flags_and_underscore_spellings_still_work() {
    for flag in ["--scale", "--net_scale", "--net-scale"] {
        let out = cli::adfd(&["train", flag, "3", "--dry-run"]);
        assert!(
            out.status.success(),
            "{flag}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let c: Config = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(c.net.scale, 3.0, "{flag}");
    }
    let out = cli::adfd(&["rfm", "--n_boundary", "12", "--dry-run"]);
    let c: Config = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c.n_boundary, 12);
}
