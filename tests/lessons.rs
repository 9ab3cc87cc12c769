//! Every lesson of the page (`www/lessons.js`) is a checked statement about its own
//! link: its settings go through the same path as the page (the link's controls over
//! adfd's defaults for its problem and precision, `web::form::config_from_form`), and
//! each of its `checks` must hold on every seed its claim names.
//!
//! Check kinds (runs are AD first, then FD at each `h` of the link):
//! * `fewer_modes` / `more_modes` `{h: [..]}` — RFM: `K_FD < K_AD` / `K_FD > K_AD` at each h.
//! * `worse_true_residual` `{h: [..]}` — RFM: the FD fit's true residual exceeds AD's.
//! * `true_residual_ratio` `{h, over, at_least}` — RFM: `res_true(h) ≥ at_least · res_true(over)`.
//! * `wider_entropy_gap_than` `{problem, h}` — RFM: `H_AD − H_FD(h)` exceeds the same gap
//!   with only the problem changed.
//! * `entropy_close` `{h, within}` — RFM: `|H_FD(h) − H_AD| < within`.
//! * `entropy_falls_with_h` — RFM (`H` of `A`) or network (`H₀` of `J` at step 0): AD
//!   highest, and the FD runs' entropy is lower for larger `h`.
//! * `ad_fastest_coarsest_slowest` — network: AD reaches `10⁻ᵠ` of its initial loss
//!   first (ties allowed) and the largest `h` last (never counts as last).
//! * `true_residual_ratio_over_ad` `{h, at_least}` — network: after training,
//!   `res_true(FD h) ≥ at_least · res_true(AD)`.
//! * `lower_loss_worse_truth` `{h, at_least}` — network: after training FD h's own loss
//!   is below AD's while its true residual is at least `at_least` × AD's.
//! * `error_below` / `error_above` `{h?, at_most | at_least}` — RFM or network: the
//!   relative L2 error of the run with step `h` (AD when `h` is absent) at the end.
//! * `error_halving` `{between: [lo, hi]}` — network: for each FD step size `h` of the link
//!   whose half is also in it, `error(h) / error(h/2)` lies in `[lo, hi]` (4 for a
//!   second-order stencil's `h²`).
//! * `error_ratio` `{h, over, at_least}` — `error(h) ≥ at_least · error(over)`.
//! * `error_near_ad` `{h, within}` — `error(h) ≤ within · error(AD)`.
//! * `own_loss_below` `{h, at_most}` — network: FD h's own loss at the end.
//!
//! Built with optimizations only (`./scripts/test` runs it with `--release`): the
//! network lessons train 2000 steps.
#![cfg(not(debug_assertions))]

use adfd::experiment::Experiment;
use adfd::web::form::config_from_form;
use adfd::{Config, ModelKind, Precision, ProblemKind, RfmReport, TrainComparison, TrainReport};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const LESSONS_JS: &str = include_str!("../www/lessons.js");

/// The lessons: the JSON array after `export const LESSONS =`.
fn lessons() -> Vec<Value> {
    let start = LESSONS_JS
        .find("export const LESSONS = ")
        .expect("www/lessons.js exports LESSONS")
        + "export const LESSONS = ".len();
    let end = start
        + LESSONS_JS[start..]
            .find("\n];")
            .expect("the array ends with ];")
        + 2;
    serde_json::from_str(&LESSONS_JS[start..end]).expect("LESSONS is strict JSON")
}

/// A lesson's settings, as the page reads its link: controls over adfd's defaults for
/// the link's problem and precision (`_hide` and `run` keys are not settings).
fn config(hash: &str, seed: u64) -> Config {
    let mut form: BTreeMap<String, String> = hash
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| !k.ends_with("_hide") && *k != "run")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    form.insert("seed".into(), seed.to_string());
    let problem: ProblemKind = form
        .get("problem")
        .map_or(Ok(ProblemKind::default()), |p| p.parse())
        .unwrap();
    let precision: Precision = form
        .get("precision")
        .map_or(Ok(Precision::default()), |p| p.parse())
        .unwrap();
    let model = match form.get("model").map(String::as_str) {
        Some("two-layer" | "mlp" | "network") => ModelKind::Network,
        _ => ModelKind::Rfm,
    };
    let base = Config::defaults_for(problem, precision, model);
    config_from_form(&form, &base)
        .unwrap_or_else(|e| panic!("lesson link {hash:?} is rejected: {e}"))
        .into_inner()
}

fn rfm(c: &Config) -> RfmReport {
    adfd::run_rfm(&c.clone().check().unwrap()).unwrap()
}

fn train(c: &Config) -> TrainReport {
    adfd::run_train(&c.clone().check().unwrap()).unwrap()
}

/// The index of the run with step `h` (AD is 0).
fn at(c: &Config, h: f64) -> usize {
    1 + c
        .h
        .iter()
        .position(|&x| (x - h).abs() <= 1e-12 * h)
        .unwrap_or_else(|| panic!("h = {h} is not in the lesson's link"))
}

