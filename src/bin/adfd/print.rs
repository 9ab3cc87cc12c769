//! The readable tables `adfd rfm`, `adfd train` and `adfd claims` print by default: a
//! line of settings, then the run table the page's readouts show too
//! ([`adfd::report::table`]).

use adfd::claims::ClaimsReport;
use adfd::report::table::{self, figure};
use adfd::{RfmReport, TrainReport};

/// The RFM's settings line, then its run table.
pub fn print_rfm(report: &RfmReport) {
    let c = &report.config;
    println!(
        "RFM  {}  k={}  {}  m={}  n={}  scale={}  seed={}  order={}  {}",
        c.problem, c.k, c.activation, c.rfm.m, c.n, c.rfm.scale, c.seed, c.order, c.precision
    );
    print!("{}", table::of_rfm(report).text());
    println!(
        "All {} runs were fitted in {:.1} ms (wall; {} at once).",
        report.runs.len(),
        report.time_ms,
        adfd::experiment::runs_at_once(c)
    );
}

/// The training's settings and learning-rate lines, then its run table.
pub fn print_train(report: &TrainReport) {
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
    print!("{}", table::of_train(report).text());
}

/// Ascending seeds as runs: `0..=19`, or `0..=4, 10..=14, 17` after merging shards
/// that leave gaps.
pub fn seed_runs(seeds: &[u64]) -> String {
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for &s in seeds {
        match runs.last_mut() {
            Some((_, last)) if s == *last + 1 => *last = s,
            _ => runs.push((s, s)),
        }
    }
    let text: Vec<String> = runs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}..={b}")
            }
        })
        .collect();
    text.join(", ")
}

/// The claims table: one row per claim, problem and size.
pub fn print_claims(report: &ClaimsReport) {
    println!(
        "adfd claims over seeds {} ({} seeds); {}",
        seed_runs(&report.seeds),
        report.seeds.len(),
        report.settings
    );
    println!(
        "{:<5} {:<27} {:<22} {:>9} {:>9} {:>9} {:>9}  statement [setting; effect]",
        "claim", "problem", "size", "holds", "median", "p10", "p90"
    );
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
}

#[cfg(test)]
mod tests {
    use super::seed_runs;

    #[test]
    fn seeds_print_as_runs() {
        assert_eq!(seed_runs(&[0, 1, 2, 3]), "0..=3");
        assert_eq!(seed_runs(&[0, 1, 5, 7, 8]), "0..=1, 5, 7..=8");
        assert_eq!(seed_runs(&[4]), "4");
        assert_eq!(seed_runs(&[]), "");
    }
}
