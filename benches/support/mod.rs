//! What `benches/train.rs` and `benches/lm.rs` share: the configurations of the 2-D and
//! Levenberg–Marquardt rows, adfd's training reports for the JAX baselines to start
//! from (`benches/pinn_jax.py` loads their init and points), the step timer the JAX
//! scripts use (`pinn_jax.median_seconds`), and the runner of a JAX script.
#![allow(dead_code)] // each bench uses part of it

use adfd::{Config, ModelKind, Precision, ProblemKind, Valid};
use std::path::PathBuf;
use std::time::Instant;

/// One network size on one problem: hidden widths (one entry: the two-layer network)
/// and the interior points `n` (a 2-D grid of `⌊√n⌋²`).
#[derive(Clone, Debug)]
pub struct Case {
    pub problem: ProblemKind,
    pub widths: Vec<usize>,
    pub n: usize,
}

impl Case {
    pub fn new(problem: ProblemKind, widths: &[usize], n: usize) -> Self {
        Case {
            problem,
            widths: widths.to_vec(),
            n,
        }
    }

    /// `poisson2d`, as the reports and the JAX scripts spell it.
    pub fn problem_name(&self) -> String {
        serde_json::to_value(self.problem)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `poisson2d-w200-n400`, `poisson2d-w100x100-n400`: the case's report's name.
    pub fn name(&self) -> String {
        let widths: Vec<String> = self.widths.iter().map(|w| w.to_string()).collect();
        format!("{}-w{}-n{}", self.problem_name(), widths.join("x"), self.n)
    }

    /// adfd's network config of this case: the problem's defaults
    /// (`Config::defaults_for`: init range, seed, λ, boundary points `4⌈√n⌉` in 2-D)
    /// with these widths and `n`, FD at `h = 0.1`, one step recorded (the report is
    /// for its init and points).
    pub fn config(&self) -> Valid<Config> {
        let mut c = Config::defaults_for(self.problem, Precision::F64, ModelKind::Network);
        c.n = self.n;
        c.net.width = self.widths[0];
        c.net.layers = self.widths.len();
        c.h = vec![0.1];
        c.train.steps = 1;
        c.train.every = 1;
        c.check().expect("a bench config is valid")
    }

    /// Writes `adfd train`'s JSON report of this case (one LM step; what `adfd train
    /// ... --json` prints) to `artifacts/bench-reports/`, for the JAX scripts'
    /// `--reports`, and returns its path.
    pub fn write_report(&self) -> PathBuf {
        let dir = artifacts().join("bench-reports");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.json", self.name()));
        let report = adfd::run_train(&self.config()).expect("the bench config trains");
        std::fs::write(&path, serde_json::to_string(&report).unwrap()).unwrap();
        path
    }
}

/// `<crate>/artifacts`.
pub fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// `(median seconds per step, k, the last repeat's final state)` of `step`, timed as
/// `pinn_jax.median_seconds` times JAX: one call first, then `k` steps chained from
/// `init` (doubling `k` until they take `min_time / 4`), then `repeats` times `k`
/// steps chained from `init`, the median of their seconds per step.
pub fn median_seconds<S: Clone>(
    init: &S,
    mut step: impl FnMut(&mut S),
    repeats: usize,
    min_time: f64,
) -> (f64, usize, S) {
    step(&mut init.clone());
    let mut k = 1usize;
    loop {
        let mut s = init.clone();
        let t0 = Instant::now();
        for _ in 0..k {
            step(&mut s);
        }
        if t0.elapsed().as_secs_f64() >= min_time / 4.0 || k >= 1 << 20 {
            break;
        }
        k *= 2;
    }
    let mut last = init.clone();
    let times = (0..repeats)
        .map(|_| {
            let mut s = init.clone();
            let t0 = Instant::now();
            for _ in 0..k {
                step(&mut s);
            }
            let t = t0.elapsed().as_secs_f64() / k as f64;
            last = s;
            t
        })
        .collect();
    (median(times), k, last)
}

/// The JSON lines a JAX script (`benches/<script>`) prints with `args`, or the reason
/// there are none (no python3, no JAX, `ADFD_BENCH_NO_JAX` set).
pub fn run_jax(script: &str, args: &[String]) -> Result<Vec<serde_json::Value>, String> {
    if std::env::var_os("ADFD_BENCH_NO_JAX").is_some() {
        return Err("ADFD_BENCH_NO_JAX is set".into());
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join(script);
    let out = std::process::Command::new("python3")
        .arg(path)
        .args(args)
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().last().unwrap_or("failed").to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// The machine's load averages (1, 5, 15 minutes) from `/proc/loadavg`, to note beside
/// the figures (the machine is shared).
pub fn load() -> Option<[f64; 3]> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    let v: Vec<f64> = s
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect();
    (v.len() == 3).then(|| [v[0], v[1], v[2]])
}

/// True when cargo runs the bench as a bench (`cargo bench` passes `--bench`); false
/// under `cargo test --all-targets`, where a bench only checks that its code runs (a
/// smoke test: small, no JAX, no artifacts).
pub fn benching() -> bool {
    std::env::args().any(|a| a == "--bench")
}
