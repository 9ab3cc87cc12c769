//! What `adfd claims` runs for one (problem, seed), and each claim's statement about
//! those runs on that seed ([`evaluate`]).
//!
//! Settings (adfd's, see the README): RFMs at [`Config::defaults_for`] the problem (m =
//! n = 400, tanh) with FD step sizes [`RFM_H`] and one step below the round-off floor
//! ([`floor_h`]) and one deep below it ([`deep_h`]). Networks: two-layer, tanh, at
//! [`Size`]s where AD's network resolves the solution under Levenberg–Marquardt
//! ([`claim_size`]: width 150 on 100 points in 1-D, width 200 on a 24 × 24 grid in
//! 2-D), FD step sizes [`NET_H`], trained twice from one initialization: by gradient descent
//! at one shared learning rate `0.5/λ_max` of the AD kernel ([`gd_steps`] steps; the
//! paper's training-speed setting) and by Levenberg–Marquardt ([`lm_steps`] steps;
//! where the network learns the solution).

use super::stats::spearman;
use super::{Evaluation, CLAIMS};
use crate::error::Result;
use crate::experiment;
use crate::experiment::config::{Config, ModelKind};
use crate::experiment::report::{RfmReport, RfmRun, TrainReport};
use crate::models::optimizer::Optimizer;
use crate::numeric::jet::Precision;
use crate::pde::problem::ProblemKind;
use serde::{Deserialize, Serialize};

/// FD step sizes of the RFM measurements, all in the truncation regime at the defaults.
pub const RFM_H: [f64; 4] = [1e-1, 5e-2, 2.5e-2, 1e-2];
/// FD step sizes of the network measurements: each half the one before, so that the
/// stencil's `h²` shows as a fourfold error.
pub const NET_H: [f64; 3] = [2e-1, 1e-1, 5e-2];
/// `q`: network speed counts the steps until the loss falls by `10^q`.
pub const DECADES: f64 = 2.0;

/// An FD step size below the round-off floor of `problem` at its defaults in f64, where
/// FD's noise lifts its smallest singular values above the threshold.
pub fn floor_h(problem: ProblemKind) -> f64 {
    match problem {
        ProblemKind::Poisson1d | ProblemKind::Poisson2d => 1e-5,
        ProblemKind::Biharmonic1d | ProblemKind::Biharmonic2d => 1e-3,
    }
}

/// An FD step size deep in the round-off regime of `problem` at its defaults in f64, where
/// the noise is large enough to raise FD's truncated entropy too.
pub fn deep_h(problem: ProblemKind) -> f64 {
    match problem {
        ProblemKind::Poisson1d | ProblemKind::Poisson2d => 1e-7,
        ProblemKind::Biharmonic1d => 1e-5,
        ProblemKind::Biharmonic2d => 1e-4,
    }
}

/// Gradient descent's number of steps on `problem`.
pub fn gd_steps(problem: ProblemKind) -> usize {
    match problem {
        ProblemKind::Poisson1d | ProblemKind::Poisson2d => 400,
        ProblemKind::Biharmonic1d | ProblemKind::Biharmonic2d => 1000,
    }
}

/// Levenberg–Marquardt's steps on `problem`: 200 in 1-D, 400 in 2-D.
pub fn lm_steps(problem: ProblemKind) -> usize {
    match problem.dim() {
        1 => 200,
        _ => 400,
    }
}

/// The relative L2 error AD's network reaches under Levenberg–Marquardt at the claim
/// size (claim 6a): `10⁻⁶` in 1-D, `10⁻⁴` on Poisson 2-D, `10⁻³` on biharmonic 2-D.
pub fn lm_target(problem: ProblemKind) -> f64 {
    match problem {
        ProblemKind::Poisson1d | ProblemKind::Biharmonic1d => 1e-6,
        ProblemKind::Poisson2d => 1e-4,
        ProblemKind::Biharmonic2d => 1e-3,
    }
}

