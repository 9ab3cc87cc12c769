//! `adfd claims`: the paper's claims (docs/science.md §6) and adfd's own about networks
//! that learn the solution, measured over many seeds.
//!
//! Each claim is a statement about one seed's runs (AD and several FD step sizes on the
//! same features, points or initialization). A claims run is a set of independent
//! (problem, seed) jobs ([`measure::evaluate`]); each gives one [`Evaluation`] per claim
//! (and network size), and the table's [`ClaimRow`]s summarize them: "holds on X of Y
//! seeds" with the median and the 10–90 % range of an effect size. Nothing is asserted
//! on a chosen seed: the table is the result. Because rows are computed from the
//! evaluations alone, reports of disjoint seed ranges [`merge`] into exactly the report
//! of one run over all of them: a long run can be split into shards of seeds, run on
//! many machines (`adfd claims --seeds A..B --json`, scripts/claims-slurm) and merged
//! (`adfd claims merge`).

pub mod measure;
pub mod stats;

pub use measure::{Size, DECADES, NET_H, RFM_H};

use crate::error::{Error, Result};
use crate::pde::problem::ProblemKind;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use stats::percentile;
use std::sync::Mutex;
use web_time::Instant;

/// A claim: its number (science.md §6, with a letter for its parts; 6 is adfd's own),
/// the statement tested on each seed, what it means for a student, and what its effect
/// figure measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Claim {
    /// `1`, `3a`, …
    pub id: &'static str,
    /// The statement evaluated on each seed.
    pub statement: &'static str,
    /// What it means, in a sentence for a student.
    pub meaning: &'static str,
    /// What the effect figure measures.
    pub effect: &'static str,
}

/// Every claim, in the table's order.
pub const CLAIMS: &[Claim] = &[
    Claim { id: "1", statement: "the leading singular value of A_FD approaches A_AD's like h² (observed order ≥ 1.5)", meaning: "FD and AD see the same big picture: the largest singular values agree, and closer as h shrinks.", effect: "observed order log₂(d(0.05)/d(0.025)), d = |s₁,FD − s₁,AD| / s₁,AD" },
    Claim { id: "2", statement: "FD keeps fewer spectral modes above the threshold than AD: K_FD < K_AD", meaning: "FD loses the fine detail: fewer directions of the model survive above the threshold.", effect: "K_AD − K_FD" },
    Claim { id: "3a", statement: "AD has the higher truncated entropy: H_AD > H_FD", meaning: "So FD's spectrum is less even: lower truncated entropy, fewer effective modes.", effect: "H_AD − H_FD" },
    Claim { id: "3b", statement: "the entropy gap shrinks as h → 0: H_AD − H_FD smaller at h = 0.01 than at 0.1", meaning: "A smaller h brings FD closer to AD…", effect: "(H_AD − H_FD at 0.01) / (H_AD − H_FD at 0.1)" },
    Claim { id: "3c", statement: "below the round-off floor FD's noise is counted as modes: K_FD > K_AD", meaning: "…until round-off noise (ε/hᵖ) is counted as modes: K jumps.", effect: "K_FD − K_AD below the floor" },
    Claim { id: "3d", statement: "deep in the round-off regime the entropy gap reopens: |H_AD − H_FD| larger than at h = 0.01", meaning: "Deep below the floor the noise even raises FD's entropy above AD's — entropy counts noise too, so watch the true residual.", effect: "H_AD − H_FD deep below the floor (negative: noise raised H_FD)" },
    Claim { id: "4a", statement: "higher entropy goes with a lower RFM true residual (Spearman ρ ≥ 0.8 across AD and h)", meaning: "For random features, more entropy means a smaller true PDE residual.", effect: "Spearman ρ(H, −log residual_true)" },
    Claim { id: "4b", statement: "higher initial kernel entropy goes with faster training on the own loss: Spearman ρ ≥ 0.8, speed = fewer steps to a 100-fold loss drop", meaning: "For networks under gradient descent, more initial entropy should mean faster training of the own loss.", effect: "Spearman ρ(H₀, −steps to 10⁻² loss); undefined when no run gets there" },
    Claim { id: "4c", statement: "higher initial kernel entropy goes with a larger drop of the own loss after a fixed number of steps: Spearman ρ ≥ 0.8", meaning: "The same, measured as the own loss's drop after a fixed number of steps.", effect: "Spearman ρ(H₀, loss₀ / loss_end)" },
    Claim { id: "4d", statement: "FD solves the PDE worse: its true residual after training exceeds AD's", meaning: "Whatever FD's own loss does, its true PDE residual after training is compared with AD's.", effect: "true residual FD(h = 0.2) / AD after training" },
    Claim { id: "4e", statement: "higher initial kernel entropy goes with a larger drop of the true residual: Spearman ρ ≥ 0.8", meaning: "Speed measured on what matters: how far the true PDE residual fell.", effect: "Spearman ρ(H₀, true residual₀ / true residual_end)" },
    Claim { id: "4f", statement: "higher initial kernel entropy goes with a larger drop of the solution error: Spearman ρ ≥ 0.8", meaning: "…and how far the solution's error fell.", effect: "Spearman ρ(H₀, L2 error₀ / L2 error_end)" },
    Claim { id: "5", statement: "the effect is larger for the biharmonic problem: its entropy gap exceeds Poisson's", meaning: "Higher-order PDEs widen the gap: the biharmonic problem suffers more than Poisson.", effect: "(H_AD − H_FD) biharmonic − (H_AD − H_FD) Poisson" },
    Claim { id: "6a", statement: "under Levenberg–Marquardt AD's network learns the solution: its relative L2 error reaches the target", meaning: "Trained to the solution (adfd's claim, beyond the paper): AD's network solves the PDE.", effect: "AD's relative L2 error" },
    Claim { id: "6b", statement: "each FD network stalls at its stencil's truncation error C·h²: observed order log₂(e(h)/e(h/2)) ≥ 1.7", meaning: "An FD network converges to the solution of its own stencil, not of the PDE: its error falls like h², not with training.", effect: "the smaller observed order of h = 0.2 → 0.1 and 0.1 → 0.05" },
    Claim { id: "6c", statement: "the own loss misleads: FD h = 0.2's own loss falls 10⁶-fold while its error stays ≥ 100× AD's", meaning: "A tiny FD loss does not mean a solved PDE.", effect: "L2 error FD(h = 0.2) / AD" },
];

