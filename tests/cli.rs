//! The `adfd` command line as a user meets it: tables, JSON that re-runs, and
//! one-line errors with exit code 2.

#[path = "common/cli.rs"]
mod cli;
use cli::{adfd, rerun};

const SMALL: &[&str] = &["rfm", "--m", "40", "--n", "30"];

/// A small `rfm` run with `extra` flags.
fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    SMALL.iter().chain(extra).copied().collect()
}

#[test]
fn bad_input_gives_one_line_naming_the_field_and_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--m", "0"], "m"),
        (&["--h", "0"], "h"),
        (&["--h", "1e-1,-2"], "h"),
        (&["--h", "nan"], "h"),
        (&["--h", "1e-2,abc"], "--h"),
        (&["--problem", "heat"], "problem"),
        (&["--activation", "swish"], "activation"),
        (
            &["--problem", "biharmonic1d", "--activation", "relu^3"],
            "activation",
        ),
        (&["--threshold", "1.5"], "threshold"),
        (&["--threshold", "0"], "threshold"),
        (&["--scale", "inf"], "scale"),
        (&["--m", "20000", "--n", "20000"], "m"),
        (&["--n", "ten"], "--n"),
        (&["--order", "3"], "order"),
        (&["--seed", "9007199254740992"], "seed"),
        (&["--rcond", "2"], "rcond"),
    ];
    for (extra, field) in cases {
        let out = adfd(&with(extra));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.contains(field),
            "{extra:?}: first line {first:?} should name {field}"
        );
        assert!(!err.contains("panicked"), "{extra:?}: {err}");
    }
}

#[test]
fn table_labels_its_numbers() {
    let out = adfd(&with(&["--h", "0.1"]));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "threshold relative",
        "system residual",
        "true residual",
        "L2 error",
        "AD",
        "FD",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn json_reruns_through_config_to_the_same_numbers() {
    let out = adfd(&with(&[
        "--problem",
        "biharmonic1d",
        "--h",
        "0.1,0.01",
        "--json",
    ]));
    assert!(out.status.success());
    let first: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let second = rerun("rfm", &out.stdout);
    assert_eq!(first["config"], second["config"]);
    for i in 0..3 {
        assert_eq!(
            first["runs"][i]["singular_values"],
            second["runs"][i]["singular_values"]
        );
        assert_eq!(
            first["runs"][i]["residual_true"],
            second["runs"][i]["residual_true"]
        );
    }
}

#[test]
fn csv_has_one_row_per_mode() {
    let out = adfd(&with(&["--h", "0.1,0.01", "--csv"]));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("mode,h,cutoff,entropy"));
    assert!(lines[1].starts_with("ad,,") && lines[3].starts_with("fd,0.01,"));
}

#[test]
fn every_subcommand_has_help() {
    for args in [&["--help"][..], &["rfm", "--help"]] {
        let out = adfd(args);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
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
    for (args, field) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_adfd"))
            .args(*args)
            .env("ADFD_MEMORY", "20e6")
            .output()
            .unwrap();
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
    // The same small run fits.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_adfd"))
        .args(SMALL)
        .env("ADFD_MEMORY", "20e6")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
