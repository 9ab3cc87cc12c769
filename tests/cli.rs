//! The `adfd` command line as a user meets it, for `adfd rfm` and `adfd train` alike:
//! one-line errors naming the field with exit code 2, tables whose every number is
//! labelled, JSON that re-runs to the same numbers, CSV with one row per run, help, and
//! runs too large for the machine refused before anything is allocated; then what only
//! a training report has (the initial network, the records, deeper networks).

#[path = "common/cli.rs"]
mod cli;
use cli::{adfd, rerun};

/// A small run of each subcommand.
const RFM: &[&str] = &["rfm", "--m", "40", "--n", "30"];
const TRAIN: &[&str] = &[
    "train", "--width", "12", "--n", "15", "--steps", "20", "--every", "10",
];

/// The small run `base` with `extra` flags.
fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(extra).copied().collect()
}

/// Bad input for each subcommand and the word its one-line error must name.
const BAD: &[(&[&str], &[&str], &str)] = &[
    (RFM, &["--m", "0"], "m"),
    (RFM, &["--h", "0"], "h"),
    (RFM, &["--h", "1e-1,-2"], "h"),
    (RFM, &["--h", "nan"], "h"),
    (RFM, &["--h", "1e-2,abc"], "--h"),
    (RFM, &["--problem", "heat"], "problem"),
    (RFM, &["--activation", "swish"], "activation"),
    (
        RFM,
        &["--problem", "biharmonic1d", "--activation", "relu^3"],
        "activation",
    ),
    (RFM, &["--threshold", "1.5"], "threshold"),
    (RFM, &["--threshold", "0"], "threshold"),
    (RFM, &["--scale", "inf"], "scale"),
    (RFM, &["--m", "20000", "--n", "20000"], "m"),
    (RFM, &["--n", "ten"], "--n"),
    (RFM, &["--order", "3"], "order"),
    (RFM, &["--seed", "9007199254740992"], "seed"),
    (RFM, &["--rcond", "2"], "rcond"),
    (TRAIN, &["--width", "0"], "width"),
    (TRAIN, &["--width", "6000"], "width"),
    (TRAIN, &["--layers", "0"], "layers"),
    (TRAIN, &["--layers", "9"], "layers"),
    (TRAIN, &["--lr", "-1"], "lr"),
    (TRAIN, &["--lr", "nan"], "lr"),
    (TRAIN, &["--lr-scale", "0"], "lr_scale"),
    (TRAIN, &["--steps", "0"], "steps"),
    (TRAIN, &["--every", "0"], "every"),
    (TRAIN, &["--decades", "0"], "decades"),
    (TRAIN, &["--optimizer", "sgdm"], "optimizer"),
    (TRAIN, &["--scale", "-1"], "scale"),
    (TRAIN, &["--mu0", "0"], "mu0"),
    (TRAIN, &["--mu-max", "1e13"], "mu_max"),
    (TRAIN, &["--lr", "1", "--lr-scale", "0.5"], "--lr"),
    (&["train"], &["--n", "20000", "--width", "5000"], "Jacobian"),
];

#[test]
fn bad_input_gives_one_line_naming_the_field_and_exit_code_2() {
    for (base, extra, field) in BAD {
        let out = adfd(&with(base, extra));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.contains(field),
            "{} {extra:?}: first line {first:?} should name {field}",
            base[0]
        );
        assert!(!err.contains("panicked"), "{extra:?}: {err}");
    }
}

