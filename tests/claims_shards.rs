//! A claims run split into shards of seeds gives the same table, bit for bit, as one
//! run over the union of their seeds: through the library (`claims::run` on real
//! measurements, reports round-tripped through JSON as files would be, then
//! `claims::merge`) and through the command line (`adfd claims --json` per shard,
//! `adfd claims merge`). Also what `--progress jsonl` prints, and that merging
//! reports that are not shards of one run fails with one line naming the file.
//!
//! Small on purpose (RFM claims only, `--no-networks`, the 1-D problems, a few seeds:
//! seconds in a debug build); scripts/claims-slurm's test (tests/claims-slurm.sh) runs
//! the same comparison through a real Slurm job array.
// `adfd claims` is native only (wasm-pack test builds every test target for wasm32).
#![cfg(not(target_arch = "wasm32"))]

#[path = "common/cli.rs"]
#[allow(dead_code)] // `rerun` is for the report tests
mod cli;
use adfd::claims::{self, ClaimsReport, Options};
use adfd::ProblemKind;
use cli::adfd;
use std::path::PathBuf;

const PROBLEMS: [ProblemKind; 2] = [ProblemKind::Poisson1d, ProblemKind::Biharmonic1d];
const RFM_ONLY: Options = Options {
    networks: false,
    sizes: false,
};

fn run(seeds: &[u64]) -> ClaimsReport {
    claims::run(&PROBLEMS, seeds, RFM_ONLY, &|_| {}).unwrap()
}

/// Through JSON text and back, as a shard's file is written and read.
fn through_json(r: &ClaimsReport) -> ClaimsReport {
    serde_json::from_str(&serde_json::to_string(r).unwrap()).unwrap()
}

/// Every figure of the rows, as bits.
fn row_bits(r: &ClaimsReport) -> Vec<[u64; 3]> {
    let rows = r.rows.iter();
    rows.map(|r| [r.median.to_bits(), r.p10.to_bits(), r.p90.to_bits()])
        .collect()
}

#[test]
fn shards_of_real_measurements_merge_into_the_report_of_one_run_bit_for_bit() {
    let whole = run(&[0, 1, 2]);
    // Shards of uneven size, one of them not a range, merged out of order.
    let shards = [run(&[1]), run(&[0, 2])];
    let merged = claims::merge(shards.iter().map(through_json).collect()).unwrap();

    // The comparison has something to compare: the seven RFM claims (1–4a) on both
    // problems and claim 5, which pairs the two problems on each seed, each over all
    // three seeds.
    assert_eq!(whole.rows.len(), 2 * 7 + 1);
    assert!(whole.rows.iter().any(|r| r.claim == "5"));
    assert!(whole.rows.iter().all(|r| r.seeds == 3));
    assert!(shards.iter().all(|s| s.rows.iter().all(|r| r.seeds < 3)));

    assert_eq!(merged.seeds, [0, 1, 2]);
    assert_eq!(merged.rows, whole.rows);
    assert_eq!(row_bits(&merged), row_bits(&whole));
    assert_eq!(merged.evaluations, whole.evaluations);
    assert_eq!(
        serde_json::to_string(&merged).unwrap(),
        serde_json::to_string(&whole).unwrap(),
        "the merged report's JSON is the single run's, byte for byte"
    );
    // Merging is not a no-op: leaving a shard out changes the table.
    let partial = claims::merge(vec![shards[1].clone()]).unwrap();
    assert_ne!(partial.rows, whole.rows);
}

/// A temporary directory for one test's files, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("adfd-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes `text` to the file `name` and returns its path.
    fn file(&self, name: &str, text: &[u8]) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// `adfd claims` with `args`, expecting success; its stdout and stderr.
fn claims_cli(args: &[&str]) -> (Vec<u8>, String) {
    let args: Vec<&str> = ["claims"].iter().chain(args).copied().collect();
    let out = adfd(&args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "adfd {args:?}: {err}");
    (out.stdout, err)
}

const SMALL: [&str; 3] = ["--problems", "poisson1d", "--no-networks"];

#[test]
fn adfd_claims_merge_prints_the_single_runs_json_and_table() {
    let dir = Scratch::new("claims-merge");
    let shard = |seeds: &str| {
        let (json, _) = claims_cli(&[&SMALL[..], &["--seeds", seeds, "--json"]].concat());
        dir.file(&format!("shard-{seeds}.json"), &json)
    };
    let (a, b) = (shard("0..2"), shard("2"));
    let (whole, _) = claims_cli(&[&SMALL[..], &["--seeds", "0..3", "--json"]].concat());
    let (merged, _) = claims_cli(&["merge", &b, &a, "--json"]);
    assert_eq!(
        String::from_utf8(merged).unwrap(),
        String::from_utf8(whole).unwrap()
    );

    let (table, _) = claims_cli(&["merge", &a, &b]);
    let table = String::from_utf8(table).unwrap();
    assert!(
        table.starts_with("adfd claims over seeds 0..=2 (3 seeds)"),
        "{table}"
    );
    assert!(table
        .lines()
        .any(|l| l.starts_with("3a ") && l.contains("/3")));
}