/// A claim's statement on one seed (and, for networks, one size).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The claim's id.
    pub claim: String,
    /// The problem (or `biharmonic1d vs poisson1d`).
    pub problem: String,
    /// The network size (`None` for the RFM claims).
    pub size: Option<Size>,
    /// The settings of the statement.
    pub setting: String,
    /// The seed.
    pub seed: u64,
    /// Whether the statement holds on this seed.
    pub holds: bool,
    /// The effect figure.
    pub effect: f64,
}

/// One row of the table: a claim on one problem (or pair) and size, over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimRow {
    /// The claim's id.
    pub claim: String,
    /// The statement tested on each seed.
    pub statement: String,
    /// What it means for a student.
    pub meaning: String,
    /// The problem (or `biharmonic1d vs poisson1d`).
    pub problem: String,
    /// The network size (`n = 100, width 150`; `24 × 24, width 200`), empty for the RFM.
    pub size: String,
    /// Measured at the claims' own size ([`measure::claim_size`]; the RFM claims
    /// always), not only in the `--sizes` scan.
    pub at_claim_size: bool,
    /// The settings of the statement.
    pub setting: String,
    /// Seeds on which the statement holds.
    pub holds: usize,
    /// Seeds on which it could be evaluated.
    pub seeds: usize,
    /// What the effect figures measure.
    pub effect: String,
    /// Median effect over the evaluated seeds.
    #[serde(deserialize_with = "nullable")]
    pub median: f64,
    /// 10th percentile of the effect.
    #[serde(deserialize_with = "nullable")]
    pub p10: f64,
    /// 90th percentile of the effect.
    #[serde(deserialize_with = "nullable")]
    pub p90: f64,
}

