//! `adfd claims`: the paper's claims (science.md §6) measured over many seeds.
//!
//! Each claim is a statement about one seed's runs (AD and several FD steps on the
//! same features, points or initialization); it is run on every seed and problem and
//! summarized as "holds on X of Y seeds" with the median and the 10–90 % range of an
//! effect size. Nothing is asserted on a chosen seed: the table is the result.
//!
//! Settings (adfd's, see the README): RFMs at [`Config::defaults_for`] the problem
//! (m = n = 400, tanh) with FD steps [`RFM_H`] and one step below the round-off floor
//! ([`floor_h`]); two-layer networks of width 50 on n = 50 points (a 7 × 7 grid in
//! 2-D), init scale R = 5, GD at one shared learning rate `0.5/λ_max` of the AD
//! kernel, FD steps [`NET_H`], a step budget per problem ([`net_budget`]).

use crate::config::settings::field;
use crate::config::{Config, ModelKind};
use crate::error::Result;
use crate::experiment;
use crate::jet::Precision;
use crate::problem::ProblemKind;
use crate::report::{RfmReport, TrainReport};
use rayon::prelude::*;
use serde::Serialize;

/// FD steps of the RFM measurements, all in the truncation regime at the defaults.
pub const RFM_H: [f64; 4] = [1e-1, 5e-2, 2.5e-2, 1e-2];
/// FD steps of the network measurements.
pub const NET_H: [f64; 3] = [2e-1, 1e-1, 5e-2];
/// `q`: network speed counts the steps until the loss falls by `10^q`.
pub const DECADES: f64 = 2.0;
/// Width of the two-layer networks measured.
pub const NET_WIDTH: usize = 50;
/// Interior points of the network measurements (a 7 × 7 grid in 2-D).
pub const NET_N: usize = 50;
/// Init scale `R` of the networks measured.
pub const NET_SCALE: f64 = 5.0;

/// An FD step below the round-off floor of `problem` at its defaults in f64, where
/// FD's noise lifts its smallest singular values above the threshold.
pub fn floor_h(problem: ProblemKind) -> f64 {
    match problem {
        ProblemKind::Poisson1d => 1e-5,
        ProblemKind::Biharmonic1d => 1e-3,
        ProblemKind::Poisson2d => 1e-5,
        ProblemKind::Biharmonic2d => 1e-3,
    }
}

/// An FD step deep in the round-off regime of `problem` at its defaults in f64, where
/// the noise is large enough to raise FD's truncated entropy too.
pub fn deep_h(problem: ProblemKind) -> f64 {
    match problem {
        ProblemKind::Poisson1d | ProblemKind::Poisson2d => 1e-7,
        ProblemKind::Biharmonic1d => 1e-5,
        ProblemKind::Biharmonic2d => 1e-4,
    }
}

/// The step budget of the network measurements on `problem`.
pub fn net_budget(problem: ProblemKind) -> usize {
    match problem {
        ProblemKind::Poisson1d | ProblemKind::Poisson2d => 400,
        ProblemKind::Biharmonic1d | ProblemKind::Biharmonic2d => 1000,
    }
}

/// What one seed's runs on one problem measured.
#[derive(Clone, Debug)]
pub struct SeedMeasures {
    /// The problem.
    pub problem: ProblemKind,
    /// The seed.
    pub seed: u64,
    /// RFM: AD, then FD at each step of [`rfm_h`].
    pub rfm: RfmReport,
    /// Networks: AD, then FD at each of [`NET_H`] (absent if not measured).
    pub net: Option<TrainReport>,
}

/// The RFM's FD steps on `problem`: [`RFM_H`], then [`floor_h`] and [`deep_h`].
pub fn rfm_h(problem: ProblemKind) -> Vec<f64> {
    let mut h = RFM_H.to_vec();
    h.extend([floor_h(problem), deep_h(problem)]);
    h
}

/// Runs the RFM (and, with `networks`, the network) measurements of `problem` on `seed`.
pub fn measure(problem: ProblemKind, seed: u64, networks: bool) -> Result<SeedMeasures> {
    let mut c = Config::defaults_for(problem, Precision::F64);
    c.seed = seed;
    c.h = rfm_h(problem);
    let rfm = experiment::run_rfm(&c.check()?)?;
    let net = if networks {
        let mut c = Config::defaults_for(problem, Precision::F64);
        c.seed = seed;
        c.model = ModelKind::Network;
        c.n = NET_N;
        c.net.width = NET_WIDTH;
        c.net.scale = NET_SCALE;
        c.h = NET_H.to_vec();
        c.train.steps = net_budget(problem);
        c.train.every = c.train.steps;
        c.train.decades = DECADES;
        Some(experiment::run_train(&c.check()?)?)
    } else {
        None
    };
    Ok(SeedMeasures {
        problem,
        seed,
        rfm,
        net,
    })
}