fn f(check: &Value, key: &str) -> f64 {
    check[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{check}: no number {key}"))
}

fn hs(check: &Value) -> Vec<f64> {
    check["h"]
        .as_array()
        .expect("a list h")
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// One lesson's config on one seed, with its RFM fit and its training each computed at
/// most once, however many checks read them.
struct Seed {
    c: Config,
    rfm: OnceLock<RfmReport>,
    train: OnceLock<TrainReport>,
}

impl Seed {
    fn rfm(&self) -> &RfmReport {
        self.rfm.get_or_init(|| rfm(&self.c))
    }
    fn train(&self) -> &TrainReport {
        self.train.get_or_init(|| train(&self.c))
    }
}

/// Entropies per run (AD first): of `A` for the RFM, of `J` at step 0 for networks.
fn entropies(seed: &Seed) -> Vec<f64> {
    let c = &seed.c;
    match c.model {
        ModelKind::Rfm => seed.rfm().runs.iter().map(|r| r.entropy).collect(),
        ModelKind::Network => {
            let cmp = TrainComparison::new(&c.clone().check().unwrap()).unwrap();
            cmp.runs()
                .iter()
                .map(|r| r.kernels().first().expect("measured at step 0").entropy)
                .collect()
        }
    }
}

/// Each run's relative L2 error at the end (AD first): of the fit, or of the network.
fn errors(seed: &Seed) -> Vec<f64> {
    match seed.c.model {
        ModelKind::Rfm => seed.rfm().runs.iter().map(|r| r.error_l2).collect(),
        ModelKind::Network => seed.train().runs.iter().map(|r| r.error_l2).collect(),
    }
}

/// The run a check names by its optional `h` (AD when absent).
fn run_of(c: &Config, check: &Value) -> usize {
    check["h"].as_f64().map_or(0, |h| at(c, h))
}

/// Checks one `check` of a lesson on the config of one seed; the error says why not.
fn holds(check: &Value, seed: &Seed) -> Result<(), String> {
    let c = &seed.c;
    let kind = check["kind"].as_str().expect("a check kind");
    let ok = |cond: bool, what: String| if cond { Ok(()) } else { Err(what) };
    match kind {
        "fewer_modes" | "more_modes" | "worse_true_residual" => {
            let r = seed.rfm();
            for h in hs(check) {
                let (ad, fd) = (&r.runs[0], &r.runs[at(c, h)]);
                let (cond, what) = match kind {
                    "fewer_modes" => (fd.cutoff < ad.cutoff, "K_FD < K_AD"),
                    "more_modes" => (fd.cutoff > ad.cutoff, "K_FD > K_AD"),
                    _ => (fd.residual_true > ad.residual_true, "res_FD > res_AD"),
                };
                ok(
                    cond,
                    format!(
                        "{what} fails at h = {h}: K {} vs {}, res {:e} vs {:e}",
                        fd.cutoff, ad.cutoff, fd.residual_true, ad.residual_true
                    ),
                )?;
            }
            Ok(())
        }
        "true_residual_ratio" => {
            let r = seed.rfm();
            let ratio = r.runs[at(c, f(check, "h"))].residual_true
                / r.runs[at(c, f(check, "over"))].residual_true;
            ok(
                ratio >= f(check, "at_least"),
                format!("residual ratio {ratio:e}"),
            )
        }
        "wider_entropy_gap_than" => {
            let other: ProblemKind = check["problem"].as_str().unwrap().parse().unwrap();
            let h = f(check, "h");
            let gap = |r: &RfmReport| r.runs[0].entropy - r.runs[at(c, h)].entropy;
            let mut o = c.clone();
            o.problem = other;
            let (mine, theirs) = (gap(seed.rfm()), gap(&rfm(&o)));
            ok(mine > theirs, format!("gap {mine} vs {theirs} on {other}"))
        }
        "entropy_close" => {
            let r = seed.rfm();
            let d = (r.runs[at(c, f(check, "h"))].entropy - r.runs[0].entropy).abs();
            ok(d < f(check, "within"), format!("|ΔH| = {d}"))
        }
        "error_below" | "error_above" => {
            let e = errors(seed)[run_of(c, check)];
            let cond = match kind {
                "error_below" => e <= f(check, "at_most"),
                _ => e >= f(check, "at_least"),
            };
            ok(cond, format!("L2 error {e:e}"))
        }
        "error_halving" => {
            let e = errors(seed);
            let range = check["between"].as_array().expect("between [lo, hi]");
            let (lo, hi) = (range[0].as_f64().unwrap(), range[1].as_f64().unwrap());
            let halved: Vec<f64> =
                c.h.iter()
                    .filter(|&&h| c.h.contains(&(h / 2.0)))
                    .map(|&h| e[at(c, h)] / e[at(c, h / 2.0)])
                    .collect();
            ok(
                !halved.is_empty() && halved.iter().all(|r| (lo..=hi).contains(r)),
                format!("error(h)/error(h/2): {halved:?}"),
            )
        }
        "error_ratio" | "error_near_ad" => {
            let e = errors(seed);
            let (mine, other) = match kind {
                "error_ratio" => (e[at(c, f(check, "h"))], e[at(c, f(check, "over"))]),
                _ => (e[0], e[at(c, f(check, "h"))]),
            };
            let cond = match kind {
                "error_ratio" => mine >= f(check, "at_least") * other,
                _ => other <= f(check, "within") * mine,
            };
            ok(cond, format!("errors {mine:e} vs {other:e}"))
        }
        "own_loss_below" => {
            let loss = seed.train().runs[run_of(c, check)].speed.final_loss;
            ok(loss <= f(check, "at_most"), format!("own loss {loss:e}"))
        }
        "entropy_falls_with_h" => {
            let h = entropies(seed);
            let mut fd: Vec<(f64, f64)> = c.h.iter().copied().zip(h[1..].iter().copied()).collect();
            fd.sort_by(|a, b| a.0.total_cmp(&b.0));
            ok(
                fd.iter().all(|&(_, e)| e < h[0]) && fd.windows(2).all(|w| w[1].1 < w[0].1),
                format!("AD {} and FD (h, H) {fd:?}", h[0]),
            )
        }
        "ad_fastest_coarsest_slowest" => {
            let t = seed.train();
            let never = usize::MAX;
            let steps: Vec<usize> = t
                .runs
                .iter()
                .map(|r| r.speed.steps_to_target.unwrap_or(never))
                .collect();
            let coarsest = at(c, c.h.iter().copied().fold(0.0, f64::max));
            ok(
                steps[0] < never
                    && steps.iter().all(|&s| s >= steps[0])
                    && steps.iter().all(|&s| s <= steps[coarsest]),
                format!("steps to target {steps:?}"),
            )
        }
        "true_residual_ratio_over_ad" | "lower_loss_worse_truth" => {
            let t = seed.train();
            let (ad, fd) = (&t.runs[0], &t.runs[at(c, f(check, "h"))]);
            let ratio = fd.true_residual().unwrap() / ad.true_residual().unwrap();
            let lower =
                kind == "true_residual_ratio_over_ad" || fd.speed.final_loss < ad.speed.final_loss;
            ok(
                lower && ratio >= f(check, "at_least"),
                format!(
                    "loss {:e} vs AD {:e}, true residual ratio {ratio:e}",
                    fd.speed.final_loss, ad.speed.final_loss
                ),
            )
        }
        other => Err(format!("unknown check kind {other:?}")),
    }
}

#[test]
fn every_lesson_states_what_its_link_shows() {
    let lessons = lessons();
    assert!(lessons.len() >= 8, "{} lessons", lessons.len());
    let mut failures = Vec::new();
    for lesson in &lessons {
        let title = lesson["title"].as_str().unwrap();
        let seeds: Vec<u64> = lesson["seeds"]
            .as_array()
            .expect("seeds")
            .iter()
            .map(|s| s.as_u64().unwrap())
            .collect();
        assert!(
            !seeds.is_empty() && !lesson["claim"].as_str().unwrap_or("").is_empty(),
            "{title}"
        );
        for seed in seeds {
            let run = Seed {
                c: config(lesson["hash"].as_str().unwrap(), seed),
                rfm: OnceLock::new(),
                train: OnceLock::new(),
            };
            for check in lesson["checks"].as_array().expect("checks") {
                if let Err(why) = holds(check, &run) {
                    failures.push(format!("{title}, seed {seed}, {}: {why}", check["kind"]));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "lessons that do not hold:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_first_lesson_is_the_first_visit_and_trains_a_network() {
    let first = &lessons()[0];
    let c = config(first["hash"].as_str().unwrap(), 1);
    assert_eq!(
        c.model,
        ModelKind::Network,
        "the page's promise: training in real time"
    );
}

/// The first visit (the first lesson) and every problem's RFM and 1-D network defaults
/// are light at the slow prior the page uses before it has measured this machine
/// (`Rates::SLOW`), so they start at once; the worker measures the machine after the
/// first result. The 2-D network defaults (Levenberg–Marquardt on a 20 × 20 grid, about
/// 3·10¹⁰ flops) are heavy at that prior: the page measures the machine first (0.5–1.2
/// s) and then runs them, light at this machine's rates.
#[test]
fn the_first_visit_and_the_defaults_start_without_measuring_the_machine() {
    use adfd::budget::{Budget, Rates};
    let first = &lessons()[0];
    let mut configs = vec![(
        "the first lesson".to_owned(),
        config(first["hash"].as_str().unwrap(), 1),
    )];
    let here = Rates::measure();
    for &problem in ProblemKind::ALL {
        for precision in [Precision::F64, Precision::F32] {
            for model in [ModelKind::Rfm, ModelKind::Network] {
                let c = Config::defaults_for(problem, precision, model);
                let name = format!("defaults {problem} {precision} {model:?}");
                if model == ModelKind::Network && problem.dim() == 2 {
                    let e = Budget::of(&c).estimate(Some(&here));
                    assert!(!e.heavy, "{name}: {} at this machine's rates", e.summary);
                } else {
                    configs.push((name, c));
                }
            }
        }
    }
    for (name, c) in configs {
        let e = Budget::of(&c).estimate(None);
        assert!(
            e.provisional && !e.heavy,
            "{name}: {} at the slow prior",
            e.summary
        );
    }
}
