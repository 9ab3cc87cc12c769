//! Training steps per second of the two-layer network (tanh, m = n = 100 and 1000,
//! poisson1d and biharmonic1d, AD and FD h = 0.1) and of the MLP with L = 2 hidden
//! layers of width m (m = n = 100), natively, beside a JAX (jit, float64, CPU)
//! implementation of the same step (`benches/train_jax.py`) when JAX is installed;
//! and in 2-D (20 × 20 interior points, 80 on the boundary): poisson2d and
//! biharmonic2d with the two-layer network of width 200, poisson2d with 2 hidden layers
//! of width 100, beside `benches/train2d_jax.py` started from adfd's own init and
//! points (adfd's training reports, `artifacts/bench-reports/`).
//!
//! One step = loss and exact gradient (reverse mode over jets) + a GD update, the
//! same work as a `TrainComparison` step minus its bookkeeping. Each figure is the median
//! of several repeats (the machine is shared). GFLOP/s uses XLA's own flop count of
//! the JAX step as the work of one step (same mathematics), so both columns are
//! measured against one yardstick.
//!
//! Run: `cargo bench --bench train` (or `scripts/bench-train`). Environment:
//! `ADFD_BENCH_SIZES=100,1000`, `ADFD_BENCH_DEEP_SIZES=100` (the sizes of the L = 2
//! rows; empty for none), `ADFD_BENCH_2D=1` (0: no 2-D rows), `ADFD_BENCH_ONLY=poisson2d-w200`
//! (the 2-D cases whose name contains it), `ADFD_BENCH_REPEATS=5`,
//! `ADFD_BENCH_NO_JAX=1`.

#[path = "support/mod.rs"]
mod support;

use adfd::experiment::on_pool;
use adfd::net::loss::loss_and_gradient;
use adfd::net::residual::Residuals;
use adfd::net::{Architecture, Network};
use adfd::operator::DiffMode;
use adfd::problem::{Points, Problem, ProblemKind, Sampling};
use adfd::{Activation, Precision};
use std::collections::HashMap;
use std::time::Instant;
use support::Case;

/// mimalloc keeps freed pages for the next matrix of the same size (Cargo.toml says
/// why); the benches use the CLI's allocator so they time what the CLI runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Median seconds per training step of the 1-D row `(kind, m = n, layers)`, timed on
/// rayon's pool as the executor runs training (`adfd::experiment::on_pool`).
/// With `collapse = false` AD's groups go through the per-direction path (the code
/// before collapsed Taylor mode), for the same-run comparison.
fn bench(
    kind: ProblemKind,
    m: usize,
    layers: usize,
    mode: DiffMode,
    repeats: usize,
    collapse: bool,
) -> f64 {
    let problem = Problem { kind, k: 1 };
    let points = Points::new(&problem, m, 0, Sampling::Grid, 0);
    let mut res = Residuals::new(&problem, &points, mode, 1.0);
    if !collapse {
        per_direction(&mut res);
    }
    let net = Network::init(
        Architecture {
            dim: 1,
            widths: vec![m; layers],
            activation: Activation::Tanh,
        },
        5.0,
        0,
    );
    on_pool(|| bench_on_pool(net, &res, repeats))
}

/// The same for a [`Case`] (2-D): its config's points, boundary points and init; with
/// `collapse = false` AD's probes are evaluated one jet per direction (the path before
/// collapsed Taylor mode), for the same-run comparison.
fn bench_case(case: &Case, mode: DiffMode, repeats: usize, collapse: bool) -> f64 {
    let c = case.config();
    let mut res = Residuals::new(&c.problem(), &c.points(), mode, c.lambda);
    if !collapse {
        per_direction(&mut res);
    }
    let net = Network::init(c.architecture(), c.net.scale, c.seed);
    on_pool(|| bench_on_pool(net, &res, repeats))
}

/// Sends every AD group through the per-direction path (no collapsed Taylor mode).
fn per_direction(res: &mut Residuals) {
    for g in res.rows.iter_mut().flat_map(|r| r.groups.iter_mut()) {
        g.radial = None;
    }
}

fn bench_on_pool(mut net: Network, res: &Residuals, repeats: usize) -> f64 {
    let mut grad = vec![0.0; net.theta.len()];
    let lr = 1e-9;
    let mut step = |net: &mut Network| {
        loss_and_gradient(net, res, Precision::F64, Some(&mut grad));
        for (t, g) in net.theta.iter_mut().zip(&grad) {
            *t -= lr * g;
        }
    };
    step(&mut net);
    let mut k = 1usize;
    loop {
        let t0 = Instant::now();
        for _ in 0..k {
            step(&mut net);
        }
        if t0.elapsed().as_secs_f64() > 0.25 || k > 1 << 20 {
            break;
        }
        k *= 2;
    }
    let times = (0..repeats)
        .map(|_| {
            let t0 = Instant::now();
            for _ in 0..k {
                step(&mut net);
            }
            t0.elapsed().as_secs_f64() / k as f64
        })
        .collect();
    median(times)
}

