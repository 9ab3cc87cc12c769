//! The numbers compared between native and wasm builds (tests/wasm_parity.rs natively,
//! tests/web.rs in browsers), against one committed fixture: native == fixture and
//! wasm == fixture together say native == wasm for this seed.

use adfd::{Config, Experiment, ModelKind, Optimizer, ProblemKind, TrainComparison};
use serde_json::{json, Value};

/// A small RFM comparison and a small two-layer training run, seed 7.
pub fn configs() -> (Config, Config) {
    let mut rfm = Config {
        problem: ProblemKind::Poisson1d,
        n: 60,
        h: vec![1e-1, 1e-3],
        seed: 7,
        ..Config::default()
    };
    rfm.rfm.m = 60;
    let mut net = Config {
        problem: ProblemKind::Biharmonic1d,
        n: 40,
        h: vec![1e-2],
        seed: 7,
        model: ModelKind::Network,
        ..Config::default()
    };
    net.net.width = 20;
    // Gradient descent, pinned: the fixture predates Levenberg–Marquardt as the
    // networks' default (whose native-vs-wasm agreement the page's teaching test checks).
    net.train.optimizer = Optimizer::Gd;
    net.train.steps = 5;
    net.train.every = 5;
    (rfm, net)
}

/// RFM spectra, K, H and true residuals; the first five training losses of AD and FD
/// and the kernel spectrum of J after them.
pub fn compute() -> Value {
    let (rc, nc) = configs();
    let report = adfd::run_rfm(&rc.check().expect("valid RFM config")).expect("fits");
    let rfm: Vec<Value> = report
        .runs
        .iter()
        .map(|r| {
            json!({"sv": r.singular_values, "cutoff": r.cutoff, "entropy": r.entropy,
                   "residual_true": r.residual_true})
        })
        .collect();
    let mut cmp = TrainComparison::new(&nc.check().expect("valid network config")).expect("set up");
    for _ in 0..5 {
        cmp.step().expect("a step trains");
    }
    let net: Vec<Value> = cmp
        .runs()
        .iter()
        .map(|r| {
            let k = r.latest_kernel().expect("a kernel at step 5");
            json!({"loss": r.loss_curve().iter().map(|p| p.loss).collect::<Vec<_>>(),
                   "sv": k.singular_values, "cutoff": k.cutoff, "entropy": k.entropy})
        })
        .collect();
    json!({"rfm": rfm, "net": net})
}

fn close(a: f64, b: f64, rel: f64, scale: f64) -> bool {
    (a - b).abs() <= rel * b.abs() + 1e-11 * scale
}

/// Compares two results of [`compute`]: integers exactly, floats to 1e-9 relative
/// (plus 1e-11 of the largest singular value: the trailing ones are round-off-sized
/// and summation order differs between SIMD widths and thread counts). The RFM's
/// true residual gets 1e-2: its coefficients come from a pseudo-inverse cut at
/// rcond = 1e-13, which amplifies last-bit differences of the SVD by up to 1e13.
pub fn compare(got: &Value, want: &Value) -> Result<(), String> {
    for part in ["rfm", "net"] {
        let (g, w) = (
            got[part].as_array().unwrap(),
            want[part].as_array().unwrap(),
        );
        if g.len() != w.len() {
            return Err(format!("{part}: {} runs, expected {}", g.len(), w.len()));
        }
        for (i, (g, w)) in g.iter().zip(w).enumerate() {
            if g["cutoff"] != w["cutoff"] {
                return Err(format!(
                    "{part}[{i}].cutoff: {} vs {}",
                    g["cutoff"], w["cutoff"]
                ));
            }
            for key in ["sv", "loss", "entropy", "residual_true"] {
                let list = |v: &Value| -> Vec<f64> {
                    match v {
                        Value::Array(a) => a.iter().map(|x| x.as_f64().unwrap()).collect(),
                        Value::Null => Vec::new(),
                        v => vec![v.as_f64().unwrap()],
                    }
                };
                let (gv, wv) = (list(&g[key]), list(&w[key]));
                if gv.len() != wv.len() {
                    return Err(format!(
                        "{part}[{i}].{key}: length {} vs {}",
                        gv.len(),
                        wv.len()
                    ));
                }
                let scale = wv.first().copied().unwrap_or(0.0).abs();
                let rel = if key == "residual_true" { 1e-2 } else { 1e-9 };
                for (j, (a, b)) in gv.iter().zip(&wv).enumerate() {
                    if !close(*a, *b, rel, scale) {
                        return Err(format!("{part}[{i}].{key}[{j}]: {a:e} vs {b:e}"));
                    }
                }
            }
        }
    }
    Ok(())
}
