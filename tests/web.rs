//! In real browsers (`wasm-pack test --headless --chrome` / `--firefox`, see
//! scripts/test): the wasm pipeline gives the native numbers, charts put real pixels
//! on a canvas and return on any snapshot (NaN, ±∞, f64::MAX, empty runs) instead of
//! hanging the page, and invalid settings come back as errors naming their field.
#![cfg(target_arch = "wasm32")]

#[path = "common/parity.rs"]
mod parity;

use adfd::web::snapshot::{
    HistoryView, PlotGrid, Progress, RunTraining, RunView, Snapshot, SpectrumView, SweepPoint,
    SweepView,
};
use adfd::web::{Charts, Session};
use adfd::{ModelKind, ProblemKind, Threshold};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!("fixtures/parity.json");

#[wasm_bindgen_test]
fn wasm_matches_the_native_numbers() {
    let want: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    parity::compare(&parity::compute(), &want).unwrap();
}

fn canvas(w: u32, h: u32) -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    c
}

/// Pixels that are not the white background.
fn inked(c: &HtmlCanvasElement) -> usize {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let data = ctx
        .get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64)
        .unwrap()
        .data();
    data.chunks_exact(4)
        .filter(|p| p[3] > 0 && (p[0] < 250 || p[1] < 250 || p[2] < 250))
        .count()
}

fn finished(settings: &str) -> Session {
    let mut s = Session::new().unwrap();
    s.configure(settings).unwrap();
    while !s.work(50.0).unwrap() {}
    s
}

/// The session's snapshot, as the page's charts read it.
fn snapshot(s: &mut Session) -> Snapshot {
    serde_wasm_bindgen::from_value(s.snapshot().unwrap()).unwrap()
}

/// Draws every panel of `snap` (eigenvalues on and off, two FD choices) on fresh
/// canvases; each call must return, and return `Ok`.
fn draw_all(charts: &mut Charts, snap: &Snapshot, what: &str) {
    let ms = charts
        .update(serde_wasm_bindgen::to_value(snap).unwrap())
        .unwrap_or_else(|e| panic!("update for {what}: {e:?}"));
    assert!(ms.is_finite() && ms >= 0.0);
    for (name, drawn) in [
        ("spectrum", charts.spectrum(canvas(480, 320), false)),
        ("eigen", charts.spectrum(canvas(480, 320), true)),
        ("solution", charts.solution(canvas(480, 360), 1)),
        ("solution fd 9", charts.solution(canvas(480, 360), 9)),
        ("loss", charts.loss(canvas(480, 320))),
        ("sweep", charts.sweep(canvas(480, 320))),
        ("scatter", charts.scatter(canvas(480, 320))),
    ] {
        let ms = drawn.unwrap_or_else(|e| panic!("{name} for {what}: {e:?}"));
        assert!(ms.is_finite() && ms >= 0.0, "{name} for {what}: {ms} ms");
    }
}

#[wasm_bindgen_test]
fn every_chart_draws_pixels() {
    let mut charts = Charts::new(1.0);
    for settings in [
        r#"{"m": "60", "n": "60", "h": "1e-1, 1e-3"}"#,
        r#"{"problem": "poisson2d", "m": "80", "n": "100", "h": "1e-1"}"#,
        r#"{"model": "two-layer", "width": "10", "n": "30", "h": "1e-1", "steps": "4"}"#,
    ] {
        let mut s = finished(settings);
        s.sweep().unwrap();
        while !s.work(50.0).unwrap() {}
        let snap = snapshot(&mut s);
        assert!(snap.sweep.as_ref().is_some_and(|w| !w.h.is_empty()));
        draw_all(&mut charts, &snap, settings);
        for (name, c, draw) in [
            ("spectrum", canvas(480, 320), 0),
            ("solution", canvas(480, 360), 1),
            ("loss", canvas(480, 320), 2),
            ("sweep", canvas(480, 320), 3),
            ("scatter", canvas(480, 320), 4),
        ] {
            match draw {
                0 => charts.spectrum(c.clone(), false),
                1 => charts.solution(c.clone(), 1),
                2 => charts.loss(c.clone()),
                3 => charts.sweep(c.clone()),
                _ => charts.scatter(c.clone()),
            }
            .unwrap();
            assert!(
                inked(&c) > 2000,
                "{name} of {settings} drew only {} pixels",
                inked(&c)
            );
        }
    }
}

