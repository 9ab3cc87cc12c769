//! Running the `adfd` binary from integration tests.

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Runs `adfd` with `args`.
pub fn adfd<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_adfd"))
        .args(args)
        .output()
        .expect("run adfd")
}

/// Writes a `--json` report to a temporary file, re-runs it with
/// `adfd <subcommand> --config FILE --json`, and returns the new report.
pub fn rerun(subcommand: &str, report: &[u8]) -> serde_json::Value {
    let path = std::env::temp_dir().join(format!("adfd-{subcommand}-{}.json", std::process::id()));
    std::fs::write(&path, report).unwrap();
    let again = adfd(&[subcommand, "--config", path.to_str().unwrap(), "--json"]);
    std::fs::remove_file(&path).ok();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    serde_json::from_slice(&again.stdout).unwrap()
}
