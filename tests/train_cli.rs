//! `adfd train` as a user meets it: the JSON report's shape, CSV, and one-line
//! errors naming the field with exit code 2.

#[path = "common/cli.rs"]
mod cli;
use cli::{adfd, rerun};

const SMALL: &[&str] = &[
    "train", "--width", "12", "--n", "15", "--steps", "20", "--every", "10", "--h", "0.2,0.1",
];

fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    SMALL.iter().chain(extra).copied().collect()
}

#[test]
fn train_bad_input_names_the_field_with_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--width", "0"], "width"),
        (&["--width", "6000"], "width"),
        (&["--layers", "0"], "layers"),
        (&["--layers", "9"], "layers"),
        (&["--lr", "-1"], "lr"),
        (&["--lr", "nan"], "lr"),
        (&["--lr-scale", "0"], "lr_scale"),
        (&["--steps", "0"], "steps"),
        (&["--every", "0"], "every"),
        (&["--decades", "0"], "decades"),
        (&["--optimizer", "sgdm"], "optimizer"),
        (&["--scale", "-1"], "scale"),
        (&["--lr", "1", "--lr-scale", "0.5"], "--lr"),
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

/// A Jacobian too large for memory is refused before anything is allocated.
#[test]
fn train_refuses_a_jacobian_too_large_for_memory() {
    let out = adfd(&["train", "--n", "20000", "--width", "5000"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("adfd: invalid net.width") && err.contains("Jacobian"),
        "{err}"
    );
}

#[test]
fn train_json_has_config_init_points_and_runs() {
    let out = adfd(&with(&["--json", "--problem", "biharmonic1d"]));
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
        let kernel = r["kernel"].as_array().unwrap();
        assert_eq!(kernel.len(), 3);
        // rows n + 2 boundary points × 2 operators; parameters 3m: J is 19 × 36
        assert_eq!(kernel[0]["singular_values"].as_array().unwrap().len(), 19);
        assert!(kernel[0]["entropy"].as_f64().unwrap() > 0.0);
        assert!(r["speed"]["initial_loss"].as_f64().unwrap() > 0.0);
        assert_eq!(r["stopped"]["reason"], "budget");
    }
    assert!(v["lr"].as_f64().unwrap() > 0.0);
}

#[test]
fn deeper_networks_report_all_layers_and_csv_has_one_row_per_run() {
    let out = adfd(&with(&[
        "--json",
        "--layers",
        "2",
        "--optimizer",
        "adam",
        "--lr",
        "1e-3",
    ]));
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

    let out = adfd(&with(&["--csv"]));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + 3);
    assert!(text.starts_with("mode,h,"));
}

/// A report's config re-runs (`--config report.json`) to the same loss curves and spectra.
#[test]
fn train_json_reruns_through_config_to_the_same_numbers() {
    let out = adfd(&with(&[
        "--json",
        "--seed",
        "7",
        "--optimizer",
        "adam",
        "--lr",
        "1e-2",
    ]));
    assert!(out.status.success());
    let first: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let second = rerun("train", &out.stdout);
    assert_eq!(first["config"], second["config"]);
    assert_eq!(first["init"], second["init"]);
    for (a, b) in first["runs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(second["runs"].as_array().unwrap())
    {
        assert_eq!(a["loss"], b["loss"]);
        assert_eq!(a["kernel"], b["kernel"]);
    }
}
