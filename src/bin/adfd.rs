//! `adfd`: the native command line over the same `Config → Report` path as the web page.
//!
//! Every subcommand prints a readable table by default, `--json` for the full report
//! (re-runnable with `--config`), or `--csv`. The flags of `adfd rfm` and `adfd train`
//! are the settings table's rows ([`args`]). Bad input prints one line naming the
//! field and its allowed range, and exits with code 2; so does a run whose estimated
//! peak memory exceeds what the machine has available.

#[path = "adfd/args.rs"]
mod args;
#[path = "adfd/print.rs"]
mod print;

use adfd::budget;
use adfd::config::settings::field;
use adfd::experiment::{self, Experiment};
use adfd::problem::ProblemKind;
use adfd::{Config, Error, ModelKind, RfmComparison, TrainComparison, Valid};
use clap::{ArgMatches, Args, Command, FromArgMatches};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

/// mimalloc keeps freed pages for the next matrix of the same size, where glibc's
/// malloc returns them to the kernel and faults fresh ones in (Cargo.toml says more).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The whole command line: `rfm` and `train` from the settings table, `claims` derived.
fn cli() -> Command {
    let merge = Command::new("merge").about(
        "Merge the reports of shards of one claims run (adfd claims --seeds A..B --json, one file each) into the report of one run over all their seeds.",
    );
    let claims = Command::new("claims")
        .about("Measure the paper's claims over many seeds and print how often each holds.")
        .args_conflicts_with_subcommands(true)
        .subcommand(MergeArgs::augment_args(merge));
    Command::new("adfd")
        .version(env!("CARGO_PKG_VERSION"))
        .about("AD vs FD for neural PDE solvers: spectra, truncated entropy, training")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(args::experiment(
            "rfm",
            "Random feature model: least squares with AD and FD operators on the same features and points.",
            ModelKind::Rfm,
        ))
        .subcommand(args::experiment(
            "train",
            "Train a network with AD and FD residual losses from the same init (Levenberg–Marquardt, GD or Adam).",
            ModelKind::Network,
        ))
        .subcommand(ClaimsArgs::augment_args(claims))
}

#[derive(Args)]
struct ClaimsArgs {
    /// Seeds to run: a range `A..B` (B excluded) or a list `0,3,7`
    #[arg(long, value_parser = parse_seeds, default_value = "0..20")]
    seeds: Seeds,
    /// Problems, separated by commas [default: all four]
    #[arg(long, value_delimiter = ',', value_parser = parse_problem)]
    problems: Vec<ProblemKind>,
    /// Skip the network claims (4b–4f, 6a–6c), which take most of the time
    #[arg(long)]
    no_networks: bool,
    /// Measure the network claims at three sizes (the smallest 7 × 7 / width 50 in 2-D,
    /// the largest the claim size), to show how each changes with size
    #[arg(long)]
    sizes: bool,
    /// Print the whole report as JSON
    #[arg(long)]
    json: bool,
    /// Check the settings and print the run's plan as JSON (problems, seeds, total
    /// jobs), without running
    #[arg(long, conflicts_with = "json")]
    dry_run: bool,
    /// How to show progress on stderr (jsonl: for watching a run from a file or a batch job)
    #[arg(long, value_enum, default_value_t = Progress::Bar)]
    progress: Progress,
}

/// `--progress`: how `adfd claims` shows progress on stderr.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Progress {
    /// A progress bar, when stderr is a terminal
    Bar,
    /// One JSON object a line: a start, one per finished (problem, seed) job, an end
    Jsonl,
    /// Nothing
    None,
}

#[derive(Args)]
struct MergeArgs {
    /// Shard reports: the --json output of `adfd claims`, one file each
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print the merged report as JSON (else its table)
    #[arg(long)]
    json: bool,
}

/// Seeds given as `A..B` or `a,b,c`.
#[derive(Clone)]
struct Seeds(Vec<u64>);

