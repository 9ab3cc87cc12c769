//! RFM comparison speed against numpy, in the same run.
//!
//! Workload (issue 2): poisson1d, tanh, n = 1000 interior points, m = 500 features,
//! AD + FD at h = 1e-1, 1e-2, 1e-3. adfd is timed on
//!
//! * `spectra`: assembly of the four matrices, their singular values, K and H —
//!   the work numpy's baseline does the SVD part of. The singular values are computed
//!   as the comparison fits its runs: `runs_at_once` matrices at a time, one per thread
//!   (numpy computes each with its BLAS's threads);
//! * `full run`: `run_rfm` end to end through the executor (adds the least-squares solves with U and V,
//!   true residuals and errors on 1000 test points).
//!
//! The four matrices are written to `target/bench-rfm/` and
//! `benches/rfm_numpy.py` times `np.linalg.svd(A, compute_uv=False)` on them (and
//! checks its singular values against adfd's); `benches/rfm_jax.py` times JAX's jit
//! assembly of the same four matrices from the same points and features (and checks
//! them against adfd's). Medians over repeats; ratios < 1 mean
//! adfd is faster.

use adfd::experiment::runs_at_once;
use adfd::rfm;
use adfd::spectrum::{singular_values, truncated_entropy};
use adfd::{run_rfm, Config};
use rayon::prelude::*;
use std::process::Command;
use std::time::Instant;

/// mimalloc keeps freed pages for the next matrix of the same size (Cargo.toml says
/// why); the benches use the CLI's allocator so they time what the CLI runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const REPEATS: usize = 7;
/// The assembly takes ~10 ms, so it is cheap to repeat more: its median over 31 (after
/// one untimed call, as JAX's compilation is untimed) is steadier on a shared machine.
const ASSEMBLY_REPEATS: usize = 31;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn time<R>(f: impl FnMut() -> R) -> (f64, R) {
    time_n(REPEATS, f)
}

fn time_n<R>(repeats: usize, mut f: impl FnMut() -> R) -> (f64, R) {
    let mut out = None;
    let times = (0..repeats)
        .map(|_| {
            let t = Instant::now();
            out = Some(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    (median(times), out.unwrap())
}

fn main() {
    let mut config = Config {
        n: 1000,
        h: vec![1e-1, 1e-2, 1e-3],
        ..Config::default()
    };
    config.rfm.m = 500;
    let problem = config.problem();
    let features = config.features();
    let points = config.points();
    let modes = config.modes();

    let assemble = || {
        modes
            .iter()
            .map(|&mode| rfm::assemble::<f64>(&problem, &features, &points, mode, config.lambda))
            .collect::<Vec<_>>()
    };
    drop(assemble());
    let (t_assembly, systems) = time_n(ASSEMBLY_REPEATS, assemble);
    // As `RfmComparison::step` fits its runs: `runs_at_once` matrices at a time, one
    // per thread (faer's SVD itself is single-threaded).
    let at_once = runs_at_once(&config);
    let (t_svd, spectra) = time(|| {
        systems
            .chunks(at_once)
            .flat_map(|group| {
                group
                    .par_iter()
                    .map(|s| {
                        let sv = singular_values(&s.a, "A").unwrap();
                        let e = truncated_entropy(&sv, config.threshold).unwrap();
                        (sv, e)
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let valid = config.clone().check().unwrap();
    let (t_full, _) = time(|| run_rfm(&valid).unwrap());
    let t_spectra = t_assembly + t_svd;

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-rfm");
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (i, s) in systems.iter().enumerate() {
        let path = dir.join(format!("A{i}_{}x{}.f64", s.a.nrows(), s.a.ncols()));
        let bytes: Vec<u8> =
            s.a.as_slice()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
        std::fs::write(&path, bytes).unwrap();
        let sv_path = dir.join(format!("s{i}.f64"));
        let sv: Vec<u8> = spectra[i].0.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(&sv_path, sv).unwrap();
        files.push(path);
    }
    // The same points and features for the JAX assembly baseline.
    let inputs = serde_json::json!({
        "x": points.interior.iter().map(|x| x[0]).collect::<Vec<_>>(),
        "y": points.boundary.iter().map(|x| x[0]).collect::<Vec<_>>(),
        "w": features.w, "b": features.b, "lambda": config.lambda, "h": config.h,
    });
    std::fs::write(dir.join("inputs.json"), inputs.to_string()).unwrap();

    println!("RFM comparison, poisson1d, tanh, n = 1000, m = 500, AD + FD h = 1e-1, 1e-2, 1e-3 (median of {REPEATS}; assembly {ASSEMBLY_REPEATS})");
    println!("  adfd assembly (4 matrices)          {t_assembly:9.1} ms");
    println!("  adfd singular values + K, H (4)     {t_svd:9.1} ms");
    println!("  adfd spectra total                  {t_spectra:9.1} ms");
    println!("  adfd full run_rfm (with solves)     {t_full:9.1} ms");

    let numpy = baseline("rfm_numpy.py", &dir, "numpy_total_ms", "numpy", REPEATS);
    if let Some(numpy_ms) = numpy {
        println!(
            "  ratio adfd spectra / numpy SVDs     {:9.2}x   (target ≤ 1.0)",
            t_spectra / numpy_ms
        );
        println!(
            "  ratio adfd full run / numpy SVDs    {:9.2}x",
            t_full / numpy_ms
        );
    }
    let jax = baseline(
        "rfm_jax.py",
        &dir,
        "jax_assembly_ms",
        "JAX assembly",
        ASSEMBLY_REPEATS,
    );
    if let Some(jax_ms) = jax {
        println!(
            "  ratio adfd assembly / JAX assembly  {:9.2}x   (target ≤ 1.5)",
            t_assembly / jax_ms
        );
    }
    write_artifact(
        "bench-rfm.json",
        &serde_json::json!({
            "workload": "poisson1d, tanh, n = 1000, m = 500, AD + FD h = 1e-1, 1e-2, 1e-3",
            "repeats": REPEATS,
            "assembly_repeats": ASSEMBLY_REPEATS,
            "threads": rayon::current_num_threads(),
            "adfd_ms": {"assembly": t_assembly, "singular_values": t_svd,
                        "spectra": t_spectra, "full_run": t_full},
            "jax_assembly_ms": jax,
            "numpy_svd_ms": numpy,
        }),
    );
}

/// Writes `value` to `artifacts/<name>`, where `./scripts/bench` collects every figure.
fn write_artifact(name: &str, value: &serde_json::Value) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// Runs the baseline `benches/<script>` on the inputs in `dir` (OpenBLAS left to pick
/// its own kernels), prints its output, and returns the milliseconds it reports as
/// `<key>=…`; says why when it cannot run.
fn baseline(
    script: &str,
    dir: &std::path::Path,
    key: &str,
    name: &str,
    repeats: usize,
) -> Option<f64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join(script);
    let out = Command::new("python3")
        .arg(&path)
        .arg(dir)
        .arg(repeats.to_string())
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            print!("{text}");
            let ms = text
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("{key} in {script}'s output"));
            Some(ms)
        }
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            println!(
                "  {name} baseline unavailable: {}",
                err.lines().last().unwrap_or("")
            );
            None
        }
        Err(e) => {
            println!("  {name} baseline not run (python3: {e})");
            None
        }
    }
}
