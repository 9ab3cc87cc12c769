//! Levenberg–Marquardt steps per second and time to accuracy, natively, beside the same
//! LM loop in JAX (`benches/lm_jax.py`: jit, float64, CPU) started from adfd's own init
//! and points (adfd's training reports, written to `artifacts/bench-reports/`).
//!
//! * **Steps per second** (timed before and after JAX's, the mean quoted, as the
//!   load of a shared machine drifts): one step is [`adfd::net::lm::step`], what a
//!   training run takes: `J` and `r̃`, the Gram matrix, then damped trials (a Cholesky solve and a
//!   loss each) until one lowers the loss; refused trials belong to their step, as in
//!   JAX. Timed as JAX is (`support::median_seconds`): `k` steps chained from the
//!   init, repeated from the init, the median per step. Cases: biharmonic1d (width
//!   100, n = 100), poisson2d (100, 14 × 14), poisson2d and biharmonic2d (200, 20 × 20)
//!   and poisson2d with 2 hidden layers of 100 (20 × 20), AD and FD h = 0.1.
//! * **Time to accuracy** (AD): steps from the init, the relative L2 error `‖u − u*‖ /
//!   ‖u*‖` on the test points after every step (inside the timed time), until it is ≤
//!   the target: biharmonic1d (100, n = 100) to 1e-6, poisson2d (100, 14 × 14) to 1e-4.
//! * **Where a step's time goes** (`profile`): at the init, the median milliseconds of
//!   `J` and `r̃`, the Gram matrix, one damped solve, one trial loss and one error
//!   evaluation on the test points.
//!
//! Writes `artifacts/bench-lm.json` (benches/report.py's tables). Environment:
//! `ADFD_BENCH_REPEATS=5`, `ADFD_BENCH_MIN_TIME=1.0` (seconds), `ADFD_BENCH_ACCURACY_REPEATS=3`,
//! `ADFD_BENCH_LM_PARTS=speed,accuracy,profile`, `ADFD_BENCH_LM_ONLY=poisson2d-w200` (the
//! cases whose name contains it), `ADFD_BENCH_TRACE=1` (every step of the first
//! time-to-accuracy run, as `lm_jax.py --trace`), `ADFD_BENCH_NO_JAX=1`.

#[path = "support/mod.rs"]
mod support;

use adfd::experiment::on_pool;
use adfd::net::forward::values;
use adfd::net::lm as net_lm;
use adfd::net::loss::{linearization_rows, loss_and_gradient};
use adfd::net::residual::Residuals;
use adfd::net::Network;
use adfd::optimizer::lm::{Damping, GaussNewton, Outcome};
use adfd::problem::{PointSet, Points, SolutionError};
use adfd::{DiffMode, Precision, ProblemKind};
use serde_json::{json, Value};
use std::time::Instant;
use support::{median, median_seconds, Case};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A run between steps: parameters, damping, loss, and trials and taken steps so far.
#[derive(Clone)]
struct State {
    net: Network,
    damping: Damping,
    loss: f64,
    trials: usize,
    taken: usize,
    work: net_lm::Workspace,
}

impl State {
    fn init(case: &Case, res: &Residuals) -> Self {
        let c = case.config();
        let net = Network::init(c.architecture(), c.net.scale, c.seed);
        let loss = loss_and_gradient(&net, res, Precision::F64, None);
        State {
            net,
            damping: Damping::new(c.train.mu0, c.train.mu_max),
            loss,
            trials: 0,
            taken: 0,
            work: net_lm::Workspace::default(),
        }
    }

    /// One LM step; false when no damping up to the bound lowered the loss.
    fn step(&mut self, res: &Residuals) -> bool {
        let out = net_lm::step(
            &mut self.net,
            res,
            Precision::F64,
            self.loss,
            &mut self.damping,
            &mut self.work,
        );
        match out.expect("J and r̃ stay finite") {
            Outcome::Taken { loss, trials, .. } => {
                self.loss = loss;
                self.trials += trials;
                self.taken += 1;
                true
            }
            Outcome::NoDecrease { trials, .. } => {
                self.trials += trials;
                false
            }
        }
    }
}

fn residuals(case: &Case, mode: DiffMode) -> Residuals {
    let c = case.config();
    Residuals::new(&c.problem(), &c.points(), mode, c.lambda)
}

fn mode_name(mode: DiffMode) -> &'static str {
    match mode {
        DiffMode::Ad => "ad",
        DiffMode::Fd { .. } => "fd",
    }
}

const FD: DiffMode = DiffMode::Fd { h: 0.1, order: 2 };