/// One row of the table: a claim on one problem (or pair), over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClaimRow {
    /// The claim's number in science.md §6, with a letter for its parts.
    pub claim: String,
    /// The statement tested on each seed.
    pub statement: String,
    /// The problem (or `biharmonic1d vs poisson1d`).
    pub problem: String,
    /// The settings of the statement.
    pub setting: String,
    /// Seeds on which the statement holds.
    pub holds: usize,
    /// Seeds on which it could be evaluated.
    pub seeds: usize,
    /// What the effect figures measure.
    pub effect: String,
    /// Median effect over the evaluated seeds.
    pub median: f64,
    /// 10th percentile of the effect.
    pub p10: f64,
    /// 90th percentile of the effect.
    pub p90: f64,
}

/// The whole table and how it was made.
#[derive(Clone, Debug, Serialize)]
pub struct ClaimsReport {
    /// adfd's version.
    pub adfd_version: &'static str,
    /// The seeds run.
    pub seeds: Vec<u64>,
    /// The problems run.
    pub problems: Vec<ProblemKind>,
    /// Whether network claims were measured.
    pub networks: bool,
    /// One row per claim and problem.
    pub rows: Vec<ClaimRow>,
    /// What the settings are ([`settings`]).
    pub settings: String,
}

/// The settings line carried in every claims report: adfd's defaults in f64 as the
/// settings table reads them off [`Config::defaults_for`], and the claims' own settings.
pub fn settings() -> String {
    let poisson1d = Config::defaults_for(ProblemKind::Poisson1d, Precision::F64);
    let text = |key: &str| field(key).map_or(String::new(), |f| (f.get)(&poisson1d));
    let per_problem = |key: &str| field(key).map_or(String::new(), |f| f.default_summary());
    let list = |h: &[f64]| {
        h.iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "RFM: adfd's defaults per problem (m = {}, n = {}, {}, R = {}, threshold {} {}, f64), \
         FD h = {}, one h just below the round-off floor and one deep below it; \
         networks: two-layer, width {NET_WIDTH}, n = {NET_N} (7×7 in 2-D), R = {NET_SCALE}, \
         {} at lr = {}/λ_max(AD kernel at init), FD h = {}, {} steps (Poisson) or {} \
         (biharmonic), speed = steps until the loss falls {}-fold",
        text("m"),
        text("n"),
        text("activation"),
        per_problem("scale"),
        text("threshold"),
        text("threshold_kind"),
        list(&RFM_H),
        text("optimizer").to_uppercase(),
        text("lr_scale"),
        list(&NET_H),
        net_budget(ProblemKind::Poisson1d),
        net_budget(ProblemKind::Biharmonic1d),
        10f64.powf(DECADES),
    )
}

/// Runs every seed on every problem (in parallel natively) and builds the table.
/// `progress` is called after each (problem, seed) with the number done so far.
pub fn run(
    problems: &[ProblemKind],
    seeds: &[u64],
    networks: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<ClaimsReport> {
    let jobs: Vec<(ProblemKind, u64)> = problems
        .iter()
        .flat_map(|&p| seeds.iter().map(move |&s| (p, s)))
        .collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let measures = jobs
        .par_iter()
        .map(|&(p, s)| {
            let m = measure(p, s, networks);
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            m
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ClaimsReport {
        adfd_version: env!("CARGO_PKG_VERSION"),
        seeds: seeds.to_vec(),
        problems: problems.to_vec(),
        networks,
        rows: table(&measures),
        settings: settings(),
    })
}

/// A statement evaluated on one seed: `None` where it is undefined on that seed.
type Evaluation = Option<(bool, f64)>;

fn row(
    claim: &str,
    statement: &str,
    problem: String,
    setting: &str,
    effect: &str,
    evaluations: impl Iterator<Item = Evaluation>,
) -> ClaimRow {
    let evaluated: Vec<(bool, f64)> = evaluations.flatten().collect();
    let mut effects: Vec<f64> = evaluated.iter().map(|e| e.1).collect();
    effects.sort_by(f64::total_cmp);
    ClaimRow {
        claim: claim.into(),
        statement: statement.into(),
        problem,
        setting: setting.into(),
        holds: evaluated.iter().filter(|e| e.0).count(),
        seeds: evaluated.len(),
        effect: effect.into(),
        median: percentile(&effects, 0.5),
        p10: percentile(&effects, 0.1),
        p90: percentile(&effects, 0.9),
    }
}

/// The `q`-quantile of sorted values, linearly interpolated (NaN if empty).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let x = q * (sorted.len() - 1) as f64;
    let (i, f) = (x.floor() as usize, x - x.floor());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] + f * (next - sorted[i])
}