/// A network size: `n` interior points (a `⌊√n⌋²` grid in 2-D) and the hidden width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Size {
    /// Interior collocation points.
    pub n: usize,
    /// Hidden width.
    pub width: usize,
}

impl Size {
    /// `n = 100, width 150` in 1-D; `24 × 24, width 200` in 2-D.
    pub fn label(&self, dim: usize) -> String {
        match dim {
            1 => format!("n = {}, width {}", self.n, self.width),
            _ => {
                let side = (self.n as f64).sqrt().floor() as usize;
                format!("{side} × {side}, width {}", self.width)
            }
        }
    }
}

/// The network size of the claims in `dim` dimensions: where AD's network resolves the
/// solution under Levenberg–Marquardt (claim 6a) on every seed measured; in 1-D the
/// network defaults'. In 2-D a 24 × 24 grid: on 20 × 20 with width 200, 6 of 20 seeds
/// stopped at 1.2–8·10⁻³ on the biharmonic problem (2026-12-07 run).
pub fn claim_size(dim: usize) -> Size {
    match dim {
        1 => Size { n: 100, width: 150 },
        _ => Size { n: 576, width: 200 },
    }
}

/// The sizes of `--sizes`, smallest first: the sizes the claims were measured at before
/// networks learned the solution (n = 50, width 50; a 7 × 7 grid in 2-D), a middle
/// one, and the largest (the claim size in 2-D).
pub fn scan_sizes(dim: usize) -> [Size; 3] {
    match dim {
        1 => [
            Size { n: 50, width: 50 },
            Size { n: 100, width: 150 },
            Size { n: 200, width: 200 },
        ],
        _ => [
            Size { n: 49, width: 50 },
            Size { n: 196, width: 100 },
            Size { n: 576, width: 200 },
        ],
    }
}

/// The network's initialization range `R`: 5 in 1-D, 2 in 2-D (adfd's choice, as the
/// 2-D network defaults on Poisson and the RFM's 2-D features).
pub fn net_scale(dim: usize) -> f64 {
    if dim == 1 {
        5.0
    } else {
        2.0
    }
}

/// The RFM's FD step sizes on `problem`: [`RFM_H`], then [`floor_h`] and [`deep_h`].
pub fn rfm_h(problem: ProblemKind) -> Vec<f64> {
    let mut h = RFM_H.to_vec();
    h.extend([floor_h(problem), deep_h(problem)]);
    h
}

/// The network comparison of `problem` on `seed` at `size` with `optimizer`: GD for
/// [`gd_steps`] steps or Levenberg–Marquardt for [`lm_steps`], recorded at the start
/// and the end.
pub fn net_config(problem: ProblemKind, seed: u64, size: Size, optimizer: Optimizer) -> Config {
    let mut c = Config::defaults_for(problem, Precision::F64, ModelKind::Network);
    c.seed = seed;
    c.model = ModelKind::Network;
    c.n = size.n;
    c.net.width = size.width;
    c.net.layers = 1;
    c.net.scale = net_scale(problem.dim());
    c.h = NET_H.to_vec();
    c.train.optimizer = optimizer;
    c.train.lr = None;
    c.train.lr_scale = 0.5;
    c.train.steps = match optimizer {
        Optimizer::Lm => lm_steps(problem),
        Optimizer::Gd | Optimizer::Adam => gd_steps(problem),
    };
    c.train.every = c.train.steps;
    c.train.decades = DECADES;
    c
}

/// Index of the run with step `h` in a report whose runs are AD then `hs`.
fn at(hs: &[f64], h: f64) -> usize {
    1 + hs.iter().position(|&x| x == h).expect("a measured step")
}

/// What one (problem, seed) job measured: each claim's evaluation on this seed, and the
/// RFM's entropy gap at `h = 0.1` for the comparison across problems (claim 5).
#[derive(Clone, Debug)]
pub struct Job {
    /// The evaluations of the claims about one problem.
    pub evaluations: Vec<Evaluation>,
    /// `H_AD − H_FD` of the RFM at `h = 0.1`.
    pub rfm_gap: f64,
}

