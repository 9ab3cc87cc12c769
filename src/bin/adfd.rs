//! `adfd`: the native command line over the same `Config → Report` path as the web page.
//!
//! Every subcommand prints a readable table by default, `--json` for the full report
//! (re-runnable with `--config`), or `--csv`. Bad input prints one line naming the
//! field and its allowed range, and exits with code 2; so does a run whose estimated
//! peak memory exceeds what the machine has available.

use adfd::budget;
use adfd::config::parse_h_list;
use adfd::experiment::{self, Experiment};
use adfd::problem::{ProblemKind, Sampling};
use adfd::rfm::Init;
use adfd::{Activation, Config, Error, Threshold, Valid};
use adfd::{ModelKind, Optimizer, Precision, RfmComparison, RfmReport};
use adfd::{TrainComparison, TrainReport};
use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc keeps freed pages for the next matrix of the same size, where glibc's
/// malloc returns them to the kernel and faults fresh ones in (Cargo.toml says more).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "adfd",
    version,
    about = "AD vs FD for neural PDE solvers: spectra, truncated entropy, training"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Random feature model: least squares with AD and FD operators on the same features and points.
    Rfm(RfmArgs),
    /// Train a network with AD and FD residual losses from the same init, one shared learning rate.
    Train(TrainArgs),
    /// Measure the paper's claims over many seeds and print how often each holds.
    Claims(ClaimsArgs),
}

#[derive(Args)]
struct ClaimsArgs {
    /// Seeds to run: a range `A..B` (B excluded) or a list `0,3,7` [default: 0..20]
    #[arg(long, value_parser = parse_seeds, default_value = "0..20")]
    seeds: Seeds,
    /// Problems, separated by commas [default: all four]
    #[arg(long, value_delimiter = ',', value_parser = parse::<ProblemKind>)]
    problems: Vec<ProblemKind>,
    /// Skip the network claims (4b–4d), which take most of the time
    #[arg(long)]
    no_networks: bool,
    /// Print the whole report as JSON
    #[arg(long)]
    json: bool,
}

/// Seeds given as `A..B` or `a,b,c`.
#[derive(Clone)]
struct Seeds(Vec<u64>);

fn parse_seeds(s: &str) -> Result<Seeds, String> {
    let bad = |t: &str| format!("invalid seeds: {t:?} is not a whole number 0..=2^53−1");
    let seed = |t: &str| {
        t.trim()
            .parse::<u64>()
            .ok()
            .filter(|&v| v <= adfd::config::MAX_SEED)
            .ok_or_else(|| bad(t))
    };
    let seeds: Vec<u64> = match s.split_once("..") {
        Some((a, b)) => (seed(a)?..seed(b)?).collect(),
        None => s.split(',').map(seed).collect::<Result<_, _>>()?,
    };
    match seeds.len() {
        1..=1000 => Ok(Seeds(seeds)),
        n => Err(format!("invalid seeds: {n} seeds given; run 1 to 1000")),
    }
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
    let bar = progress_bar("(problem, seed) pairs");
    if let Some(bar) = &bar {
        bar.set_length((problems.len() * seeds.len()) as u64);
    }
    let options = adfd::claims::Options {
        networks: !args.no_networks,
        sizes: false,
    };
    let report = adfd::claims::run(&problems, seeds, options, &|_, _, done| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    })
    .map_err(|e| e.to_string())?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    println!(
        "adfd claims over seeds {}..={} ({} seeds); {}",
        seeds.first().unwrap_or(&0),
        seeds.last().unwrap_or(&0),
        seeds.len(),
        report.settings
    );
    println!(
        "{:<5} {:<27} {:<22} {:>9} {:>9} {:>9} {:>9}  statement [setting; effect]",
        "claim", "problem", "size", "holds", "median", "p10", "p90"
    );
    let figure = adfd::report::table::figure;
    for r in &report.rows {
        println!(
            "{:<5} {:<27} {:<22} {:>9} {:>9} {:>9} {:>9}  {} [{}; {}]",
            r.claim,
            r.problem,
            r.size,
            format!("{}/{}", r.holds, r.seeds),
            figure(r.median),
            figure(r.p10),
            figure(r.p90),
            r.statement,
            r.setting,
            r.effect
        );
    }
    Ok(())
}

/// Output format shared by every subcommand.
#[derive(Args)]
#[group(multiple = false)]
struct Output {
    /// Print the full report as JSON (re-run it with --config).
    #[arg(long)]
    json: bool,
    /// Print one CSV row per run.
    #[arg(long)]
    csv: bool,
}

impl Output {
    /// Prints `report` as JSON (`--json`), CSV (`--csv`) or the readable `table`.
    fn print<R: serde::Serialize>(
        &self,
        report: &R,
        csv: fn(&R) -> String,
        table: fn(&R),
    ) -> Result<(), String> {
        if self.json {
            println!(
                "{}",
                serde_json::to_string(report).map_err(|e| e.to_string())?
            );
        } else if self.csv {
            print!("{}", csv(report));
        } else {
            table(report);
        }
        Ok(())
    }
}