#[test]
fn progress_jsonl_prints_a_start_a_line_per_job_and_an_end() {
    let args = [&SMALL[..], &["--seeds", "4..6", "--progress", "jsonl"]].concat();
    let (_, err) = claims_cli(&args);
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert_eq!(lines.len(), 4, "{err}");
    let (start, jobs, end) = (&lines[0], &lines[1..3], &lines[3]);
    assert_eq!(start["event"], "start");
    assert_eq!(start["total"], 2);
    assert_eq!(start["seeds"], serde_json::json!([4, 5]));
    assert_eq!(start["networks"], false);
    let mut seeds = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        assert_eq!(job["event"], "job");
        assert_eq!(job["problem"], "poisson1d");
        assert_eq!(job["done"], i + 1, "done counts up: {err}");
        assert_eq!(job["total"], 2);
        assert_eq!(job["ok"], true);
        assert!(job["seconds"].as_f64().unwrap() > 0.0);
        seeds.push(job["seed"].as_u64().unwrap());
    }
    seeds.sort_unstable();
    assert_eq!(seeds, [4, 5]);
    assert_eq!(end["event"], "end");
    assert_eq!((&end["ok"], &end["done"]), (&true.into(), &2.into()));
    let elapsed = |v: &serde_json::Value, key| v[key].as_f64().unwrap();
    assert!(elapsed(end, "seconds") >= elapsed(&jobs[1], "elapsed"));
}

#[test]
fn merging_what_is_not_a_shard_of_the_run_fails_with_one_line_naming_the_file() {
    let dir = Scratch::new("claims-merge-bad");
    let run = |seeds: &str, extra: &[&str]| {
        let mut args = vec!["--seeds", seeds, "--json"];
        args.extend(extra);
        claims_cli(&args).0
    };
    let good = dir.file("good.json", &run("0", &SMALL));
    let other_seed = dir.file("other.json", &run("1", &SMALL));
    let both = dir.file(
        "both.json",
        &run(
            "1",
            &["--problems", "poisson1d,biharmonic1d", "--no-networks"],
        ),
    );
    let mut newer: serde_json::Value = serde_json::from_slice(&run("1", &SMALL)).unwrap();
    newer["adfd_version"] = "99.0.0".into();
    let newer = dir.file("newer.json", newer.to_string().as_bytes());
    let mut nets: serde_json::Value = serde_json::from_slice(&run("1", &SMALL)).unwrap();
    nets["networks"] = true.into();
    let nets = dir.file("nets.json", nets.to_string().as_bytes());
    let table = dir.file("table.txt", b"adfd claims over seeds 0..=1\n");
    let rfm = dir.file("rfm.json", br#"{"config": {}, "runs": []}"#);
    let missing = dir.0.join("missing.json").to_str().unwrap().to_owned();

    let cases: &[(&[&str], &str, &str)] = &[
        (&[&good, &missing], &missing, "cannot read it"),
        (&[&good, &table], &table, "not a claims report"),
        (&[&rfm], &rfm, "not a claims report"),
        (
            &[&good, &both],
            &both,
            "its problems (poisson1d, biharmonic1d) differ",
        ),
        (
            &[&good, &newer],
            &newer,
            "its adfd version (99.0.0) differs",
        ),
        (
            &[&good, &nets],
            &nets,
            "its measurements (networks at the claim size) differ",
        ),
        (&[&good, &other_seed, &good], &good, "seed 0 is also in"),
    ];
    for (files, names, says) in cases {
        let args: Vec<&str> = ["claims", "merge"].iter().chain(*files).copied().collect();
        let out = adfd(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{files:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{files:?}: {err}");
        assert!(
            err.starts_with(&format!("adfd: invalid shards: {names}: ")) && err.contains(says),
            "{files:?}: {err}"
        );
        assert!(out.stdout.is_empty(), "{files:?}: printed a report");
    }
    // No file at all is a usage error (clap's), with the same exit code.
    assert_eq!(adfd(&["claims", "merge"]).status.code(), Some(2));
}

#[test]
fn dry_run_checks_the_settings_and_prints_the_plan_without_running() {
    // Poisson 2-D with networks would train for minutes: the plan comes at once.
    let started = std::time::Instant::now();
    let (out, err) = claims_cli(&["--seeds", "3..5", "--problems", "poisson2d", "--dry-run"]);
    assert!(started.elapsed().as_secs() < 20, "it ran the jobs");
    let plan: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(plan["seeds"], serde_json::json!([3, 4]));
    assert_eq!(plan["problems"], serde_json::json!(["poisson2d"]));
    assert_eq!(
        (&plan["total"], &plan["networks"]),
        (&2.into(), &true.into())
    );
    assert!(err.is_empty(), "{err}");
    for bad in [&["--seeds", "1,1"][..], &["--problems", "heat"]] {
        let args: Vec<&str> = [&["claims", "--dry-run"][..], bad].concat();
        let out = adfd(&args);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