/// Reads a figure that JSON wrote as `null` (serde_json's NaN or infinity) back as NaN,
/// so that every report `--json` printed reads back (a merge recomputes rows anyway).
fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// The whole table, the evaluations it summarizes, and how they were made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimsReport {
    /// adfd's version.
    pub adfd_version: String,
    /// The seeds run, ascending.
    pub seeds: Vec<u64>,
    /// The problems run.
    pub problems: Vec<ProblemKind>,
    /// Whether network claims were measured.
    pub networks: bool,
    /// Whether every size of the `--sizes` scan was measured (else the claim sizes).
    pub sizes: bool,
    /// One row per claim, problem and size.
    pub rows: Vec<ClaimRow>,
    /// Every claim on every seed: what the rows summarize.
    pub evaluations: Vec<Evaluation>,
    /// What the settings are.
    pub settings: String,
}

/// What to measure besides the RFM claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Measure the network claims (most of the time).
    pub networks: bool,
    /// Measure the network claims at every size of [`measure::scan_sizes`], not only
    /// at [`measure::claim_size`].
    pub sizes: bool,
}

/// The settings line carried in every claims report.
pub fn settings() -> String {
    use measure::{claim_size, gd_steps, lm_steps};
    let (one, two) = (claim_size(1).label(1), claim_size(2).label(2));
    let (p1, b1, p2) = (
        ProblemKind::Poisson1d,
        ProblemKind::Biharmonic1d,
        ProblemKind::Poisson2d,
    );
    format!(
        "RFM: adfd's defaults per problem (m = n = 400, tanh, f64, threshold 1e-8 relative), FD h = 0.1, 0.05, 0.025, 0.01, one h just below the round-off floor and one deep below it; networks: two-layer, tanh, {one} (1-D) and {two} (2-D), init R = {} (1-D) or {} (2-D), FD h = 0.2, 0.1, 0.05, from one initialization trained by GD at lr = 0.5/λ_max(AD kernel at init) for {} (Poisson) or {} (biharmonic) steps and by Levenberg–Marquardt (μ₀ = 1e-3) for {} (1-D) or {} (2-D) steps",
        measure::net_scale(1),
        measure::net_scale(2),
        gd_steps(p1),
        gd_steps(b1),
        lm_steps(p1),
        lm_steps(p2),
    )
}

/// One (problem, seed) job of a claims run, just finished: what [`run`] tells its
/// `progress` callback.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobDone {
    /// The job's problem.
    pub problem: ProblemKind,
    /// The job's seed.
    pub seed: u64,
    /// Jobs finished so far, this one included: 1, 2, … `total`, in the order of the calls.
    pub done: usize,
    /// Jobs in the run: problems × seeds.
    pub total: usize,
    /// This job's wall time in seconds.
    pub seconds: f64,
    /// Whether it measured (else the run fails with its error).
    pub ok: bool,
}