/// Problem, points, FD steps and threshold: what every experiment shares. Unset flags
/// keep the value from --config, or adfd's default for the problem and precision.
#[derive(Args)]
struct Common {
    /// Start from this config: a config JSON, or a report printed by --json (its "config").
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// PDE: poisson1d, biharmonic1d, poisson2d, biharmonic2d [default: poisson1d]
    #[arg(long, value_parser = parse::<ProblemKind>)]
    problem: Option<ProblemKind>,
    /// Frequency k of the exact solution Π sin(kπx_i), 1..=16 [default: 1]
    #[arg(long)]
    k: Option<u32>,
    /// Activation: tanh, sin, sigmoid, softplus, gaussian, relu^k [default: tanh]
    #[arg(long, value_parser = parse::<Activation>)]
    activation: Option<Activation>,
    /// Interior collocation points (a 2-D grid uses ⌊√n⌋²) [default: 400]
    #[arg(long)]
    n: Option<usize>,
    /// Boundary points in 2-D; 0 = 4⌈√n⌉ [default: 0]
    #[arg(long)]
    n_boundary: Option<usize>,
    /// Point placement: grid or random [default: grid]
    #[arg(long, value_parser = parse::<Sampling>)]
    sampling: Option<Sampling>,
    /// Boundary weight λ > 0 [default: 1]
    #[arg(long)]
    lambda: Option<f64>,
    /// Seed of all random draws, 0..=2^53−1 [default: 1]
    #[arg(long)]
    seed: Option<u64>,
    /// FD steps h, separated by commas (or spaces), each in (0, 1]; AD always runs too [default: per problem and precision, see README]
    #[arg(long, value_parser = parse_h, allow_hyphen_values = true)]
    h: Option<HList>,
    /// Stencil accuracy order: 2 or 4 [default: 2]
    #[arg(long)]
    order: Option<u8>,
    /// Model evaluation precision: f64 or f32 [default: f64]
    #[arg(long, value_parser = parse::<Precision>)]
    precision: Option<Precision>,
    /// Threshold a of K(a) and H(a): relative (s_i > a·s_1, a in (0,1)) unless --absolute [default: 1e-8 in f64, 1e-5 in f32]
    #[arg(long)]
    threshold: Option<f64>,
    /// Read --threshold as absolute (s_i > a)
    #[arg(long)]
    absolute: bool,
}

#[derive(Args)]
struct RfmArgs {
    #[command(flatten)]
    common: Common,
    /// Number of random features m, 1..=20000 [default: 400]
    #[arg(long)]
    m: Option<usize>,
    /// Range R of the features: w, b ~ U[−R, R] (or N(0, R²)) [default: 10 in 1-D, 2 in 2-D]
    #[arg(long)]
    scale: Option<f64>,
    /// Feature distribution: uniform or normal [default: uniform]
    #[arg(long, value_parser = parse::<Init>)]
    init: Option<Init>,
    /// Least-squares cut: discard s_i ≤ rcond·s_1, rcond in (0,1) [default: 1e-13]
    #[arg(long)]
    rcond: Option<f64>,
    #[command(flatten)]
    output: Output,
}

#[derive(Args)]
struct TrainArgs {
    #[command(flatten)]
    common: Common,
    /// Width m of every hidden layer, 1..=5000 [default: 100]
    #[arg(long)]
    width: Option<usize>,
    /// Number of hidden layers L, 1..=8 (1 = the two-layer network) [default: 1]
    #[arg(long)]
    layers: Option<usize>,
    /// Init range R of the first layer: w, b ~ U[−R, R] [default: 5]
    #[arg(long, allow_hyphen_values = true)]
    scale: Option<f64>,
    /// Optimizer: gd, adam or lm (Levenberg–Marquardt) [default: gd]
    #[arg(long, value_parser = parse::<Optimizer>)]
    optimizer: Option<Optimizer>,
    /// Fixed learning rate shared by all runs, in (0, 1e6]
    #[arg(long, conflicts_with = "lr_scale", allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Shared learning rate c / λ_max of the AD run's initial kernel, c in (0, 100] [default: 0.5]
    #[arg(long, allow_hyphen_values = true)]
    lr_scale: Option<f64>,
    /// Step budget, 1..=1000000 [default: 2000]
    #[arg(long)]
    steps: Option<usize>,
    /// Record the kernel spectrum and true residual every this many steps [default: 50]
    #[arg(long)]
    every: Option<usize>,
    /// q: speed = steps until the loss falls by 10^q, q in (0, 30] [default: 2]
    #[arg(long, allow_hyphen_values = true)]
    decades: Option<f64>,
    /// Stop a run once its loss is ≤ this value
    #[arg(long, allow_hyphen_values = true)]
    loss_target: Option<f64>,
    #[command(flatten)]
    output: Output,
}

