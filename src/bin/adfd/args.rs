//! The arguments of `adfd rfm` and `adfd train`, built from the settings table.
//!
//! Every row of [`FIELDS`] that the CLI shows and that applies to the subcommand's
//! model becomes one flag (clap's builder API): `--` and the row's flag (its key with
//! `_` → `-`), with the key itself and the row's old flags as hidden aliases, and a help
//! line that is the row's sentence, its range ([`Field::allowed`]) and its default
//! read off `Config::defaults_for` ([`Field::default_summary`]). A flag's text is
//! parsed by the row while clap reads the line (so bad syntax names the flag); its
//! range is checked with the whole config by `Config::check`. Besides the fields:
//! `--config FILE`, `--absolute`, and the output flags.

use adfd::config::field::Field;
use adfd::config::settings::{field, FIELDS};
use adfd::{Config, ModelKind};
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::path::PathBuf;

/// The rows a subcommand for `model` has flags for.
fn fields_of(model: ModelKind) -> impl Iterator<Item = &'static Field> {
    FIELDS.iter().filter(move |f| f.cli && f.applies_to(model))
}

/// The help line of a row for `model`: `Sentence [allowed: 1..=20000] [default: 400]`.
fn help(f: &Field, model: ModelKind) -> String {
    let allowed = f.allowed().map(|a| format!(" [allowed: {a}]"));
    format!(
        "{}{} [default: {}]",
        f.help,
        allowed.unwrap_or_default(),
        f.default_summary(model)
    )
}

/// The flag of a row on the subcommand for `model`.
fn flag(f: &'static Field, model: ModelKind) -> Arg {
    let mut arg = Arg::new(f.key)
        .long(f.flag())
        .value_name(f.key.to_uppercase())
        .help(help(f, model))
        .allow_hyphen_values(true)
        .value_parser(move |text: &str| -> Result<String, String> {
            f.apply(&mut Config::default(), text)
                .map_err(|e| e.message())?;
            Ok(text.to_owned())
        });
    if f.flag() != f.key {
        arg = arg.alias(f.key);
    }
    for old in f.old_flags {
        arg = arg.alias(*old);
    }
    arg
}

/// `adfd rfm` (for `ModelKind::Rfm`) or `adfd train` (`ModelKind::Network`).
pub fn experiment(name: &'static str, about: &'static str, model: ModelKind) -> Command {
    let config = Arg::new("config")
        .long("config")
        .value_name("FILE")
        .value_parser(clap::value_parser!(PathBuf))
        .help("Start from this config: a config JSON, or a report printed by --json (its \"config\"); unset flags keep its values");
    let absolute = Arg::new("absolute")
        .long("absolute")
        .action(ArgAction::SetTrue)
        .conflicts_with("threshold_kind")
        .help("Read --threshold as absolute (s_i > a): --threshold-kind absolute");
    let switch = |id: &'static str, help: &'static str| {
        Arg::new(id).long(id).action(ArgAction::SetTrue).help(help)
    };
    let command = Command::new(name)
        .about(about)
        .arg(config)
        .args(fields_of(model).map(|f| flag(f, model)))
        .arg(absolute)
        .arg(switch(
            "json",
            "Print the full report as JSON (re-run it with --config)",
        ))
        .arg(switch("csv", "Print one CSV row per run").conflicts_with("json"))
        .arg(
            switch(
                "dry-run",
                "Check the settings and print the config as JSON, without running",
            )
            .conflicts_with_all(["json", "csv"]),
        );
    match model {
        // A fixed rate and the rule c/λ_max are two answers to one question.
        ModelKind::Network => command.mut_arg("lr", |a| a.conflicts_with("lr_scale")),
        ModelKind::Rfm => command,
    }
}

/// Reads `--config FILE`: a config JSON, or a report (its `"config"`).
fn read_config(path: &PathBuf) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("invalid config: cannot read {}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("invalid config: {e}"))?;
    let value = value.get("config").cloned().unwrap_or(value);
    serde_json::from_value(value).map_err(|e| format!("invalid config: {e}"))
}