/// Spearman's rank correlation of `x` and `y` (average ranks for ties); NaN when
/// either is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            for &k in &idx[i..=j] {
                r[k] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        r
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

/// The RFM runs of one measurement: AD, then FD at each step of [`rfm_h`].
fn rfm_runs(m: &SeedMeasures) -> &[crate::report::RfmRun] {
    &m.rfm.runs
}

/// Index of the run with step `h` in a report whose runs are AD then `hs`.
fn at(hs: &[f64], h: f64) -> usize {
    1 + hs.iter().position(|&x| x == h).expect("a measured step")
}

/// The table from every (problem, seed) measurement.
pub fn table(measures: &[SeedMeasures]) -> Vec<ClaimRow> {
    let mut problems: Vec<ProblemKind> = measures.iter().map(|m| m.problem).collect();
    problems.dedup();
    let mut rows = Vec::new();
    for &p in &problems {
        let mine: Vec<&SeedMeasures> = measures.iter().filter(|m| m.problem == p).collect();
        let name = p.to_string();
        let rfm_h = rfm_h(p);
        rows.push(row(
            "1",
            "the leading singular value of A_FD approaches A_AD's like h² (observed order ≥ 1.5)",
            name.clone(),
            "h = 0.05 → 0.025",
            "observed order log₂(d(0.05)/d(0.025)), d = |s₁,FD − s₁,AD| / s₁,AD",
            mine.iter().map(|m| {
                let r = rfm_runs(m);
                let s1 = r[0].singular_values[0];
                let d = |h: f64| (r[at(&rfm_h, h)].singular_values[0] - s1).abs() / s1;
                let order = (d(5e-2) / d(2.5e-2)).log2();
                order.is_finite().then_some((order >= 1.5, order))
            }),
        ));
        rows.push(row(
            "2",
            "FD keeps fewer spectral modes above the cut than AD: K_FD < K_AD",
            name.clone(),
            "h = 0.1, a = 1e-8",
            "K_AD − K_FD",
            mine.iter().map(|m| {
                let r = rfm_runs(m);
                let gap = r[0].cutoff as f64 - r[at(&rfm_h, 0.1)].cutoff as f64;
                Some((gap > 0.0, gap))
            }),
        ));
        let gap = |m: &SeedMeasures, h: f64| {
            let r = rfm_runs(m);
            r[0].entropy - r[at(&rfm_h, h)].entropy
        };
        rows.push(row(
            "3a",
            "AD has the higher truncated entropy: H_AD > H_FD",
            name.clone(),
            "h = 0.1, a = 1e-8",
            "H_AD − H_FD",
            mine.iter().map(|m| {
                let g = gap(m, 0.1);
                Some((g > 0.0, g))
            }),
        ));
        rows.push(row(
            "3b",
            "the entropy gap shrinks as h → 0: H_AD − H_FD smaller at h = 0.01 than at 0.1",
            name.clone(),
            "h = 0.1 → 0.01",
            "(H_AD − H_FD at 0.01) / (H_AD − H_FD at 0.1)",
            mine.iter().map(|m| {
                let (coarse, fine) = (gap(m, 0.1), gap(m, 0.01));
                Some((fine < coarse, fine / coarse))
            }),
        ));
        let floor = floor_h(p);
        let below = format!("h = {floor:e} vs 0.01");
        rows.push(row(
            "3c",
            "below the round-off floor FD's noise is counted as modes: K_FD > K_AD",
            name.clone(),
            &below,
            "K_FD − K_AD below the floor",
            mine.iter().map(|m| {
                let r = rfm_runs(m);
                let extra = r[at(&rfm_h, floor)].cutoff as f64 - r[0].cutoff as f64;
                Some((extra > 0.0, extra))
            }),
        ));
        let deep = deep_h(p);
        rows.push(row(
            "3d",
            "deep in the round-off regime the entropy gap reopens: |H_AD − H_FD| larger than at h = 0.01",
            name.clone(),
            &format!("h = {deep:e} vs 0.01"),
            "H_AD − H_FD deep below the floor (negative: noise raised H_FD)",
            mine.iter().map(|m| {
                let (fine, below) = (gap(m, 0.01), gap(m, deep));
                Some((below.abs() > fine.abs(), below))
            }),
        ));
        rows.push(row(
            "4a",
            "higher entropy goes with a lower RFM true residual (Spearman ρ ≥ 0.8 across AD and h)",
            name.clone(),
            "AD, h = 0.1, 0.05, 0.025, 0.01",
            "Spearman ρ(H, −log residual_true)",
            mine.iter().map(|m| {
                let r = &rfm_runs(m)[..=RFM_H.len()];
                let h: Vec<f64> = r.iter().map(|r| r.entropy).collect();
                let res: Vec<f64> = r.iter().map(|r| -r.residual_true.ln()).collect();
                let rho = spearman(&h, &res);
                rho.is_finite().then_some((rho >= 0.8, rho))
            }),
        ));
        if mine.iter().all(|m| m.net.is_some()) {
            let nets: Vec<&TrainReport> = mine.iter().filter_map(|m| m.net.as_ref()).collect();
            let setting = format!(
                "two-layer, GD, shared lr, h = 0.2, 0.1, 0.05, {} steps",
                net_budget(p)
            );
            let h0 = |t: &TrainReport| -> Vec<f64> {
                t.runs.iter().map(|r| r.kernel[0].entropy).collect()
            };
            rows.push(row(
                "4b",
                "higher initial kernel entropy goes with faster training: Spearman ρ ≥ 0.8, speed = fewer steps to a 100-fold loss drop",
                name.clone(),
                &setting,
                "Spearman ρ(H₀, −steps to 10⁻² loss); undefined when no run gets there",
                nets.iter().map(|t| {
                    let budget = net_budget(p);
                    let steps: Vec<f64> = t
                        .runs
                        .iter()
                        .map(|r| -(r.speed.steps_to_target.unwrap_or(budget + 1) as f64))
                        .collect();
                    let reached = t.runs.iter().any(|r| r.speed.steps_to_target.is_some());
                    let rho = spearman(&h0(t), &steps);
                    (reached && rho.is_finite()).then_some((rho >= 0.8, rho))
                }),
            ));
            rows.push(row(
                "4c",
                "higher initial kernel entropy goes with a larger loss drop after the budget: Spearman ρ ≥ 0.8",
                name.clone(),
                &setting,
                "Spearman ρ(H₀, loss₀ / loss_end)",
                nets.iter().map(|t| {
                    let drop: Vec<f64> = t.runs.iter().map(|r| r.speed.loss_reduction).collect();
                    let rho = spearman(&h0(t), &drop);
                    rho.is_finite().then_some((rho >= 0.8, rho))
                }),
            ));
            rows.push(row(
                "4d",
                "FD solves the PDE worse: its true residual after training exceeds AD's",
                name.clone(),
                &format!("{setting}; FD h = 0.2"),
                "true residual FD(h = 0.2) / AD after training",
                nets.iter().map(|t| {
                    let ad = t.runs[0].true_residual().unwrap_or(f64::NAN);
                    let fd = t.runs[1].true_residual().unwrap_or(f64::NAN);
                    let ratio = fd / ad;
                    ratio.is_finite().then_some((ratio > 1.0, ratio))
                }),
            ));
        }
    }
    for (bih, poi) in [
        (ProblemKind::Biharmonic1d, ProblemKind::Poisson1d),
        (ProblemKind::Biharmonic2d, ProblemKind::Poisson2d),
    ] {
        let pairs: Vec<(&SeedMeasures, &SeedMeasures)> = measures
            .iter()
            .filter(|m| m.problem == bih)
            .filter_map(|b| {
                measures
                    .iter()
                    .find(|m| m.problem == poi && m.seed == b.seed)
                    .map(|q| (b, q))
            })
            .collect();
        if pairs.is_empty() {
            continue;
        }
        // Runs are AD, then RFM_H in order: RFM_H[0] = 0.1 is run 1.
        let gap = |m: &SeedMeasures| {
            let r = rfm_runs(m);
            r[0].entropy - r[1].entropy
        };
        rows.push(row(
            "5",
            "the effect is larger for the biharmonic problem: its entropy gap exceeds Poisson's",
            format!("{bih} vs {poi}"),
            "RFM, h = 0.1, same seed",
            "(H_AD − H_FD) biharmonic − (H_AD − H_FD) Poisson",
            pairs.iter().map(|(b, q)| {
                let d = gap(b) - gap(q);
                Some((d > 0.0, d))
            }),
        ));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_sorted_values() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&v, 0.5), 3.0);
        assert_eq!(percentile(&v, 0.1), 1.4);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn spearman_is_a_rank_correlation() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 35.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(spearman(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }

    /// The settings line says what the old fixed text said, now read off the table.
    #[test]
    fn the_settings_line_states_the_defaults_and_the_claims_settings() {
        let s = settings();
        for part in [
            "m = 400, n = 400, tanh, R = 10 in 1-D, 2 in 2-D, threshold 1e-8 relative, f64",
            "FD h = 0.1, 0.05, 0.025, 0.01, one h just below",
            "two-layer, width 50, n = 50 (7×7 in 2-D), R = 5,",
            "GD at lr = 0.5/λ_max(AD kernel at init), FD h = 0.2, 0.1, 0.05, 400 steps (Poisson) or 1000 (biharmonic)",
            "the loss falls 100-fold",
        ] {
            assert!(s.contains(part), "{part:?} missing from {s:?}");
        }
    }
}