/// Collects evaluations for one problem, seed and size.
struct Sink<'a> {
    problem: &'a str,
    size: Option<Size>,
    seed: u64,
    out: Vec<Evaluation>,
}

impl Sink<'_> {
    /// Records claim `id`'s statement on this seed: `Some((holds, effect))`, or `None`
    /// where it is undefined on this seed. An effect that is not a finite number (a
    /// ratio to a zero gap) leaves the claim undefined on this seed too: JSON has no
    /// NaN or infinity, and a shard's report must read back to the same figures for
    /// shards to merge into one run's table (`claims::merge`).
    fn put(&mut self, id: &str, setting: String, outcome: Option<(bool, f64)>) {
        debug_assert!(CLAIMS.iter().any(|c| c.id == id), "claim {id} is defined");
        if let Some((holds, effect)) = outcome.filter(|(_, e)| e.is_finite()) {
            self.out.push(Evaluation {
                claim: id.into(),
                problem: self.problem.into(),
                size: self.size,
                setting,
                seed: self.seed,
                holds,
                effect,
            });
        }
    }
}

/// Runs and evaluates every claim about `problem` on `seed`: the RFM claims, and with
/// `networks` the network claims at each of `sizes`.
pub fn evaluate(problem: ProblemKind, seed: u64, networks: bool, sizes: &[Size]) -> Result<Job> {
    let name = problem.to_string();
    let mut c = Config::defaults_for(problem, Precision::F64, ModelKind::Rfm);
    c.seed = seed;
    c.h = rfm_h(problem);
    let rfm = experiment::run_rfm(&c.check()?)?;
    let mut sink = Sink {
        problem: &name,
        size: None,
        seed,
        out: Vec::new(),
    };
    rfm_claims(problem, &rfm, &mut sink);
    if networks {
        for &size in sizes {
            sink.size = Some(size);
            let gd =
                experiment::run_train(&net_config(problem, seed, size, Optimizer::Gd).check()?)?;
            gd_claims(problem, &gd, &mut sink);
            let lm =
                experiment::run_train(&net_config(problem, seed, size, Optimizer::Lm).check()?)?;
            lm_claims(problem, &lm, &mut sink);
        }
    }
    let runs = &rfm.runs;
    Ok(Job {
        evaluations: sink.out,
        rfm_gap: runs[0].entropy - runs[at(&rfm_h(problem), 0.1)].entropy,
    })
}

fn rfm_claims(problem: ProblemKind, rfm: &RfmReport, sink: &mut Sink) {
    let hs = rfm_h(problem);
    let r: &[RfmRun] = &rfm.runs;
    let run = |h: f64| &r[at(&hs, h)];
    let gap = |h: f64| r[0].entropy - run(h).entropy;
    let s1 = r[0].singular_values[0];
    let d = |h: f64| (run(h).singular_values[0] - s1).abs() / s1;
    let order = (d(5e-2) / d(2.5e-2)).log2();
    sink.put(
        "1",
        "h = 0.05 → 0.025".into(),
        order.is_finite().then_some((order >= 1.5, order)),
    );
    let fewer = r[0].cutoff as f64 - run(0.1).cutoff as f64;
    sink.put("2", "h = 0.1, a = 1e-8".into(), Some((fewer > 0.0, fewer)));
    sink.put(
        "3a",
        "h = 0.1, a = 1e-8".into(),
        Some((gap(0.1) > 0.0, gap(0.1))),
    );
    let (coarse, fine) = (gap(0.1), gap(0.01));
    sink.put(
        "3b",
        "h = 0.1 → 0.01".into(),
        Some((fine < coarse, fine / coarse)),
    );
    let floor = floor_h(problem);
    let extra = run(floor).cutoff as f64 - r[0].cutoff as f64;
    sink.put(
        "3c",
        format!("h = {floor:e} vs 0.01"),
        Some((extra > 0.0, extra)),
    );
    let deep = deep_h(problem);
    let below = gap(deep);
    sink.put(
        "3d",
        format!("h = {deep:e} vs 0.01"),
        Some((below.abs() > fine.abs(), below)),
    );
    let kept = &r[..=RFM_H.len()];
    let h: Vec<f64> = kept.iter().map(|r| r.entropy).collect();
    let res: Vec<f64> = kept.iter().map(|r| -r.residual_true.ln()).collect();
    let rho = spearman(&h, &res);
    sink.put(
        "4a",
        "AD, h = 0.1, 0.05, 0.025, 0.01".into(),
        rho.is_finite().then_some((rho >= 0.8, rho)),
    );
}