/// Values that once overflowed an axis range to ∞ (plotters' tick loop then never
/// ends) or are not numbers at all.
const HOSTILE: [f64; 11] = [
    f64::MAX,
    1e308,
    1e154,
    1.0,
    1e-308,
    5e-324,
    0.0,
    -1.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

fn hostile_run(label: &str, h: Option<f64>, values: &[f64], network: bool) -> RunView {
    let steps: Vec<f64> = (0..values.len()).map(|i| i as f64).collect();
    RunView {
        label: label.into(),
        h,
        spectrum: Some(SpectrumView {
            singular_values: values.to_vec(),
            level: 1e308,
            cutoff: usize::MAX,
            entropy: f64::NAN,
            effective_modes: f64::INFINITY,
            step: 0,
            // The round-off band at every hostile level: huge, tiny, NaN.
            noise_floor: values.get(label.len() % values.len().max(1)).copied(),
        }),
        residual_system: f64::MAX,
        residual_true: Some(f64::INFINITY),
        error_l2: f64::NAN,
        error_max: f64::INFINITY,
        time_ms: f64::NAN,
        u: values.iter().cycle().take(48 * 48).copied().collect(),
        training: network.then(|| RunTraining {
            step: 3,
            entropy0: f64::NAN,
            loss_step: steps
                .iter()
                .copied()
                .chain([f64::INFINITY, 1e300])
                .collect(),
            loss: values.iter().copied().chain([f64::MAX, f64::NAN]).collect(),
            true_step: steps.clone(),
            true_residual: values.to_vec(),
            // The error curve at every hostile level too, one point short of its steps.
            error_l2: values.iter().rev().skip(1).copied().collect(),
            mu: Some(f64::NAN),
            steps_to_target: None,
            loss_reduction: f64::NAN,
            stopped: Some("diverged".into()),
        }),
    }
}

fn hostile(model: ModelKind, dim: usize, threshold: Threshold, values: &[f64]) -> Snapshot {
    let network = model == ModelKind::Network;
    let n = if dim == 2 { 48 } else { values.len() };
    Snapshot {
        model,
        problem: if dim == 2 {
            ProblemKind::Poisson2d
        } else {
            ProblemKind::Poisson1d
        },
        dim,
        threshold,
        ms_per_unit: Some(f64::NAN),
        progress: Progress { done: 1, total: 0 },
        runs: vec![
            hostile_run("AD", None, values, network),
            hostile_run("FD h=1e308", Some(1e308), values, network),
            hostile_run("FD h=NaN", Some(f64::NAN), &[], network),
        ],
        grid: PlotGrid {
            dim,
            n,
            x: if dim == 2 {
                Vec::new()
            } else {
                values.to_vec()
            },
            exact: values.iter().cycle().take(n * n).copied().collect(),
        },
        sweep: Some(SweepView {
            progress: Progress { done: 3, total: 2 },
            h: values.to_vec(),
            entropy: values.to_vec(),
            effective_modes: values.iter().rev().copied().collect(),
            residual_true: values.to_vec(),
            ad: Some(SweepPoint {
                entropy: f64::NAN,
                effective_modes: f64::MAX,
                residual_true: f64::INFINITY,
            }),
            ..SweepView::default()
        }),
        history: HistoryView {
            entropy: values.to_vec(),
            y: values.iter().rev().copied().collect(),
            ad: values.iter().map(|v| *v > 1.0).collect(),
            ..HistoryView::default()
        },
        ..Snapshot::default()
    }
}

#[wasm_bindgen_test]
fn no_snapshot_can_hang_or_break_a_chart() {
    let mut charts = Charts::new(1.0);
    let big = [f64::MAX, f64::MAX / 2.0, 1e308];
    let eigen = [1e154, 1e153, 1e-154];
    let flat = [1.0, 1.0, 1.0];
    let single = [1e-308];
    for model in [ModelKind::Rfm, ModelKind::Network] {
        for dim in [1, 2] {
            let empty = Snapshot {
                model,
                dim,
                grid: PlotGrid {
                    dim,
                    ..PlotGrid::default()
                },
                ..Snapshot::default()
            };
            draw_all(&mut charts, &empty, &format!("empty {model:?} {dim}-D"));
            for threshold in [
                Threshold::Absolute(1e308),
                Threshold::Relative(1e308),
                Threshold::Relative(f64::NAN),
                Threshold::Absolute(f64::INFINITY),
                Threshold::Relative(1e-300),
            ] {
                for values in [&HOSTILE[..], &big, &eigen, &flat, &single, &[]] {
                    let snap = hostile(model, dim, threshold, values);
                    draw_all(
                        &mut charts,
                        &snap,
                        &format!("{model:?} {dim}-D {threshold:?} {values:?}"),
                    );
                }
            }
        }
    }
    // A 2-D grid whose n² overflows, or whose values are too few, draws no heatmap.
    let mut snap = hostile(ModelKind::Rfm, 2, Threshold::default(), &HOSTILE);
    snap.grid.n = usize::MAX;
    draw_all(&mut charts, &snap, "n = usize::MAX");
    snap.grid.n = 1 << 20;
    draw_all(&mut charts, &snap, "n = 2^20");
    // Absurd device pixel ratios are clamped.
    for dpr in [f64::NAN, f64::INFINITY, 0.0, -1.0, 1e300] {
        draw_all(&mut Charts::new(dpr), &snap, &format!("dpr {dpr}"));
    }
    // And the charts still draw a real snapshot afterwards.
    let mut s = finished(r#"{"m": "40", "n": "40", "h": "1e-1"}"#);
    charts
        .update(serde_wasm_bindgen::to_value(&snapshot(&mut s)).unwrap())
        .unwrap();
    let c = canvas(480, 320);
    charts.spectrum(c.clone(), true).unwrap();
    assert!(inked(&c) > 2000, "spectrum drew only {} pixels", inked(&c));
}

#[wasm_bindgen_test]
fn what_is_not_a_snapshot_is_a_clean_error_and_keeps_the_last_one() {
    let mut charts = Charts::new(1.0);
    let mut s = finished(r#"{"m": "40", "n": "40", "h": "1e-1"}"#);
    charts.update(s.snapshot().unwrap()).unwrap();
    for bad in [
        JsValue::from_f64(3.0),
        JsValue::from_str("snapshot"),
        js_sys::JSON::parse(r#"{"runs": 5}"#).unwrap(),
        js_sys::JSON::parse(r#"{"runs": [{"u": "x"}]}"#).unwrap(),
        js_sys::JSON::parse(r#"{"threshold": {"kind": "sideways", "a": 1}}"#).unwrap(),
    ] {
        let e = charts.update(bad).expect_err("not a snapshot");
        assert!(js_sys::Error::from(e)
            .message()
            .as_string()
            .unwrap()
            .contains("not a snapshot"));
    }
    let c = canvas(480, 320);
    charts.spectrum(c.clone(), false).unwrap();
    assert!(inked(&c) > 2000, "the last good snapshot is still drawn");
}

fn field(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"field".into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn invalid_settings_are_errors_not_panics() {
    let mut s = Session::new().unwrap();
    s.configure(r#"{"m": "60", "n": "60"}"#).unwrap();
    for (settings, want) in [
        (r#"{"m": "0"}"#, "m"),
        (r#"{"h": "1e-1, nope"}"#, "h"),
        (r#"{"threshold": "7"}"#, "threshold"),
        (r#"{"problem": "heat"}"#, "problem"),
        (r#"{"model": "mlp", "layers": "40"}"#, "layers"),
        (r#"{"model": "mlp", "width": "100000"}"#, "width"),
        (r#"{"n": "999999999"}"#, "n"),
        (r#"{"seed": "-1"}"#, "seed"),
        ("not json", ""),
    ] {
        let e = s.configure(settings).expect_err(settings);
        assert_eq!(field(&e), want, "{settings}");
    }
    // Nothing changed: the last valid settings still run.
    while !s.work(50.0).unwrap() {}
    assert_eq!(snapshot(&mut s).runs.len(), 4);
}

#[wasm_bindgen_test]
fn the_controls_round_trip_and_equal_settings_keep_the_run() {
    let mut s = Session::new().unwrap();
    s.configure(r#"{"m": "30", "n": "30", "h": "1e-2", "seed": "7"}"#)
        .unwrap();
    // A plain object (not a Map), as the page's controls read it.
    let values = s.form_values();
    assert!(!values.is_instance_of::<js_sys::Map>());
    let text = |key: &str| {
        js_sys::Reflect::get(&values, &key.into())
            .unwrap()
            .as_string()
    };
    assert_eq!(
        (text("m"), text("n")),
        (Some("30".into()), Some("30".into()))
    );
    assert_eq!(
        (text("h"), text("seed")),
        (Some("1e-2".into()), Some("7".into()))
    );
    let form: std::collections::BTreeMap<String, String> =
        serde_wasm_bindgen::from_value(values).unwrap();
    let generation = snapshot(&mut s).generation;
    // The page's own controls, sent back, are the same settings: no restart.
    s.configure(&serde_json::to_string(&form).unwrap()).unwrap();
    assert_eq!(snapshot(&mut s).generation, generation);
    let e = s.configure(r#"{"m": "0"}"#).unwrap_err();
    assert_eq!(field(&e), "m");
    assert_eq!(snapshot(&mut s).generation, generation);
    while !s.work(50.0).unwrap() {}
    assert_eq!(snapshot(&mut s).runs.len(), 2);
}