/// JAX's `(steps/s, XLA flops)` by `(problem, m, layers, mode)`.
type Baseline = HashMap<(String, usize, usize, String), (f64, f64)>;

fn jax_baseline(sizes: &str, deep_sizes: &str, repeats: usize) -> Baseline {
    let mut out = HashMap::new();
    if std::env::var_os("ADFD_BENCH_NO_JAX").is_some() {
        return out;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/train_jax.py");
    let result = std::process::Command::new("python3")
        .arg(script)
        .args(["--sizes", sizes, "--deep-sizes", deep_sizes])
        .args(["--repeats", &repeats.to_string()])
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output();
    let Ok(result) = result else {
        println!("(python3 not found: no JAX baseline)");
        return out;
    };
    if !result.status.success() {
        let err = String::from_utf8_lossy(&result.stderr);
        println!(
            "(JAX baseline unavailable: {})",
            err.lines().last().unwrap_or("")
        );
        return out;
    }
    for line in String::from_utf8_lossy(&result.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let key = (
            v["problem"].as_str().unwrap_or("").to_string(),
            v["m"].as_u64().unwrap_or(0) as usize,
            v["layers"].as_u64().unwrap_or(1) as usize,
            v["mode"].as_str().unwrap_or("").to_string(),
        );
        out.insert(
            key,
            (
                v["steps_per_second"].as_f64().unwrap_or(f64::NAN),
                v["flops"].as_f64().unwrap_or(f64::NAN),
            ),
        );
    }
    out
}

fn main() {
    if !support::benching() {
        // Under `cargo test`: one GD step of a small 2-D row, collapsed and per direction.
        let case = Case::new(ProblemKind::Poisson2d, &[10], 16);
        let mode = DiffMode::Ad;
        let (a, b) = (
            bench_case(&case, mode, 1, true),
            bench_case(&case, mode, 1, false),
        );
        assert!(a > 0.0 && b > 0.0);
        println!("benches/train.rs smoke test: ok (run it with cargo bench --bench train)");
        return;
    }
    let sizes = std::env::var("ADFD_BENCH_SIZES").unwrap_or_else(|_| "100,1000".into());
    let deep_sizes = std::env::var("ADFD_BENCH_DEEP_SIZES").unwrap_or_else(|_| "100".into());
    let repeats: usize = std::env::var("ADFD_BENCH_REPEATS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let threads = rayon::current_num_threads();
    println!("adfd training-step benchmark: tanh networks, GD, f64, {threads} rayon threads, median of {repeats}");
    let load_before = support::load();
    let jax = jax_baseline(&sizes, &deep_sizes, repeats);
    println!(
        "{:<13} {:>5} {:>2} {:>4} {:>12} {:>12} {:>8} {:>11} {:>11} {:>8}",
        "problem",
        "m=n",
        "L",
        "mode",
        "adfd step/s",
        "JAX step/s",
        "ratio",
        "XLA flops",
        "adfd GF/s",
        "JAX GF/s"
    );
    let mut rows = Vec::new();
    let parse = |list: &str| -> Vec<usize> {
        list.split(',')
            .filter_map(|s| s.trim().parse::<usize>().ok())
            .collect()
    };
    let cases = parse(&sizes).into_iter().map(|m| (m, 1));
    for (m, layers) in cases.chain(parse(&deep_sizes).into_iter().map(|m| (m, 2))) {
        for (kind, name) in [
            (ProblemKind::Poisson1d, "poisson1d"),
            (ProblemKind::Biharmonic1d, "biharmonic1d"),
        ] {
            for (mode, mname) in [
                (DiffMode::Ad, "ad"),
                (DiffMode::Fd { h: 0.1, order: 2 }, "fd"),
            ] {
                // Collapsed and per-direction (AD only) alternately, same load.
                let (mut mine, mut per_dir) = (Vec::new(), Vec::new());
                for _ in 0..3 {
                    mine.push(1.0 / bench(kind, m, layers, mode, repeats, true));
                    if mode == DiffMode::Ad {
                        per_dir.push(1.0 / bench(kind, m, layers, mode, repeats, false));
                    }
                }
                let ours = median(mine);
                let per_dir = (!per_dir.is_empty()).then(|| median(per_dir));
                let (theirs, flops) = jax
                    .get(&(name.to_string(), m, layers, mname.to_string()))
                    .copied()
                    .unwrap_or((f64::NAN, f64::NAN));
                println!(
                    "{:<13} {:>5} {:>2} {:>4} {:>12.1} {:>12.1} {:>8.2} {:>11.3e} {:>11.2} {:>8.2}",
                    name,
                    m,
                    layers,
                    mname,
                    ours,
                    theirs,
                    ours / theirs,
                    flops,
                    flops * ours / 1e9,
                    flops * theirs / 1e9
                );
                rows.push(serde_json::json!({
                    "problem": name, "m": m, "n": m, "dim": 1, "layers": layers, "mode": mname,
                    "adfd_steps_per_second": ours,
                    "adfd_per_direction_steps_per_second": per_dir,
                    "jax_steps_per_second": (theirs.is_finite()).then_some(theirs),
                }));
            }
        }
    }
    println!("L = hidden layers; ratio = adfd steps/s ÷ JAX steps/s (target for L = 1: ≥ 1 at m = n = 100, ≥ 2 at 1000; none set for L = 2); GF/s = XLA's flop count of the step × steps/s.");
    if std::env::var("ADFD_BENCH_2D").map_or(true, |v| v != "0") {
        rows.extend(rows_2d(repeats));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let report = serde_json::json!({"threads": threads, "repeats": repeats, "rows": rows,
                                    "load": {"before": load_before, "after": support::load()}});
    std::fs::write(
        dir.join("bench-train.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
}

/// The 2-D rows (module docs): JAX's `train2d_jax.py` from adfd's reports, then adfd.
fn rows_2d(repeats: usize) -> Vec<serde_json::Value> {
    use ProblemKind::{Biharmonic2d, Poisson2d};
    // ADFD_BENCH_ONLY=poisson2d-w200: the cases whose name contains it (for profiling).
    let only = std::env::var("ADFD_BENCH_ONLY").unwrap_or_default();
    let cases: Vec<Case> = [
        Case::new(Poisson2d, &[200], 400),
        Case::new(Biharmonic2d, &[200], 400),
        Case::new(Poisson2d, &[100, 100], 400),
    ]
    .into_iter()
    .filter(|c| c.name().contains(&only))
    .collect();
    let mut args = vec!["--reports".to_string()];
    args.extend(
        cases
            .iter()
            .map(|c| c.write_report().to_string_lossy().to_string()),
    );
    args.extend(["--repeats".into(), repeats.to_string()]);
    // adfd's rows are timed before and after JAX's and the mean quoted (the load of a
    // shared machine drifts over the minutes between them).
    let time = |case: &Case, mode, collapse| 1.0 / bench_case(case, mode, repeats, collapse);
    let before: Vec<f64> = cases
        .iter()
        .flat_map(|c| [DiffMode::Ad, DiffMode::Fd { h: 0.1, order: 2 }].map(|m| time(c, m, true)))
        .collect();
    let mut before = before.into_iter();
    let jax = support::run_jax("train2d_jax.py", &args).unwrap_or_else(|e| {
        println!("(no 2-D JAX baseline: {e})");
        Vec::new()
    });
    println!(
        "{:<13} {:>4} {:>4} {:>2} {:>4} {:>12} {:>12} {:>8} {:>14}",
        "problem", "m", "n", "L", "mode", "adfd step/s", "JAX step/s", "ratio", "per-dir step/s"
    );
    let mut rows = Vec::new();
    for case in &cases {
        for (mode, mname) in [
            (DiffMode::Ad, "ad"),
            (DiffMode::Fd { h: 0.1, order: 2 }, "fd"),
        ] {
            // Collapsed and per-direction alternately, so both see the same load.
            let (mut ours, mut per_dir) = (Vec::new(), Vec::new());
            for _ in 0..3 {
                ours.push(time(case, mode, true));
                if mode == DiffMode::Ad {
                    per_dir.push(time(case, mode, false));
                }
            }
            let after = support::median(ours);
            let first = before.next().expect("timed before JAX too");
            let ours = (first + after) / 2.0;
            let per_dir = (!per_dir.is_empty()).then(|| support::median(per_dir));
            let (name, m, layers) = (case.problem_name(), case.widths[0], case.widths.len());
            let theirs = jax
                .iter()
                .find(|v| {
                    v["problem"] == name.as_str()
                        && v["m"] == m
                        && v["n"] == case.n
                        && v["layers"] == layers
                        && v["mode"] == mname
                })
                .and_then(|v| v["steps_per_second"].as_f64());
            println!(
                "{:<13} {:>4} {:>4} {:>2} {:>4} {:>12.1} {:>12.1} {:>8.2} {:>14.1}",
                name,
                m,
                case.n,
                layers,
                mname,
                ours,
                theirs.unwrap_or(f64::NAN),
                ours / theirs.unwrap_or(f64::NAN),
                per_dir.unwrap_or(f64::NAN)
            );
            rows.push(serde_json::json!({
                "problem": name, "m": m, "n": case.n, "dim": 2, "layers": layers, "mode": mname,
                "adfd_steps_per_second": ours, "jax_steps_per_second": theirs,
                "adfd_steps_per_second_before_jax": first, "adfd_steps_per_second_after_jax": after,
                "adfd_per_direction_steps_per_second": per_dir,
            }));
        }
    }
    rows
}