/// Spearman's ρ of the runs' initial kernel entropy `H₀` and `y`, as a claim outcome
/// (holds at `ρ ≥ 0.8`; undefined when either is constant).
fn ranks_with_entropy(
    t: &TrainReport,
    y: impl Fn(&crate::experiment::report::RunReport) -> f64,
) -> Option<(bool, f64)> {
    let h0: Vec<f64> = t.runs.iter().map(|r| r.kernel[0].entropy).collect();
    let y: Vec<f64> = t.runs.iter().map(y).collect();
    let rho = spearman(&h0, &y);
    rho.is_finite().then_some((rho >= 0.8, rho))
}

fn gd_claims(problem: ProblemKind, t: &TrainReport, sink: &mut Sink) {
    let steps = gd_steps(problem);
    let setting = format!("GD at lr = 0.5/λ_max, {steps} steps, h = 0.2, 0.1, 0.05");
    let reached = t.runs.iter().any(|r| r.speed.steps_to_target.is_some());
    let steps = ranks_with_entropy(t, |r| {
        -(r.speed.steps_to_target.unwrap_or(steps + 1) as f64)
    });
    sink.put("4b", setting.clone(), steps.filter(|_| reached));
    sink.put(
        "4c",
        setting.clone(),
        ranks_with_entropy(t, |r| r.speed.loss_reduction),
    );
    let first_last = |r: &crate::experiment::report::RunReport,
                      f: fn(&crate::experiment::report::Record) -> f64| {
        f(&r.records[0]) / f(r.records.last().expect("recorded at the end"))
    };
    let (ad, fd) = (&t.runs[0], &t.runs[1]);
    let ratio = fd.true_residual().unwrap_or(f64::NAN) / ad.true_residual().unwrap_or(f64::NAN);
    sink.put(
        "4d",
        format!("{setting}; FD h = 0.2"),
        ratio.is_finite().then_some((ratio > 1.0, ratio)),
    );
    sink.put(
        "4e",
        setting.clone(),
        ranks_with_entropy(t, |r| first_last(r, |x| x.true_residual)),
    );
    sink.put(
        "4f",
        setting,
        ranks_with_entropy(t, |r| first_last(r, |x| x.error_l2)),
    );
}

fn lm_claims(problem: ProblemKind, t: &TrainReport, sink: &mut Sink) {
    let setting = format!("Levenberg–Marquardt, {} steps", lm_steps(problem));
    let ad = t.runs[0].error_l2;
    let target = lm_target(problem);
    sink.put(
        "6a",
        format!("{setting}; error ≤ {target:e}"),
        ad.is_finite().then_some((ad <= target, ad)),
    );
    let e: Vec<f64> = t.runs[1..].iter().map(|r| r.error_l2).collect();
    let order = (e[0] / e[1]).log2().min((e[1] / e[2]).log2());
    sink.put(
        "6b",
        format!("{setting}; h = 0.2 → 0.1 → 0.05"),
        order.is_finite().then_some((order >= 1.7, order)),
    );
    let coarse = &t.runs[1];
    let fell = coarse.speed.loss_reduction;
    let ratio = coarse.error_l2 / ad;
    sink.put(
        "6c",
        format!("{setting}; FD h = 0.2"),
        ratio
            .is_finite()
            .then_some((fell >= 1e6 && ratio >= 100.0, ratio)),
    );
}