/// Runs every seed on every problem (jobs in parallel natively) and builds the table.
/// `progress` is called after each (problem, seed) job, one call at a time.
pub fn run(
    problems: &[ProblemKind],
    seeds: &[u64],
    options: Options,
    progress: &(dyn Fn(&JobDone) + Sync),
) -> Result<ClaimsReport> {
    let jobs: Vec<(ProblemKind, u64)> = problems
        .iter()
        .flat_map(|&p| seeds.iter().map(move |&s| (p, s)))
        .collect();
    let total = jobs.len();
    // Held while `progress` runs, so its calls count up in order and never overlap.
    let done = Mutex::new(0);
    let results = jobs
        .par_iter()
        .map(|&(p, s)| {
            let sizes = if options.sizes {
                measure::scan_sizes(p.dim()).to_vec()
            } else {
                vec![measure::claim_size(p.dim())]
            };
            let start = Instant::now();
            let job = measure::evaluate(p, s, options.networks, &sizes);
            let seconds = start.elapsed().as_secs_f64();
            let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
            *done += 1;
            progress(&JobDone {
                problem: p,
                seed: s,
                done: *done,
                total,
                seconds,
                ok: job.is_ok(),
            });
            job.map(|j| (p, s, j))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut evaluations: Vec<Evaluation> = results
        .iter()
        .flat_map(|(_, _, j)| j.evaluations.clone())
        .collect();
    // Claim 5 compares two problems on the same seed.
    for (bih, poi) in [
        (ProblemKind::Biharmonic1d, ProblemKind::Poisson1d),
        (ProblemKind::Biharmonic2d, ProblemKind::Poisson2d),
    ] {
        let gap = |p: ProblemKind, s: u64| {
            results
                .iter()
                .find(|(q, t, _)| *q == p && *t == s)
                .map(|r| r.2.rfm_gap)
        };
        for &s in seeds {
            if let (Some(b), Some(q)) = (gap(bih, s), gap(poi, s)) {
                evaluations.push(Evaluation {
                    claim: "5".into(),
                    problem: format!("{bih} vs {poi}"),
                    size: None,
                    setting: "RFM, h = 0.1, same seed".into(),
                    seed: s,
                    holds: b - q > 0.0,
                    effect: b - q,
                });
            }
        }
    }
    let mut seeds = seeds.to_vec();
    seeds.sort_unstable();
    Ok(report(seeds, problems.to_vec(), options, evaluations))
}

/// The report of `evaluations`: sorted into their canonical order and summarized.
fn report(
    seeds: Vec<u64>,
    problems: Vec<ProblemKind>,
    options: Options,
    mut evaluations: Vec<Evaluation>,
) -> ClaimsReport {
    evaluations.sort_by_key(order);
    ClaimsReport {
        adfd_version: env!("CARGO_PKG_VERSION").into(),
        seeds,
        problems,
        networks: options.networks,
        sizes: options.sizes,
        rows: summarize(&evaluations),
        evaluations,
        settings: settings(),
    }
}

/// Where an evaluation sorts: by problem (single problems in their order, then pairs
/// by name), claim, size and seed.
fn order(e: &Evaluation) -> (usize, String, usize, Option<(usize, usize)>, u64) {
    let problem = ProblemKind::NAMES
        .iter()
        .position(|&n| n == e.problem)
        .unwrap_or(ProblemKind::NAMES.len());
    let claim = CLAIMS
        .iter()
        .position(|c| c.id == e.claim)
        .unwrap_or(CLAIMS.len());
    let size = e.size.map(|s| (s.n, s.width));
    (problem, e.problem.clone(), claim, size, e.seed)
}

/// One row per (problem, claim, size) of evaluations in canonical order.
fn summarize(evaluations: &[Evaluation]) -> Vec<ClaimRow> {
    evaluations
        .chunk_by(|a, b| a.problem == b.problem && a.claim == b.claim && a.size == b.size)
        .map(|group| {
            let first = &group[0];
            let claim = CLAIMS.iter().find(|c| c.id == first.claim);
            let mut effects: Vec<f64> = group.iter().map(|e| e.effect).collect();
            effects.sort_by(f64::total_cmp);
            let dim = if first.problem.contains("2d") { 2 } else { 1 };
            ClaimRow {
                claim: first.claim.clone(),
                statement: claim.map_or("", |c| c.statement).into(),
                meaning: claim.map_or("", |c| c.meaning).into(),
                problem: first.problem.clone(),
                size: first.size.map_or(String::new(), |s| s.label(dim)),
                at_claim_size: first.size.is_none_or(|s| s == measure::claim_size(dim)),
                setting: first.setting.clone(),
                holds: group.iter().filter(|e| e.holds).count(),
                seeds: group.len(),
                effect: claim.map_or("", |c| c.effect).into(),
                median: percentile(&effects, 0.5),
                p10: percentile(&effects, 0.1),
                p90: percentile(&effects, 0.9),
            }
        })
        .collect()
}

/// One report from the reports of disjoint seed ranges (shards of one claims run): the
/// same rows, bit for bit, as one run over the union of their seeds. The shards must
/// agree on adfd's version, the problems and what was measured; errors name a shard by
/// its place (`report 2`). [`merge_named`] names them.
pub fn merge(shards: Vec<ClaimsReport>) -> Result<ClaimsReport> {
    merge_named(
        shards
            .into_iter()
            .enumerate()
            .map(|(i, s)| (format!("report {}", i + 1), s))
            .collect(),
    )
}

/// [`merge`] of shards with names (their files): an error says which shard is wrong
/// and how, in one line (`b.json: its problems (poisson1d) differ from a.json's
/// (poisson1d, biharmonic1d); …`). Shard rows are not read: the merged rows are
/// recomputed from the evaluations.
pub fn merge_named(shards: Vec<(String, ClaimsReport)>) -> Result<ClaimsReport> {
    let Some((first_name, first)) = shards.first() else {
        return Err(Error::invalid("shards", "no claims report to merge"));
    };
    let (first_name, problems) = (first_name.clone(), first.problems.clone());
    let (networks, sizes) = (first.networks, first.sizes);
    let version = first.adfd_version.clone();
    let list = |p: &[ProblemKind]| {
        let names: Vec<String> = p.iter().map(|p| p.to_string()).collect();
        names.join(", ")
    };
    let measured = |networks: bool, sizes: bool| match (networks, sizes) {
        (false, _) => "--no-networks",
        (true, false) => "networks at the claim size",
        (true, true) => "networks at every size (--sizes)",
    };
    // Which shard each seed came from, to name both shards of an overlap.
    let mut seen: Vec<(u64, usize)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut evaluations = Vec::new();
    for (i, (name, shard)) in shards.into_iter().enumerate() {
        let wrong = |what: String| Error::invalid("shards", format!("{name}: {what}"));
        let differs = |what: &str, this: String, that: String| {
            let verb = if what.ends_with('s') {
                "differ"
            } else {
                "differs"
            };
            wrong(format!(
                "its {what} ({this}) {verb} from {first_name}'s ({that}); only shards of one claims run merge"
            ))
        };
        if shard.adfd_version != version {
            return Err(differs(
                "adfd version",
                shard.adfd_version.clone(),
                version.clone(),
            ));
        }
        if shard.problems != problems {
            return Err(differs("problems", list(&shard.problems), list(&problems)));
        }
        if (shard.networks, shard.sizes) != (networks, sizes) {
            return Err(differs(
                "measurements",
                measured(shard.networks, shard.sizes).into(),
                measured(networks, sizes).into(),
            ));
        }
        if shard.seeds.is_empty() {
            return Err(wrong("it has no seeds".into()));
        }
        for &s in &shard.seeds {
            if let Some(&(_, j)) = seen.iter().find(|(t, _)| *t == s) {
                let other = if j == i { "itself, twice" } else { &names[j] };
                return Err(wrong(format!(
                    "seed {s} is also in {other}; shards must have disjoint seeds"
                )));
            }
            seen.push((s, i));
        }
        if let Some(e) = shard
            .evaluations
            .iter()
            .find(|e| !shard.seeds.contains(&e.seed))
        {
            return Err(wrong(format!(
                "an evaluation of claim {} is on seed {}, which is not among its seeds",
                e.claim, e.seed
            )));
        }
        names.push(name);
        evaluations.extend(shard.evaluations);
    }
    let mut seeds: Vec<u64> = seen.into_iter().map(|(s, _)| s).collect();
    seeds.sort_unstable();
    Ok(report(
        seeds,
        problems,
        Options { networks, sizes },
        evaluations,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluation(claim: &str, problem: &str, seed: u64, effect: f64) -> Evaluation {
        Evaluation {
            claim: claim.into(),
            problem: problem.into(),
            size: None,
            setting: "s".into(),
            seed,
            holds: effect > 0.0,
            effect,
        }
    }

    #[test]
    fn rows_count_and_summarize_each_claim_problem_and_size() {
        let evals = vec![
            evaluation("2", "poisson1d", 0, 3.0),
            evaluation("2", "poisson1d", 1, -1.0),
            evaluation("2", "poisson1d", 2, 5.0),
            evaluation("1", "biharmonic1d", 0, 2.0),
        ];
        let r = report(
            vec![0, 1, 2],
            vec![],
            Options {
                networks: false,
                sizes: false,
            },
            evals,
        );
        assert_eq!(r.rows.len(), 2);
        let p = &r.rows[0];
        assert_eq!((p.claim.as_str(), p.problem.as_str()), ("2", "poisson1d"));
        assert_eq!((p.holds, p.seeds, p.median), (2, 3, 3.0));
        assert_eq!(r.rows[1].problem, "biharmonic1d", "problems in their order");
    }

    /// Rows of the two problem pairs of claim 5 stay apart, whatever the seeds.
    #[test]
    fn each_problem_pair_is_one_row() {
        let evals = (0..4)
            .flat_map(|s| {
                [
                    evaluation("5", "biharmonic1d vs poisson1d", s, 1.0),
                    evaluation("5", "biharmonic2d vs poisson2d", s, 1.0),
                ]
            })
            .collect();
        let options = Options {
            networks: false,
            sizes: false,
        };
        let r = report((0..4).collect(), vec![], options, evals);
        assert_eq!(r.rows.len(), 2);
        assert!(r.rows.iter().all(|row| row.seeds == 4));
    }

    #[test]
    fn merging_shards_gives_the_report_of_all_their_seeds_and_refuses_overlaps() {
        let opts = Options {
            networks: false,
            sizes: false,
        };
        let all: Vec<Evaluation> = (0..6)
            .map(|s| evaluation("3a", "poisson2d", s, s as f64 - 2.0))
            .collect();
        let whole = report(
            (0..6).collect(),
            vec![ProblemKind::Poisson2d],
            opts,
            all.clone(),
        );
        let shard = |seeds: std::ops::Range<u64>| {
            let e = all
                .iter()
                .filter(|e| seeds.contains(&e.seed))
                .cloned()
                .collect();
            report(seeds.collect(), vec![ProblemKind::Poisson2d], opts, e)
        };
        let merged = merge(vec![shard(3..6), shard(0..3)]).unwrap();
        assert_eq!(merged, whole);
        assert!(
            merge(vec![shard(0..4), shard(3..6)]).is_err(),
            "seed 3 twice"
        );
        assert!(merge(vec![]).is_err());
    }

    #[test]
    fn a_shard_that_does_not_belong_is_named_with_what_is_wrong() {
        let opts = Options {
            networks: false,
            sizes: false,
        };
        let shard = |seeds: std::ops::Range<u64>| {
            let e = seeds
                .clone()
                .map(|s| evaluation("2", "poisson1d", s, 1.0))
                .collect();
            report(seeds.collect(), vec![ProblemKind::Poisson1d], opts, e)
        };
        let named = |shards: Vec<ClaimsReport>| {
            let named = shards
                .into_iter()
                .enumerate()
                .map(|(i, s)| (format!("s{i}.json"), s))
                .collect();
            merge_named(named).unwrap_err().to_string()
        };
        let mut old = shard(2..4);
        old.adfd_version = "0.0.1".into();
        let mut other = shard(2..4);
        other.problems.push(ProblemKind::Biharmonic1d);
        let mut networks = shard(2..4);
        networks.networks = true;
        let mut stray = shard(2..4);
        stray.evaluations[1].seed = 7;
        let empty = report(vec![], vec![ProblemKind::Poisson1d], opts, vec![]);
        for (second, says) in [
            (old, "s1.json: its adfd version (0.0.1) differs from s0.json's (0.1.0)"),
            (other, "s1.json: its problems (poisson1d, biharmonic1d) differ from s0.json's (poisson1d)"),
            (networks, "s1.json: its measurements (networks at the claim size) differ from s0.json's (--no-networks)"),
            (shard(1..3), "s1.json: seed 1 is also in s0.json; shards must have disjoint seeds"),
            (stray, "s1.json: an evaluation of claim 2 is on seed 7, which is not among its seeds"),
            (empty, "s1.json: it has no seeds"),
        ] {
            let e = named(vec![shard(0..2), second]);
            assert!(e.starts_with("invalid shards: ") && e.contains(says), "{e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
        let mut twice = shard(0..2);
        twice.seeds.push(0);
        assert!(named(vec![twice]).contains("seed 0 is also in itself, twice"));
    }

    #[test]
    fn a_report_with_undefined_figures_reads_back() {
        let mut r = report(
            vec![0],
            vec![ProblemKind::Poisson1d],
            Options {
                networks: false,
                sizes: false,
            },
            vec![evaluation("2", "poisson1d", 0, 1.0)],
        );
        r.rows[0].p90 = f64::NAN;
        let text = serde_json::to_string(&r).unwrap();
        assert!(text.contains("\"p90\":null"), "{text}");
        let back: ClaimsReport = serde_json::from_str(&text).unwrap();
        assert!(back.rows[0].p90.is_nan());
        assert_eq!(back.evaluations, r.evaluations);
    }

    #[test]
    fn every_claim_has_its_words() {
        for c in CLAIMS {
            assert!(
                !c.statement.is_empty() && !c.meaning.is_empty() && !c.effect.is_empty(),
                "{}",
                c.id
            );
        }
    }
}