/// One seed, read and range-checked by the settings table's `seed` row.
fn parse_seed(text: &str) -> Result<u64, String> {
    let row = field("seed").ok_or("the settings table has no seed")?;
    let mut c = Config::default();
    row.apply(&mut c, text)
        .and_then(|()| row.check(&c))
        .map(|()| c.seed)
        .map_err(|e| format!("invalid seeds: {}", e.message()))
}

fn parse_seeds(s: &str) -> Result<Seeds, String> {
    const MAX: u64 = 1000;
    let count = |n: u64| match n {
        1..=MAX => Ok(()),
        n => Err(format!("invalid seeds: {n} seeds given; run 1 to {MAX}")),
    };
    let seeds: Vec<u64> = match s.split_once("..") {
        Some((a, b)) => {
            let (a, b) = (parse_seed(a)?, parse_seed(b)?);
            // Counted before collecting: `0..9007199254740991` is refused, not allocated.
            count(b.saturating_sub(a))?;
            (a..b).collect()
        }
        None => s.split(',').map(parse_seed).collect::<Result<_, _>>()?,
    };
    count(seeds.len() as u64)?;
    // A seed twice would count its evaluations twice in the table.
    let twice = seeds
        .iter()
        .enumerate()
        .find_map(|(i, s)| seeds[..i].contains(s).then_some(s));
    if let Some(s) = twice {
        return Err(format!("invalid seeds: seed {s} is given twice"));
    }
    Ok(Seeds(seeds))
}

fn parse_problem(s: &str) -> Result<ProblemKind, String> {
    s.parse().map_err(|e: Error| e.to_string())
}

fn claims(args: &ClaimsArgs) -> Result<(), String> {
    let problems = if args.problems.is_empty() {
        vec![
            ProblemKind::Poisson1d,
            ProblemKind::Biharmonic1d,
            ProblemKind::Poisson2d,
            ProblemKind::Biharmonic2d,
        ]
    } else {
        args.problems.clone()
    };
    let seeds = &args.seeds.0;
    let options = adfd::claims::Options {
        networks: !args.no_networks,
        sizes: args.sizes,
    };
    let total = problems.len() * seeds.len();
    let plan = Plan {
        adfd_version: env!("CARGO_PKG_VERSION"),
        problems: &problems,
        seeds,
        networks: options.networks,
        sizes: options.sizes,
        total,
    };
    if args.dry_run {
        println!(
            "{}",
            serde_json::to_string(&plan).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    let bar = match args.progress {
        Progress::Bar => progress_bar("(problem, seed) pairs"),
        _ => None,
    };
    if let Some(bar) = &bar {
        bar.set_length(total as u64);
    }
    let jsonl = args.progress == Progress::Jsonl;
    let start = std::time::Instant::now();
    let done = AtomicUsize::new(0);
    if jsonl {
        progress_line(&ProgressLine::Start { plan });
    }
    let report = adfd::claims::run(&problems, seeds, options, &|job| {
        done.store(job.done, Ordering::Relaxed);
        if let Some(bar) = &bar {
            bar.set_position(job.done as u64);
        }
        if jsonl {
            progress_line(&ProgressLine::Job {
                problem: job.problem,
                seed: job.seed,
                done: job.done,
                total: job.total,
                seconds: job.seconds,
                elapsed: start.elapsed().as_secs_f64(),
                ok: job.ok,
            });
        }
    })
    .map_err(|e| e.to_string());
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if jsonl {
        progress_line(&ProgressLine::End {
            ok: report.is_ok(),
            done: done.load(Ordering::Relaxed),
            total,
            seconds: start.elapsed().as_secs_f64(),
            error: report.as_ref().err().map(String::as_str),
        });
    }
    show_claims(&report?, args.json)
}

/// What a claims run will do: `--dry-run` prints it, `--progress jsonl` starts with it.
#[derive(Clone, Copy, serde::Serialize)]
struct Plan<'a> {
    adfd_version: &'a str,
    problems: &'a [ProblemKind],
    seeds: &'a [u64],
    networks: bool,
    sizes: bool,
    /// Jobs: problems × seeds.
    total: usize,
}

/// One line of `adfd claims --progress jsonl` on stderr: a JSON object whose `event` is
/// `start`, `job` (one per finished (problem, seed) job) or `end`.
#[derive(serde::Serialize)]
#[serde(tag = "event", rename_all = "lowercase")]
enum ProgressLine<'a> {
    /// What the run measures: `total` jobs, problems × seeds.
    Start {
        #[serde(flatten)]
        plan: Plan<'a>,
    },
    /// A job finished: the `done`-th of `total`, in `seconds`, `elapsed` seconds into
    /// the run; `ok` false if it failed (the run then fails).
    Job {
        problem: ProblemKind,
        seed: u64,
        done: usize,
        total: usize,
        seconds: f64,
        elapsed: f64,
        ok: bool,
    },
    /// The run ended after `seconds`: `ok`, or not with its `error`.
    End {
        ok: bool,
        done: usize,
        total: usize,
        seconds: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
    },
}

