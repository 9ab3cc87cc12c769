//! In real browsers (`wasm-pack test --headless --chrome` / `--firefox`, see
//! scripts/test): the wasm pipeline gives the native numbers, charts put real pixels
//! on a canvas, and invalid settings come back as errors naming their field.
#![cfg(target_arch = "wasm32")]

#[path = "common/parity.rs"]
mod parity;

use adfd::web::{Charts, Session};
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
    let mut s = Session::new();
    s.configure(settings).unwrap();
    while !s.step().unwrap() {}
    s
}

#[wasm_bindgen_test]
fn every_chart_draws_pixels() {
    let charts = Charts::new(1.0);
    for settings in [
        r#"{"m": "60", "n": "60", "h": "1e-1, 1e-3"}"#,
        r#"{"problem": "poisson2d", "m": "80", "n": "100", "h": "1e-1"}"#,
        r#"{"model": "two-layer", "width": "10", "n": "30", "h": "1e-1", "steps": "4"}"#,
    ] {
        let mut s = finished(settings);
        s.sweep().unwrap();
        let snap = s.snapshot();
        for (name, draw) in [
            ("spectrum", charts.spectrum(canvas(480, 320), &snap, false)),
            ("eigen", charts.spectrum(canvas(480, 320), &snap, true)),
            ("solution", charts.solution(canvas(480, 360), &snap, 1)),
            ("loss", charts.loss(canvas(480, 320), &snap)),
            ("sweep", charts.sweep(canvas(480, 320), &snap)),
            ("scatter", charts.scatter(canvas(480, 320), &snap)),
        ] {
            draw.unwrap_or_else(|e| panic!("{name} for {settings}: {e:?}"));
        }
        let c = canvas(480, 320);
        charts.spectrum(c.clone(), &snap, false).unwrap();
        assert!(
            inked(&c) > 2000,
            "spectrum of {settings} drew only {} pixels",
            inked(&c)
        );
        let c = canvas(480, 360);
        charts.solution(c.clone(), &snap, 1).unwrap();
        assert!(
            inked(&c) > 2000,
            "solution of {settings} drew only {} pixels",
            inked(&c)
        );
    }
}

fn field(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"field".into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn invalid_settings_are_errors_not_panics() {
    let mut s = Session::new();
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
    while !s.step().unwrap() {}
    let snap = s.snapshot();
    let modes = js_sys::Reflect::get(&snap, &"modes".into()).unwrap();
    assert_eq!(js_sys::Array::from(&modes).length(), 4);
}

#[wasm_bindgen_test]
fn a_whole_config_round_trips_and_is_validated() {
    let mut s = Session::new();
    let mut c = adfd::Config::default();
    c.rfm.m = 30;
    c.n = 30;
    c.h = vec![1e-2];
    s.configure_config(&serde_json::to_string(&c).unwrap())
        .unwrap();
    let back: adfd::Config = serde_json::from_str(&s.config_json()).unwrap();
    assert_eq!(back, c);
    c.rfm.m = 0;
    let e = s
        .configure_config(&serde_json::to_string(&c).unwrap())
        .unwrap_err();
    assert_eq!(field(&e), "m");
    assert!(s.configure_config(r#"{"problem": "heat"}"#).is_err());
    while !s.step().unwrap() {}
}