/// The config the flags ask for, unchecked: `--config FILE`, or adfd's defaults for
/// the problem and precision given, with every given flag applied in table order, for
/// `model`.
pub fn config(m: &ArgMatches, model: ModelKind) -> Result<Config, String> {
    let given = |key: &str| m.get_one::<String>(key);
    let mut c = match m.get_one::<PathBuf>("config") {
        Some(path) => read_config(path)?,
        None => Config::defaults_for(
            given("problem")
                .and_then(|t| t.parse().ok())
                .unwrap_or_default(),
            given("precision")
                .and_then(|t| t.parse().ok())
                .unwrap_or_default(),
            model,
        ),
    };
    for f in fields_of(model) {
        if let Some(text) = given(f.key) {
            f.apply(&mut c, text).map_err(|e| e.to_string())?;
        }
    }
    if m.get_flag("absolute") {
        if given("threshold").is_none() {
            return Err("invalid threshold: --absolute needs --threshold".into());
        }
        if let Some(kind) = field("threshold_kind") {
            kind.apply(&mut c, "absolute").map_err(|e| e.to_string())?;
        }
    }
    if model == ModelKind::Network && given("lr_scale").is_some() {
        // --lr-scale picks the rule c/λ_max over a fixed rate from --config.
        c.train.lr = None;
    }
    c.model = model;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, String> {
        let model = match args[0] {
            "rfm" => ModelKind::Rfm,
            _ => ModelKind::Network,
        };
        let command = Command::new("adfd")
            .subcommand(experiment("rfm", "", ModelKind::Rfm))
            .subcommand(experiment("train", "", ModelKind::Network));
        let m = command
            .try_get_matches_from(std::iter::once("adfd").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        config(m.subcommand().unwrap().1, model)
    }

    #[test]
    fn the_commands_are_well_formed() {
        experiment("rfm", "", ModelKind::Rfm).debug_assert();
        experiment("train", "", ModelKind::Network).debug_assert();
    }

    #[test]
    fn old_and_underscore_spellings_set_the_same_field() {
        for flag in ["--net-scale", "--net_scale", "--scale"] {
            let c = parse(&["train", flag, "3"]).unwrap();
            assert_eq!(c.net.scale, 3.0, "{flag}");
        }
        assert_eq!(parse(&["rfm", "--scale", "3"]).unwrap().rfm.scale, 3.0);
        assert_eq!(
            parse(&["train", "--lr_scale", "0.25"])
                .unwrap()
                .train
                .lr_scale,
            0.25
        );
        assert_eq!(parse(&["rfm", "--n_boundary", "7"]).unwrap().n_boundary, 7);
    }

    #[test]
    fn each_subcommand_has_its_models_fields_only() {
        assert!(parse(&["rfm", "--width", "3"]).is_err());
        assert!(parse(&["train", "--m", "3"]).is_err());
        assert!(parse(&["rfm", "--model", "mlp"]).is_err());
        assert_eq!(
            parse(&["train", "--widths", "3, 4"]).unwrap().net.widths,
            [3, 4]
        );
    }

    #[test]
    fn defaults_follow_the_problem_and_precision_given() {
        let c = parse(&["rfm", "--problem", "poisson2d", "--precision", "f32"]).unwrap();
        assert_eq!(
            c,
            Config::defaults_for(
                "poisson2d".parse().unwrap(),
                "f32".parse().unwrap(),
                ModelKind::Rfm
            )
        );
        let c = parse(&["train", "--problem", "biharmonic2d"]).unwrap();
        let network = Config::defaults_for(
            "biharmonic2d".parse().unwrap(),
            "f64".parse().unwrap(),
            ModelKind::Network,
        );
        assert_eq!(c, network, "a network's own n, h and training");
        let c = parse(&["rfm", "--threshold", "1e-3", "--absolute"]).unwrap();
        assert_eq!(c.threshold, adfd::Threshold::Absolute(1e-3));
        assert!(parse(&["rfm", "--absolute"])
            .unwrap_err()
            .contains("needs --threshold"));
        assert_eq!(parse(&["train", "--lr", "auto"]).unwrap().train.lr, None);
    }
}