/// The cases whose name (`poisson2d-w200-n400`) contains `ADFD_BENCH_LM_ONLY` (all
/// when unset).
fn only(cases: Vec<Case>) -> Vec<Case> {
    let only = std::env::var("ADFD_BENCH_LM_ONLY").unwrap_or_default();
    cases
        .into_iter()
        .filter(|c| c.name().contains(&only))
        .collect()
}

fn speed_cases() -> Vec<Case> {
    use ProblemKind::*;
    only(vec![
        Case::new(Biharmonic1d, &[100], 100),
        Case::new(Poisson2d, &[100], 196),
        Case::new(Poisson2d, &[200], 400),
        Case::new(Biharmonic2d, &[200], 400),
        Case::new(Poisson2d, &[100, 100], 400),
    ])
}

fn accuracy_cases() -> Vec<(Case, f64)> {
    use ProblemKind::*;
    vec![
        (Case::new(Biharmonic1d, &[100], 100), 1e-6),
        (Case::new(Poisson2d, &[100], 196), 1e-4),
    ]
}

fn speed(case: &Case, mode: DiffMode, repeats: usize, min_time: f64) -> Value {
    let res = residuals(case, mode);
    let init = State::init(case, &res);
    let (s, k, last) = median_seconds(
        &init,
        |st| {
            st.step(&res);
        },
        repeats,
        min_time,
    );
    json!({
        "steps_per_second": 1.0 / s, "median_s": s,
        "trials_per_step": last.trials as f64 / k as f64,
        "accepted": format!("{}/{k}", last.taken),
    })
}

/// Steps from the init until the error on the test points is ≤ `target`, timed
/// whole (the error after every step included): the median of `repeats` runs.
fn time_to_accuracy(case: &Case, target: f64, repeats: usize, max_steps: usize) -> Value {
    let res = residuals(case, DiffMode::Ad);
    let c = case.config();
    let test: PointSet = Points::test(&c.problem());
    let exact: Vec<f64> = test.iter().map(|x| c.problem().exact(x)).collect();
    let init = State::init(case, &res);
    let mut runs = Vec::new();
    // ADFD_BENCH_TRACE=1: every step's loss, μ, trials so far and error (as lm_jax.py
    // --trace prints them), on the first run.
    let mut trace = std::env::var_os("ADFD_BENCH_TRACE").is_some();
    for _ in 0..repeats {
        let mut s = init.clone();
        let (mut error, mut stopped, mut steps) = (f64::NAN, "max steps", 0);
        let t0 = Instant::now();
        for i in 1..=max_steps {
            let taken = s.step(&res);
            steps = i;
            error = SolutionError::of(&values(&s.net, &test), &exact).l2;
            if trace {
                println!(
                    "trace {} {i} {:e} {:e} {} {error:e}",
                    case.name(),
                    s.loss,
                    s.damping.mu,
                    s.trials
                );
            }
            if error <= target {
                stopped = "target";
                break;
            }
            if !taken {
                stopped = "no decrease";
                break;
            }
        }
        runs.push((t0.elapsed().as_secs_f64(), steps, s.trials, error, stopped));
        trace = false;
    }
    let seconds = median(runs.iter().map(|r| r.0).collect());
    let (_, steps, trials, error, stopped) = runs[0];
    json!({"target": target, "steps": steps, "trials": trials, "seconds": seconds,
           "final_error_l2": error, "stopped": stopped})
}

/// Median milliseconds of each part of a step at the init (see the module docs).
fn profile(case: &Case, mode: DiffMode, repeats: usize) -> Value {
    let res = residuals(case, mode);
    let init = State::init(case, &res);
    let net = &init.net;
    let c = case.config();
    let test = Points::test(&c.problem());
    let time = |f: &mut dyn FnMut()| {
        f();
        let reps = repeats.max(5) * 4;
        median(
            (0..reps)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect(),
        )
    };
    let mut j = Vec::new();
    let r = linearization_rows(net, &res, Precision::F64, &mut j);
    let jr = faer::MatRef::from_row_major_slice(&j, r.len(), net.theta.len());
    let gn = GaussNewton::new(jr, &r);
    let mu = init.damping.mu;
    let mut buf = Vec::new();
    json!({
        "rows": jr.nrows(), "params": jr.ncols(),
        "jacobian_ms": time(&mut || { std::hint::black_box(linearization_rows(net, &res, Precision::F64, &mut buf)); }),
        "gram_ms": time(&mut || { std::hint::black_box(GaussNewton::new(jr, &r)); }),
        "solve_ms": time(&mut || { std::hint::black_box(gn.step(mu)); }),
        "loss_ms": time(&mut || { std::hint::black_box(loss_and_gradient(net, &res, Precision::F64, None)); }),
        "test_error_ms": time(&mut || { std::hint::black_box(values(net, &test)); }),
    })
}