/// Writes one progress line to stderr (whole: stderr is locked for the line).
fn progress_line(line: &ProgressLine) {
    if let Ok(text) = serde_json::to_string(line) {
        eprintln!("{text}");
    }
}

/// Prints a claims report: its JSON with `json`, else its table.
fn show_claims(report: &adfd::claims::ClaimsReport, json: bool) -> Result<(), String> {
    if json {
        println!(
            "{}",
            serde_json::to_string(report).map_err(|e| e.to_string())?
        );
    } else {
        print::print_claims(report);
    }
    Ok(())
}

/// `adfd claims merge FILE…`: reads each shard's report and prints the merged one.
/// Any problem is one line naming the file: unreadable, not a claims report, or not a
/// shard of the same run as the first file (see [`adfd::claims::merge_named`]).
fn merge(args: &MergeArgs) -> Result<(), String> {
    let mut shards = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("invalid shards: {name}: cannot read it: {e}"))?;
        let report = serde_json::from_str(&text).map_err(|e| {
            format!("invalid shards: {name}: not a claims report (the --json output of adfd claims): {e}")
        })?;
        shards.push((name, report));
    }
    let merged = adfd::claims::merge_named(shards).map_err(|e| e.to_string())?;
    show_claims(&merged, args.json)
}

/// Prints `report` as JSON (`--json`), CSV (`--csv`) or the readable `table`.
fn print<R: serde::Serialize>(
    m: &ArgMatches,
    report: &R,
    csv: fn(&R) -> String,
    table: fn(&R),
) -> Result<(), String> {
    if m.get_flag("json") {
        println!(
            "{}",
            serde_json::to_string(report).map_err(|e| e.to_string())?
        );
    } else if m.get_flag("csv") {
        print!("{}", csv(report));
    } else {
        table(report);
    }
    Ok(())
}

/// The checked config of `adfd rfm` or `adfd train`; `None` after `--dry-run` printed it.
fn checked(m: &ArgMatches, model: ModelKind) -> Result<Option<Valid<Config>>, String> {
    let config = args::config(m, model)?.check().map_err(|e| e.to_string())?;
    if m.get_flag("dry-run") {
        println!(
            "{}",
            serde_json::to_string(&*config).map_err(|e| e.to_string())?
        );
        return Ok(None);
    }
    Ok(Some(config))
}

/// A progress bar on stderr when it is a terminal (none in pipes and tests).
fn progress_bar(unit: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{msg}}  [{{elapsed_precise}}]");
    bar.set_style(indicatif::ProgressStyle::with_template(&template).ok()?);
    Some(bar)
}