#[test]
fn tables_label_their_numbers() {
    let rfm = ["threshold relative", "system residual", "floor", "L2 error"];
    let train = [
        "K₀",
        "true residual",
        "L2 error",
        "μ",
        "Levenberg–Marquardt",
    ];
    for (base, needles) in [(RFM, &rfm[..]), (TRAIN, &train[..])] {
        let out = adfd(&with(base, &["--h", "0.1"]));
        assert!(out.status.success(), "{base:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        for needle in needles.iter().chain(&["AD", "FD h=1e-1"]) {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }
}

#[test]
fn json_reruns_through_config_to_the_same_numbers() {
    let cases: [(&[&str], &[&str]); 2] = [
        (RFM, &["singular_values", "residual_true", "error_l2"]),
        (TRAIN, &["loss", "kernel", "records", "error_l2"]),
    ];
    for (base, fields) in cases {
        let extra = [
            "--problem",
            "biharmonic1d",
            "--seed",
            "7",
            "--h",
            "0.1,0.01",
            "--json",
        ];
        let out = adfd(&with(base, &extra));
        assert!(out.status.success(), "{base:?}");
        let first: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let second = rerun(base[0], &out.stdout);
        assert_eq!(first["config"], second["config"]);
        let runs = first["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 3, "{base:?}: AD and two FD runs");
        for (i, field) in (0..runs.len()).flat_map(|i| fields.iter().map(move |f| (i, f))) {
            assert!(!first["runs"][i][field].is_null(), "{field}");
            assert_eq!(first["runs"][i][field], second["runs"][i][field], "{field}");
        }
    }
}

#[test]
fn csv_has_one_row_per_run() {
    let cases = [
        (RFM, "mode,h,cutoff,entropy"),
        (TRAIN, "mode,h,cutoff0,entropy0"),
    ];
    for (base, header) in cases {
        let out = adfd(&with(base, &["--h", "0.1,0.01", "--csv"]));
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{base:?}: a header and three runs");
        assert!(lines[0].starts_with(header) && lines[0].contains("error_l2,error_max"));
        assert!(lines[1].starts_with("ad,,") && lines[3].starts_with("fd,0.01,"));
    }
}

#[test]
fn every_subcommand_has_help_with_ranges_and_defaults() {
    for args in [
        &["--help"][..],
        &["rfm", "--help"],
        &["train", "--help"],
        &["claims", "--help"],
    ] {
        let out = adfd(args);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage"), "{args:?}");
    }
    let train = String::from_utf8(adfd(&["train", "--help"]).stdout).unwrap();
    assert!(
        train.contains("--mu0") && train.contains("[default: lm]"),
        "{train}"
    );
}

/// A run whose estimated peak memory exceeds what the machine has available is refused
/// before anything is allocated: exit code 2, one line naming the size field and the
/// memory. (`ADFD_MEMORY` stands in for a small machine.)
#[test]
fn a_run_larger_than_the_machine_is_refused_with_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["rfm", "--m", "2000", "--n", "2000"], "rfm.m"),
        (
            &["train", "--width", "2000", "--n", "500", "--steps", "1"],
            "net.width",
        ),
    ];
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_adfd"))
            .args(args)
            .env("ADFD_MEMORY", "20e6")
            .output()
            .unwrap()
    };
    for (args, field) in cases {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.contains(field)
                && first.contains("needs about")
                && first.contains("20 MB available"),
            "{args:?}: {first}"
        );
    }
    // The same small runs fit.
    for base in [RFM, TRAIN] {
        let out = run(base);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_training_report_has_the_initial_network_the_points_and_every_record() {
    let out = adfd(&with(
        TRAIN,
        &["--json", "--problem", "biharmonic1d", "--h", "0.2,0.1"],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["config"]["net"]["width"], 12);
    assert_eq!(v["config"]["model"], "network");
    assert_eq!(v["init"]["a"].as_array().unwrap().len(), 12);
    assert_eq!(v["init"]["w"].as_array().unwrap().len(), 12);
    assert_eq!(v["init"]["w"][0].as_array().unwrap().len(), 1);
    assert_eq!(v["init"]["b"].as_array().unwrap().len(), 12);
    assert_eq!(v["points"]["interior"].as_array().unwrap().len(), 15);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0]["mode"], "ad");
    assert!(runs[0]["h"].is_null());
    assert_eq!(runs[2]["mode"], "fd");
    assert_eq!(runs[2]["h"], 0.1);
    for r in runs {
        let loss = r["loss"].as_array().unwrap();
        assert_eq!(loss.len(), 21); // steps 0..=20
        assert_eq!(loss[0].as_array().unwrap().len(), 3);
        assert!(loss[0][2].is_f64() && loss[1][2].is_null() && loss[10][2].is_f64());
        // Records at steps 0, 10 and 20, each with the solution's errors.
        let records = r["records"].as_array().unwrap();
        let steps: Vec<u64> = records
            .iter()
            .map(|x| x["step"].as_u64().unwrap())
            .collect();
        assert_eq!(steps, [0, 10, 20]);
        assert!(records
            .iter()
            .all(|x| x["error_l2"].as_f64().unwrap() > 0.0));
        assert!(records[0]["mu"].is_null() && records[1]["mu"].as_f64().unwrap() > 0.0);
        assert_eq!(r["error_l2"], records[2]["error_l2"]);
        let kernel = r["kernel"].as_array().unwrap();
        assert_eq!(kernel.len(), 3);
        // rows n + 2 boundary points × 2 operators; parameters 3m: J is 19 × 36
        assert_eq!(kernel[0]["singular_values"].as_array().unwrap().len(), 19);
        assert!(kernel[0]["entropy"].as_f64().unwrap() > 0.0);
        assert!(r["speed"]["initial_loss"].as_f64().unwrap() > 0.0);
        assert_eq!(r["stopped"]["reason"], "steps");
    }
}

#[test]
fn deeper_networks_report_all_their_layers() {
    let out = adfd(&with(
        TRAIN,
        &[
            "--json",
            "--layers",
            "2",
            "--optimizer",
            "adam",
            "--lr",
            "1e-3",
        ],
    ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let layers = v["init"]["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[1]["w"].as_array().unwrap().len(), 12);
    assert_eq!(layers[1]["w"][0].as_array().unwrap().len(), 12);
    assert_eq!(v["init"]["a"].as_array().unwrap().len(), 12);
}