fn key(v: &Value) -> (String, u64, u64, u64, String) {
    (
        v["problem"].as_str().unwrap_or("").into(),
        v["m"].as_u64().unwrap_or(0),
        v["n"].as_u64().unwrap_or(0),
        v["layers"].as_u64().unwrap_or(1),
        v["mode"].as_str().unwrap_or("").into(),
    )
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Under `cargo test`: one LM step of the smallest case from its init, which lowers the
/// loss, and the test values beside the pointwise network.
fn smoke() {
    let case = Case::new(ProblemKind::Biharmonic1d, &[20], 20);
    let res = residuals(&case, DiffMode::Ad);
    let mut s = State::init(&case, &res);
    let before = s.loss;
    assert!(
        s.step(&res) && s.loss < before,
        "an LM step lowers the loss"
    );
    let test = Points::test(&case.config().problem());
    let u = values(&s.net, &test);
    assert!((u[7] - s.net.value(test.point(7))).abs() < 1e-12);
    println!("benches/lm.rs smoke test: ok (run it with cargo bench --bench lm)");
}

fn main() {
    if !support::benching() {
        return smoke();
    }
    let repeats: usize = env("ADFD_BENCH_REPEATS", 5);
    let min_time: f64 = env("ADFD_BENCH_MIN_TIME", 1.0);
    let acc_repeats: usize = env("ADFD_BENCH_ACCURACY_REPEATS", 3);
    let parts: String = env("ADFD_BENCH_LM_PARTS", "speed,accuracy,profile".to_string());
    let threads = rayon::current_num_threads();
    println!("adfd Levenberg–Marquardt benchmark: tanh, f64, {threads} rayon threads, median of {repeats}");
    let load_before = support::load();
    let mut reports: Vec<String> = Vec::new();
    let mut all = speed_cases();
    all.extend(accuracy_cases().into_iter().map(|(c, _)| c));
    for case in only(all) {
        let path = case.write_report().to_string_lossy().to_string();
        if !reports.contains(&path) {
            reports.push(path);
        }
    }
    let mut args = vec!["--reports".to_string()];
    args.extend(reports.iter().cloned());
    let lm_parts: Vec<&str> = parts
        .split(',')
        .filter(|p| *p == "speed" || *p == "accuracy")
        .collect();
    args.extend([
        "--parts".into(),
        lm_parts.join(","),
        "--repeats".into(),
        repeats.to_string(),
        "--min-time".into(),
        min_time.to_string(),
        "--accuracy-repeats".into(),
        acc_repeats.to_string(),
    ]);
    // JAX's loss, true residual and J checked at each report's init against adfd's
    // (lm_jax.py --check): the baseline computes the same step.
    let mut check_args = vec!["--check".to_string()];
    check_args.extend(reports.iter().cloned());
    let check = match support::run_jax("lm_jax.py", &check_args) {
        Ok(lines) => {
            let worst = lines
                .iter()
                .filter_map(|l| l["relative_difference"].as_f64())
                .fold(0.0, f64::max);
            println!("lm_jax.py --check: {} checks within tolerance, largest relative difference {worst:.1e}", lines.len());
            json!({"passed": true, "checks": lines.len(), "largest_relative_difference": worst})
        }
        Err(e) => {
            println!("lm_jax.py --check: {e}");
            json!({"passed": false, "message": e})
        }
    };
    // adfd's speed rows are timed before and after JAX's, and quoted as the mean of
    // the two: the load of this shared machine drifts over the minutes between them.
    let before: Vec<Value> = if parts.contains("speed") {
        on_pool(|| {
            speed_cases()
                .iter()
                .flat_map(|c| [DiffMode::Ad, FD].map(|m| speed(c, m, repeats, min_time)))
                .collect()
        })
    } else {
        Vec::new()
    };
    let mut before = before.into_iter();
    let jax = if lm_parts.is_empty() {
        Ok(Vec::new())
    } else {
        support::run_jax("lm_jax.py", &args)
    };
    let jax = jax.unwrap_or_else(|e| {
        println!("(no JAX baseline: {e})");
        Vec::new()
    });
    let load_after_jax = support::load();
    let find = |case: &Case, mode: &str, accuracy: bool| {
        let k = (
            case.problem_name(),
            case.widths[0] as u64,
            case.n as u64,
            case.widths.len() as u64,
            mode.to_string(),
        );
        jax.iter()
            .find(|v| key(v) == k && v.get("target").is_some() == accuracy)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (mut speed_rows, mut accuracy_rows, mut profile_rows) = (vec![], vec![], vec![]);
    on_pool(|| {
        let base = |case: &Case, mode: &str| {
            json!({"problem": case.problem_name(), "m": case.widths[0], "n": case.n,
                   "layers": case.widths.len(), "mode": mode})
        };
        if parts.contains("speed") {
            println!(
                "{:<13} {:>4} {:>4} {:>2} {:>4} {:>11} {:>11} {:>7} {:>8} {:>8}",
                "problem",
                "m",
                "n",
                "L",
                "mode",
                "adfd st/s",
                "JAX st/s",
                "ratio",
                "adfd tr",
                "JAX tr"
            );
            for case in speed_cases() {
                for mode in [DiffMode::Ad, FD] {
                    let mut ours = speed(&case, mode, repeats, min_time);
                    let first = before.next().expect("timed before JAX too");
                    let (b, a) = (
                        first["steps_per_second"].as_f64().unwrap(),
                        ours["steps_per_second"].as_f64().unwrap(),
                    );
                    ours["steps_per_second_before_jax"] = json!(b);
                    ours["steps_per_second_after_jax"] = json!(a);
                    ours["steps_per_second"] = json!((a + b) / 2.0);
                    let theirs = find(&case, mode_name(mode), false);
                    let (a, b) = (
                        ours["steps_per_second"].as_f64().unwrap(),
                        theirs["steps_per_second"].as_f64().unwrap_or(f64::NAN),
                    );
                    println!(
                        "{:<13} {:>4} {:>4} {:>2} {:>4} {:>11.1} {:>11.1} {:>7.2} {:>8.2} {:>8.2}",
                        case.problem_name(),
                        case.widths[0],
                        case.n,
                        case.widths.len(),
                        mode_name(mode),
                        a,
                        b,
                        a / b,
                        ours["trials_per_step"].as_f64().unwrap(),
                        theirs["trials_per_step"].as_f64().unwrap_or(f64::NAN)
                    );
                    let mut row = base(&case, mode_name(mode));
                    row["adfd"] = ours;
                    row["jax"] = theirs;
                    speed_rows.push(row);
                }
            }
        }
        if parts.contains("accuracy") {
            for (case, target) in accuracy_cases() {
                if only(vec![case.clone()]).is_empty() {
                    continue;
                }
                let ours = time_to_accuracy(&case, target, acc_repeats, 2000);
                let theirs = find(&case, "ad", true);
                println!(
                    "time to error_l2 ≤ {target:e}, {} m = {} n = {}: adfd {:.4} s ({} steps, {}) | JAX {:.4} s compiled, {:.3} s with compile ({} steps, {})",
                    case.problem_name(), case.widths[0], case.n,
                    ours["seconds"].as_f64().unwrap(), ours["steps"], ours["stopped"],
                    theirs["seconds"].as_f64().unwrap_or(f64::NAN),
                    theirs["seconds_with_compile"].as_f64().unwrap_or(f64::NAN),
                    theirs["steps"], theirs["stopped"],
                );
                let mut row = base(&case, "ad");
                row["adfd"] = ours;
                row["jax"] = theirs;
                accuracy_rows.push(row);
            }
        }
        if parts.contains("profile") {
            for case in speed_cases() {
                for mode in [DiffMode::Ad, FD] {
                    let p = profile(&case, mode, repeats);
                    println!(
                        "profile {} m = {} L = {} n = {} {}: {}",
                        case.problem_name(),
                        case.widths[0],
                        case.widths.len(),
                        case.n,
                        mode_name(mode),
                        p
                    );
                    let mut row = base(&case, mode_name(mode));
                    row["adfd"] = p;
                    profile_rows.push(row);
                }
            }
        }
    });
    let out = json!({
        "threads": threads, "repeats": repeats, "min_time_s": min_time,
        "accuracy_repeats": acc_repeats,
        "load": {"before": load_before, "after_jax": load_after_jax, "after": support::load()},
        "jax_check": check,
        "speed": speed_rows, "accuracy": accuracy_rows, "profile": profile_rows,
    });
    std::fs::write(
        support::artifacts().join("bench-lm.json"),
        serde_json::to_string_pretty(&out).unwrap(),
    )
    .unwrap();
}