/// Runs the experiment `E` of `config` to its report through the executor, showing
/// its progress (and `status` of it) on a progress bar.
/// Refuses, before allocating anything, a run whose estimated peak memory
/// (`adfd::budget`) exceeds what this machine has available (`$ADFD_MEMORY` overrides).
fn fits_in_memory(config: &Config) -> Result<(), String> {
    let Some(available) = budget::machine_memory() else {
        return Ok(());
    };
    let limit_is = format!(
        "the {} available on this machine",
        budget::format_bytes(available)
    );
    budget::check_fits(config, available, &limit_is)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn run_with_bar<E: Experiment + Send>(
    config: &Valid<Config>,
    unit: &str,
    status: fn(&E) -> String,
) -> Result<E::Report, String> {
    fits_in_memory(config)?;
    let bar = progress_bar(unit);
    let report = experiment::run::<E>(config, |e| {
        if let Some(bar) = &bar {
            let p = e.progress();
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
            bar.set_message(status(e));
        }
    })
    .map_err(|e| e.to_string())?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(report)
}

/// The latest training loss of every run: `AD 1.2e-3 · FD h=1e-1 4.5e-3`.
fn train_status(c: &TrainComparison) -> String {
    let runs = c.runs().iter();
    let parts: Vec<String> = runs
        .map(|r| format!("{} {:.2e}", r.mode(), r.latest_loss()))
        .collect();
    parts.join(" · ")
}

/// The run just fitted: `FD h=1e-2 fitted`.
fn rfm_status(c: &RfmComparison) -> String {
    c.fits()
        .last()
        .map_or(String::new(), |f| format!("{} fitted", f.run.mode))
}

fn run(m: ArgMatches) -> Result<(), String> {
    match m.subcommand() {
        Some(("rfm", m)) => {
            let Some(config) = checked(m, ModelKind::Rfm)? else {
                return Ok(());
            };
            let report = run_with_bar::<RfmComparison>(&config, "runs", rfm_status)?;
            print(m, &report, adfd::report::rfm_csv, print::print_rfm)
        }
        Some(("train", m)) => {
            let Some(config) = checked(m, ModelKind::Network)? else {
                return Ok(());
            };
            let report = run_with_bar::<TrainComparison>(&config, "steps", train_status)?;
            print(m, &report, adfd::report::train_csv, print::print_train)
        }
        Some(("claims", m)) => match m.subcommand() {
            Some(("merge", m)) => {
                merge(&MergeArgs::from_arg_matches(m).map_err(|e| e.to_string())?)
            }
            _ => claims(&ClaimsArgs::from_arg_matches(m).map_err(|e| e.to_string())?),
        },
        _ => Err("a subcommand is needed: rfm, train or claims".into()),
    }
}

fn main() -> ExitCode {
    match run(cli().get_matches()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("adfd: {message}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_a_range_or_a_list_read_by_the_seed_row() {
        assert_eq!(parse_seeds("3..6").unwrap().0, [3, 4, 5]);
        assert_eq!(parse_seeds("0, 7,9").unwrap().0, [0, 7, 9]);
        let max = adfd::config::MAX_SEED;
        assert_eq!(parse_seeds(&max.to_string()).unwrap().0, [max]);
        for (bad, says) in [
            (
                format!("{}", max + 1),
                "out of range; allowed 0..=9007199254740991",
            ),
            ("x".into(), "\"x\" is not a whole number"),
            ("99999999999999999999".into(), "is too large"),
            ("0..1001".into(), "1001 seeds given; run 1 to 1000"),
            (
                format!("0..{max}"),
                "9007199254740991 seeds given; run 1 to 1000",
            ),
            ("5..5".into(), "0 seeds given"),
            ("1,2,1".into(), "seed 1 is given twice"),
        ] {
            let Err(e) = parse_seeds(&bad) else {
                panic!("{bad} accepted")
            };
            assert!(
                e.starts_with("invalid seeds: ") && e.contains(says),
                "{bad}: {e}"
            );
        }
    }
}