fn parse<T: std::str::FromStr<Err = Error>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: Error| e.to_string())
}

/// A list of FD steps `h` (a newtype so clap takes it as one value).
#[derive(Clone)]
struct HList(Vec<f64>);

fn parse_h(s: &str) -> Result<HList, String> {
    parse_h_list(s).map(HList).map_err(|e| e.to_string())
}

impl Common {
    /// The base config (from --config or the defaults) with every given flag applied.
    fn apply(&self) -> Result<Config, String> {
        let mut c = match &self.config {
            // adfd's defaults for the problem and precision asked for.
            None => Config::defaults_for(
                self.problem.unwrap_or_default(),
                self.precision.unwrap_or_default(),
            ),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("invalid config: cannot read {}: {e}", path.display()))?;
                let value: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| format!("invalid config: {e}"))?;
                let value = value.get("config").cloned().unwrap_or(value);
                serde_json::from_value(value).map_err(|e| format!("invalid config: {e}"))?
            }
        };
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = &self.$field { c.$field = v.clone(); })* };
        }
        set!(problem, k, activation, n, n_boundary, sampling, lambda, seed, order, precision);
        if let Some(HList(h)) = &self.h {
            c.h = h.clone();
        }
        if let Some(a) = self.threshold {
            c.threshold = if self.absolute {
                Threshold::Absolute(a)
            } else {
                Threshold::Relative(a)
            };
        } else if self.absolute {
            return Err("invalid threshold: --absolute needs --threshold".into());
        }
        Ok(c)
    }
}

fn rfm_config(args: &RfmArgs) -> Result<Valid<Config>, String> {
    let mut c = args.common.apply()?;
    if let Some(m) = args.m {
        c.rfm.m = m;
    }
    if let Some(s) = args.scale {
        c.rfm.scale = s;
    }
    if let Some(i) = args.init {
        c.rfm.init = i;
    }
    if let Some(r) = args.rcond {
        c.rfm.rcond = r;
    }
    c.model = ModelKind::Rfm;
    c.check().map_err(|e| e.to_string())
}

fn train_config(args: &TrainArgs) -> Result<Valid<Config>, String> {
    let mut c = args.common.apply()?;
    c.model = ModelKind::Network;
    macro_rules! set {
        ($($field:ident),*) => { $(if let Some(v) = args.$field { c.net.$field = v; })* };
    }
    set!(width, layers, scale);
    macro_rules! set_train {
        ($($field:ident),*) => { $(if let Some(v) = args.$field { c.train.$field = v; })* };
    }
    set_train!(optimizer, lr_scale, steps, every, decades);
    if args.lr.is_some() {
        c.train.lr = args.lr;
    }
    if args.lr_scale.is_some() {
        c.train.lr = None;
    }
    if args.loss_target.is_some() {
        c.train.loss_target = args.loss_target;
    }
    c.check().map_err(|e| e.to_string())
}

fn print_train(report: &TrainReport) {
    let c = &report.config;
    println!(
        "train  {}  k={}  {}  widths={:?}  n={}  scale={}  seed={}  order={}  {}  {}  steps={}",
        c.problem,
        c.k,
        c.activation,
        c.net.hidden(),
        c.n,
        c.net.scale,
        c.seed,
        c.order,
        c.precision,
        c.train.optimizer,
        c.train.steps
    );
    println!("shared learning rate {:e} ({})", report.lr, report.lr_rule);
    print!("{}", adfd::report::table::of_train(report).text());
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

fn print_rfm(report: &RfmReport) {
    let c = &report.config;
    println!(
        "RFM  {}  k={}  {}  m={}  n={}  scale={}  seed={}  order={}  {}",
        c.problem, c.k, c.activation, c.rfm.m, c.n, c.rfm.scale, c.seed, c.order, c.precision
    );
    print!("{}", adfd::report::table::of_rfm(report).text());
    println!(
        "All {} runs were fitted in {:.1} ms (wall; {} at once).",
        report.runs.len(),
        report.time_ms,
        adfd::experiment::runs_at_once(c)
    );
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Rfm(args) => {
            let config = rfm_config(&args)?;
            let report = run_with_bar::<RfmComparison>(&config, "runs", rfm_status)?;
            args.output.print(&report, adfd::report::rfm_csv, print_rfm)
        }
        Command::Train(args) => {
            let config = train_config(&args)?;
            let report = run_with_bar::<TrainComparison>(&config, "steps", train_status)?;
            args.output
                .print(&report, adfd::report::train_csv, print_train)
        }
        Command::Claims(args) => claims(&args),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("adfd: {message}");
            ExitCode::from(2)
        }
    }
}
