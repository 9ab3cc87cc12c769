//! Property tests (fuzzing) of everything that reads untrusted settings: `Config::check`,
//! the page's form parser (`config_from_form` / `form_from_config`) and the h list (the
//! settings table's `h` row). Generated inputs mix valid values with extreme ones (0, `usize::MAX`, NaN,
//! ±∞, 1e308, subnormals, garbage text, unicode, markup, unknown and prototype keys).
//!
//! Properties, for every input: no panic; each case finishes within [`CASE_LIMIT`] (a
//! watchdog thread aborts the whole binary, naming the input, if one runs past
//! [`HANG_LIMIT`], so a true hang cannot stall CI); a rejection names its field (a
//! config path, or a control key for the form) and, where it is a range, the range;
//! and acceptance agrees with an independent reading of the limits (each field's range
//! as the settings table states it, compared here; the rules across fields from the doc
//! comments of `Config`), with every accepted form reading back through
//! `form_from_config` to the same config.
//!
//! Case counts (≥ 10⁵ in all) scale with `FUZZ_SCALE` (default 1; `FUZZ_SCALE=10` for a
//! longer local run). Proptest prints the shrunk failing input and its seed.
#![cfg(not(target_arch = "wasm32"))]

use adfd::activation::Activation;
use adfd::config::field::{Field, Kind, Range};
use adfd::config::settings::{field, FIELDS};
use adfd::config::{Config, ModelKind, NetConfig, RfmConfig, TrainConfig};
use adfd::error::Error;
use adfd::jet::Precision;
use adfd::optimizer::Optimizer;
use adfd::problem::{ProblemKind, Sampling};
use adfd::rfm::Init;
use adfd::spectrum::Threshold;
use adfd::web::controls::CONTROLS;
use adfd::web::form::{config_from_form, form_from_config};
use proptest::prelude::*;
use proptest::test_runner::{Config as Runner, TestCaseError};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// A case slower than this fails (validation is microseconds; this only catches
/// work that grows with a value, such as allocating `layers` of anything).
const CASE_LIMIT: Duration = Duration::from_millis(500);
/// A case still running after this aborts the binary (a hang never returns to fail).
const HANG_LIMIT: Duration = Duration::from_secs(10);

fn cases(n: u32) -> Runner {
    let scale: u32 = std::env::var("FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    Runner {
        cases: n * scale,
        // Shrinking a failure stays quick; persistence files would land in tests/.
        failure_persistence: None,
        ..Runner::default()
    }
}

// ---------------------------------------------------------------- the watchdog

type Running = Mutex<HashMap<ThreadId, (Instant, String)>>;

fn running() -> &'static Running {
    static RUNNING: OnceLock<Running> = OnceLock::new();
    static WATCHDOG: OnceLock<()> = OnceLock::new();
    let map = RUNNING.get_or_init(|| Mutex::new(HashMap::new()));
    WATCHDOG.get_or_init(|| {
        std::thread::spawn(|| loop {
            std::thread::sleep(Duration::from_millis(100));
            let map = RUNNING
                .get()
                .unwrap()
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            for (start, input) in map.values() {
                if start.elapsed() > HANG_LIMIT {
                    eprintln!("fuzz: a case hung for more than {HANG_LIMIT:?}:\n{input}");
                    std::process::abort();
                }
            }
        });
    });
    map
}

/// Runs `f` on `input` under the watchdog and fails the case if it takes over
/// [`CASE_LIMIT`].
fn timed<I: Debug, T>(input: &I, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    let me = std::thread::current().id();
    running()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(me, (Instant::now(), format!("{input:?}")));
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    running()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&me);
    prop_assert!(took <= CASE_LIMIT, "took {took:?} (> {CASE_LIMIT:?})");
    Ok(out)
}

// ---------------------------------------------------------------- the documented limits

/// The most matrix entries adfd allocates (`MAX_MATRIX_ENTRIES`, documented as ~400 MB
/// of f64).
const ENTRIES: usize = 50_000_000;

/// Whether the number written `text` lies in `range`: the ends are the settings
/// table's, the reading and comparing this test's own.
fn in_range(text: &str, range: Range) -> bool {
    match range {
        Range::Whole(lo, hi) => text.parse::<u64>().is_ok_and(|v| lo <= v && v <= hi),
        Range::Real {
            min,
            min_open,
            max,
            max_open,
        } => text.parse::<f64>().is_ok_and(|v| {
            let above = if min_open { v > min } else { v >= min };
            let below = if max_open { v < max } else { v <= max };
            above && below
        }),
    }
}

/// Whether `c` breaks the table's row `f`: a choice not offered (unless the row
/// accepts more names), a list longer than the row allows, or a number (each item of a
/// list; an optional's `none` word has none) outside the row's range.
fn breaks(f: &Field, c: &Config) -> bool {
    let text = (f.get)(c);
    let items: Vec<&str> = match f.kind {
        Kind::Choice => return f.more.is_none() && !f.choices.contains(&text.as_str()),
        Kind::Reals { max_len } | Kind::Wholes { max_len } => {
            let items: Vec<&str> = text.split(", ").filter(|t| !t.is_empty()).collect();
            if items.len() > max_len {
                return true;
            }
            items
        }
        Kind::Optional { none } if text == none => Vec::new(),
        _ => vec![text.as_str()],
    };
    f.range
        .is_some_and(|r| items.iter().any(|t| !in_range(t, r)))
}

fn row(key: &str) -> &'static Field {
    field(key).unwrap_or_else(|| panic!("no row {key}"))
}

/// Residual rows, from `Config::rows`' doc: the interior points used (`⌊√n⌋²` on a 2-D
/// grid) plus boundary points (2 in 1-D; in 2-D `n_boundary`, or `4⌈√n⌉` if 0) times
/// the boundary operators (1 for Poisson, 2 for biharmonic).
fn rows(c: &Config) -> usize {
    let two_d = matches!(
        c.problem,
        ProblemKind::Poisson2d | ProblemKind::Biharmonic2d
    );
    let ops = match c.problem {
        ProblemKind::Poisson1d | ProblemKind::Poisson2d => 1,
        _ => 2,
    };
    let root = (c.n as f64).sqrt();
    let interior = match (two_d, c.sampling) {
        (true, Sampling::Grid) => (root.floor() as usize).max(1).pow(2),
        _ => c.n,
    };
    let boundary = match (two_d, c.n_boundary) {
        (false, _) => 2,
        (true, 0) => 4 * root.ceil() as usize,
        (true, nb) => nb,
    };
    interior + boundary * ops
}

/// Every field whose limit `c` breaks, by path: each row of the settings table read
/// by [`breaks`], and the rules across fields read from the doc comments (not from
/// `check`): an accepted config has none, and a rejection names one of them.
fn violations(c: &Config) -> BTreeSet<&'static str> {
    let mut v = BTreeSet::new();
    let mut bad = |ok: bool, field: &'static str| {
        if !ok {
            v.insert(field);
        }
    };
    for f in FIELDS {
        bad(!breaks(f, c), f.path);
    }
    // relu^k needs k ≥ p + 1 for an operator of order p (2 for Poisson, 4 biharmonic).
    let p = match c.problem {
        ProblemKind::Poisson1d | ProblemKind::Poisson2d => 2,
        _ => 4,
    };
    // relu^k takes k ∈ 1..=12 (the activation's name, ACTIVATION_NAMES).
    bad(
        !matches!(c.activation, Activation::ReluPow(k) if k < p + 1 || k > 12),
        "activation",
    );
    // A relative threshold keeps s_i > a·s₁: a < 1.
    bad(
        !matches!(c.threshold, Threshold::Relative(a) if a >= 1.0),
        "threshold.a",
    );
    let sized = !breaks(row("n"), c) && !breaks(row("n_boundary"), c);
    // Both models' settings are held to their ranges (they travel with the config);
    // only the model that runs is held to the memory bound.
    match c.model {
        ModelKind::Rfm => {
            bad(
                !sized || rows(c).saturating_mul(c.rfm.m) <= ENTRIES,
                "rfm.m",
            );
        }
        ModelKind::Network => {
            let net = &c.net;
            // Parameters of the network: Σ (fan_in + 1)·m_l, plus the output layer.
            let hidden = if net.widths.is_empty() {
                (!breaks(row("layers"), c)).then(|| vec![net.width; net.layers])
            } else {
                Some(net.widths.clone())
            };
            if let (true, Some(hidden)) = (sized, hidden) {
                let dim: usize = if rows_are_2d(c) { 2 } else { 1 };
                let (mut fan_in, mut params) = (dim, 0usize);
                for &w in &hidden {
                    params = params.saturating_add(w.saturating_mul(fan_in.saturating_add(1)));
                    fan_in = w;
                }
                params = params.saturating_add(fan_in);
                bad(rows(c).saturating_mul(params) <= ENTRIES, "net.width");
            }
        }
    }
    v
}

fn rows_are_2d(c: &Config) -> bool {
    matches!(
        c.problem,
        ProblemKind::Poisson2d | ProblemKind::Biharmonic2d
    )
}

/// An accepted config's JSON (what the page exports and `adfd … --config FILE` re-runs)
/// reads back as the same config, accepted again. (serde_json writes NaN and ±∞ as
/// `null`, so a non-finite value anywhere in a config breaks this, and so would a
/// float parsed 1 ulp off.)
fn json_reads_back(c: &Config) -> bool {
    let json = serde_json::to_string(c).unwrap();
    serde_json::from_str::<Config>(&json)
        .is_ok_and(|back| format!("{back:?}") == format!("{c:?}") && back.check().is_ok())
}

/// Every path of a serialized config, objects and leaves (`rfm`, `rfm.m`, `threshold`).
fn config_paths() -> &'static BTreeSet<String> {
    fn walk(v: &serde_json::Value, at: &str, out: &mut BTreeSet<String>) {
        if let serde_json::Value::Object(map) = v {
            for (k, v) in map {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                walk(v, &path, out);
                out.insert(path);
            }
        }
    }
    static PATHS: OnceLock<BTreeSet<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        let mut out = BTreeSet::new();
        walk(
            &serde_json::to_value(Config::default()).unwrap(),
            "",
            &mut out,
        );
        out
    })
}

/// A rejection message that says what is allowed: it quotes a bound or a choice.
fn names_a_range(message: &str) -> bool {
    message.chars().any(|c| c.is_ascii_digit())
        && [
            "allowed", "must", "at most", "keep", "use", "choose", "≤", "≥",
        ]
        .iter()
        .any(|w| message.contains(w))
}

// ---------------------------------------------------------------- strategies

/// Mostly in-range values, sometimes extreme ones: `valid` weighted 29 to 1, so
/// that with some 35 fields a good share of configs is accepted.
fn mostly<T: Debug + Clone + 'static>(
    valid: impl Strategy<Value = T> + 'static,
    extreme: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<T> {
    prop_oneof![29 => valid, 1 => extreme].boxed()
}

/// Any float: every class (NaN, ±∞, subnormal, ±0), limits and their neighbours.
fn wild_f64() -> BoxedStrategy<f64> {
    prop_oneof![
        any::<f64>(),
        prop::sample::select(vec![
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            0.0,
            -0.0,
            1.0,
            1.0 + f64::EPSILON,
            1.0 - f64::EPSILON / 2.0,
            -1.0,
            1e308,
            30.0,
            100.0,
            1e4,
            1e6,
            1e8,
            1e4 * (1.0 + f64::EPSILON),
        ]),
        -1e9..1e9f64,
    ]
    .boxed()
}

/// Any whole number: small, near the limits, or huge.
fn wild_usize() -> BoxedStrategy<usize> {
    prop_oneof![
        0..40usize,
        any::<usize>(),
        prop::sample::select(vec![
            0,
            1,
            8,
            9,
            12,
            13,
            5000,
            5001,
            20_000,
            20_001,
            1_000_000,
            1_000_001,
            1 << 32,
            usize::MAX,
            usize::MAX / 2,
        ]),
    ]
    .boxed()
}

fn f64_in(lo: f64, hi: f64) -> BoxedStrategy<f64> {
    mostly(lo..=hi, wild_f64())
}

/// Small values half the time: `n × m` must fit the memory bound to be accepted.
fn usize_in(lo: usize, hi: usize) -> BoxedStrategy<usize> {
    mostly(prop_oneof![lo..=hi.min(lo + 50), lo..=hi], wild_usize())
}

fn problem() -> impl Strategy<Value = ProblemKind> {
    prop::sample::select(ProblemKind::ALL)
}

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        prop::sample::select(vec![
            Activation::Tanh,
            Activation::Sin,
            Activation::Sigmoid,
            Activation::Softplus,
            Activation::Gaussian,
        ]),
        (0u32..20).prop_map(Activation::ReluPow),
        any::<u32>().prop_map(Activation::ReluPow),
    ]
}

fn threshold() -> impl Strategy<Value = Threshold> {
    (any::<bool>(), f64_in(1e-16, 0.9)).prop_map(|(relative, a)| {
        if relative {
            Threshold::Relative(a)
        } else {
            Threshold::Absolute(a)
        }
    })
}

fn rfm() -> impl Strategy<Value = RfmConfig> {
    (
        usize_in(1, 20_000),
        f64_in(1e-3, 1e4),
        any::<bool>(),
        f64_in(1e-16, 0.5),
    )
        .prop_map(|(m, scale, normal, rcond)| RfmConfig {
            m,
            scale,
            init: if normal { Init::Normal } else { Init::Uniform },
            rcond,
        })
}

fn net() -> impl Strategy<Value = NetConfig> {
    (
        usize_in(1, 5000),
        usize_in(1, 8),
        mostly(
            prop::collection::vec(1..=5000usize, 0..=3),
            prop::collection::vec(wild_usize(), 0..12),
        ),
        f64_in(1e-3, 1e4),
    )
        .prop_map(|(width, layers, widths, scale)| NetConfig {
            width,
            layers,
            widths,
            scale,
        })
}

fn train() -> impl Strategy<Value = TrainConfig> {
    (
        (
            any::<bool>(),
            prop::option::of(f64_in(1e-6, 1e6)),
            f64_in(1e-3, 100.0),
            usize_in(1, 1_000_000),
            usize_in(1, 1_000_000),
        ),
        (
            f64_in(1e-3, 30.0),
            prop::option::of(f64_in(0.0, 1e3)),
            f64_in(0.0, 0.999),
            f64_in(0.0, 0.999),
            f64_in(1e-12, 1.0),
        ),
        (0..3usize, f64_in(1e-12, 1e8), f64_in(1e-6, 1e12)),
    )
        .prop_map(
            |(
                (_, lr, lr_scale, steps, every),
                (decades, loss_target, beta1, beta2, epsilon),
                (optimizer, mu0, mu_max),
            )| {
                TrainConfig {
                    optimizer: [Optimizer::Gd, Optimizer::Adam, Optimizer::Lm][optimizer],
                    lr,
                    lr_scale,
                    steps,
                    every,
                    decades,
                    loss_target,
                    beta1,
                    beta2,
                    epsilon,
                    mu0,
                    mu_max,
                }
            },
        )
}

/// Arbitrary configs: each field mostly in range, sometimes anything at all.
fn config() -> impl Strategy<Value = Config> {
    (
        (
            problem(),
            mostly(1u32..=16, any::<u32>()),
            activation(),
            usize_in(1, 20_000),
            mostly(prop_oneof![Just(0usize), 0..=20_000usize], wild_usize()),
            any::<bool>(),
            f64_in(1e-3, 1e8),
            mostly(0u64..=(1 << 53) - 1, any::<u64>()),
        ),
        (
            mostly(
                prop::collection::vec(1e-6..=1.0f64, 0..=12),
                prop::collection::vec(wild_f64(), 0..20),
            ),
            mostly(prop_oneof![Just(2u8), Just(4u8)], any::<u8>()),
            any::<bool>(),
            threshold(),
            rfm(),
            any::<bool>(),
            net(),
            train(),
        ),
    )
        .prop_map(
            |(
                (problem, k, activation, n, n_boundary, random, lambda, seed),
                (h, order, f32, threshold, rfm, network, net, train),
            )| Config {
                problem,
                k,
                activation,
                n,
                n_boundary,
                sampling: if random {
                    Sampling::Random
                } else {
                    Sampling::Grid
                },
                lambda,
                seed,
                h,
                order,
                precision: if f32 { Precision::F32 } else { Precision::F64 },
                threshold,
                rfm,
                model: if network {
                    ModelKind::Network
                } else {
                    ModelKind::Rfm
                },
                net,
                train,
            },
        )
}

/// Text a user, a link or an attacker might put in a control: anything at all.
fn wild_text() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            " ",
            "NaN",
            "nan",
            "-NaN",
            "inf",
            "-inf",
            "+inf",
            "Infinity",
            "infinity",
            "1e308",
            "1e309",
            "-1e308",
            "1e-400",
            "5e-324",
            "-0",
            "0",
            "-1",
            "+1",
            "0x10",
            "1_000",
            "1,5",
            "١٢",
            "１２",
            "1e",
            "e5",
            ".",
            "+",
            "-",
            "auto",
            "AUTO",
            "99999999999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "9007199254740991",
            "9007199254740992",
            "4294967296",
            "256",
            "<adfd-inject data-adfd-inject=1>",
            "\"><svg onload=alert(1)>",
            "constructor",
            "__proto__",
            "\u{0}",
            "\u{202e}1",
            " 12 ",
            "\t3\n",
        ])
        .prop_map(str::to_owned),
        any::<f64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| format!("{v:e}")),
        any::<i64>().prop_map(|v| v.to_string()),
        any::<u64>().prop_map(|v| v.to_string()),
        "[0-9eE+\\-., ]{0,24}",
        "\\PC{0,24}",
        any::<String>(),
    ]
    .boxed()
}

/// Text for `control`: often a value it accepts (a choice, a number in range, a list
/// of steps), otherwise [`wild_text`].
fn control_text(key: &'static str) -> BoxedStrategy<String> {
    let c = row(key);
    let valid: BoxedStrategy<String> = match c.kind {
        Kind::Choice => prop::sample::select(c.choices.to_vec())
            .prop_flat_map(|s| {
                prop_oneof![
                    Just(s.to_owned()),
                    Just(format!(" {s} ")),
                    Just(s.to_uppercase())
                ]
            })
            .boxed(),
        Kind::Whole => {
            let Some(Range::Whole(lo, hi)) = c.range else {
                panic!("{key}: a whole number without a whole range")
            };
            (lo..=hi).prop_map(|v| v.to_string()).boxed()
        }
        Kind::Log(_) => (-16.0..-0.01f64)
            .prop_map(|e| format!("{:e}", 10f64.powf(e)))
            .boxed(),
        Kind::Reals { .. } => prop::collection::vec(
            (
                1e-6..=1.0f64,
                prop::sample::select(vec![", ", ",", " ", ";", " ; ", "\t"]),
            ),
            0..=12,
        )
        .prop_map(|steps| steps.iter().map(|(h, sep)| format!("{h}{sep}")).collect())
        .boxed(),
        Kind::Optional { none } => prop_oneof![
            Just(none.to_owned()),
            (1e-6..1e3f64).prop_map(|v| format!("{v:e}"))
        ]
        .boxed(),
        Kind::Real if key == "rcond" => (1e-16..0.5f64).prop_map(|v| v.to_string()).boxed(),
        Kind::Real | Kind::Wholes { .. } => (1e-3..100.0f64).prop_map(|v| v.to_string()).boxed(),
    };
    prop_oneof![3 => valid, 1 => wild_text()].boxed()
}

/// Keys that are no control: prototype names, `_hide` and `_slider` variants, anything.
fn unknown_key() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(vec![
            "constructor",
            "__proto__",
            "toString",
            "hasOwnProperty",
            "prototype",
            "valueOf",
            "m_hide",
            "threshold_slider",
            "run",
            "",
            "M",
            " m",
            "net.scale",
            "rfm.m",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,16}",
    ]
    .boxed()
}

/// A form as the page (or a link) sends it: some controls, each with text, plus
/// unknown keys.
fn form() -> impl Strategy<Value = BTreeMap<String, String>> {
    let known: Vec<_> = CONTROLS
        .iter()
        .map(|c| prop::option::weighted(0.3, control_text(c.key)).prop_map(move |v| (c.key, v)))
        .collect();
    (
        known,
        prop::collection::vec((unknown_key(), wild_text()), 0..3),
    )
        .prop_map(|(known, unknown)| {
            let mut form: BTreeMap<String, String> = unknown.into_iter().collect();
            for (k, v) in known {
                if let Some(v) = v {
                    form.insert(k.to_owned(), v);
                }
            }
            form
        })
}

/// The configs a form is applied over: the page starts from adfd's defaults for a
/// problem and precision, on either model.
fn base() -> impl Strategy<Value = Config> {
    (problem(), any::<bool>(), any::<bool>()).prop_map(|(p, f32, network)| {
        let model = if network {
            ModelKind::Network
        } else {
            ModelKind::Rfm
        };
        Config::defaults_for(p, if f32 { Precision::F32 } else { Precision::F64 }, model)
    })
}

/// h-list text: numbers (any float, as written by people and by `{:e}`), separators,
/// and junk.
fn h_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        any::<f64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| format!("{v:e}")),
        (1e-6..1.0f64).prop_map(|v| format!("{v}")),
        wild_text(),
    ];
    let sep = prop::sample::select(vec![
        ",", ";", " ", "\t", "\n", ",,", " , ", "\u{3000}", "|", "", "\u{a0}",
    ]);
    prop::collection::vec((token, sep), 0..16)
        .prop_map(|parts| parts.into_iter().map(|(t, s)| t + s).collect())
}

// ---------------------------------------------------------------- properties

static ACCEPTED: AtomicUsize = AtomicUsize::new(0);
static FORMS_ACCEPTED: AtomicUsize = AtomicUsize::new(0);

const CONFIG_CASES: u32 = 60_000;
const FORM_CASES: u32 = 60_000;
const H_CASES: u32 = 40_000;

#[test]
fn config_check_never_panics_and_names_the_field_it_rejects() {
    ACCEPTED.store(0, Ordering::Relaxed);
    let runner = cases(CONFIG_CASES);
    let total = runner.cases as usize;
    proptest!(runner, |(c in config())| {
        let broken = violations(&c);
        let result = timed(&c, || c.clone().check())?;
        match result {
            Ok(valid) => {
                prop_assert!(broken.is_empty(), "accepted although {broken:?} break their documented limits");
                prop_assert_eq!(&*valid, &c);
                prop_assert!(json_reads_back(&c), "{c:?} does not survive its JSON");
                ACCEPTED.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                let Error::Invalid { field, message } = &e else {
                    return Err(TestCaseError::fail(format!("not an Invalid error: {e}")));
                };
                prop_assert!(config_paths().contains(field), "{field:?} is not a config path: {e}");
                prop_assert!(broken.contains(field.as_str()), "rejected {field} ({message}), but the broken fields are {broken:?}");
                prop_assert!(names_a_range(message), "{field}: {message:?} names no allowed range");
            }
        }
    });
    // Not vacuous: a good share of configs pass, so the accepting branch was tested.
    let accepted = ACCEPTED.load(Ordering::Relaxed);
    assert!(
        accepted * 20 >= total,
        "only {accepted} of {total} configs accepted"
    );
    println!("Config::check: {total} configs, {accepted} accepted");
}

#[test]
fn forms_never_panic_name_their_control_and_read_back() {
    FORMS_ACCEPTED.store(0, Ordering::Relaxed);
    let keys: BTreeSet<&str> = CONTROLS.iter().map(|c| c.key).collect();
    let runner = cases(FORM_CASES);
    let total = runner.cases as usize;
    proptest!(runner, |(form in form(), base in base())| {
        prop_assert!(base.clone().check().is_ok());
        let result = timed(&form, || config_from_form(&form, &base))?;
        match result {
            Ok(c) => {
                let broken = violations(&c);
                prop_assert!(broken.is_empty(), "accepted although {broken:?} break their documented limits");
                prop_assert!(json_reads_back(&c), "{c:?} does not survive its JSON");
                // Whatever the page shows for it reads back to the same config...
                let text = timed(&*c, || form_from_config(&c))?;
                prop_assert_eq!(text.len(), CONTROLS.len());
                let again = timed(&text, || config_from_form(&text, &base))?;
                prop_assert!(again.is_ok(), "{text:?} read back as {again:?}");
                let again = again.unwrap();
                prop_assert_eq!(format!("{again:?}"), format!("{c:?}"), "{:?} read back differently", text);
                // ...and, with no other input, from any base of the same problem.
                let again = config_from_form(&text, &Config::defaults_for(c.problem, c.precision, c.model)).unwrap();
                prop_assert_eq!(format!("{:?}", again), format!("{:?}", c));
                FORMS_ACCEPTED.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                let Error::Invalid { field, message } = &e else {
                    return Err(TestCaseError::fail(format!("not an Invalid error: {e}")));
                };
                prop_assert!(keys.contains(field.as_str()), "{field:?} is not a control key: {e}");
                prop_assert!(form.contains_key(field) || !message.is_empty(), "{e}");
                prop_assert!(!message.is_empty());
            }
        }
    });
    let accepted = FORMS_ACCEPTED.load(Ordering::Relaxed);
    assert!(
        accepted * 20 >= total,
        "only {accepted} of {total} forms accepted"
    );
    println!("config_from_form: {total} forms, {accepted} accepted");
}

#[test]
fn h_lists_parse_every_token_or_name_the_bad_one() {
    proptest!(cases(H_CASES), |(text in h_text())| {
        let h = row("h");
        let mut c = Config::default();
        let result = timed(&text, || h.apply(&mut c, &text).map(|()| c.h.clone()))?;
        let tokens: Vec<&str> = text
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .collect();
        match result {
            Ok(steps) => {
                prop_assert_eq!(steps.len(), tokens.len());
                // Written back as the page writes it, the list reads back bit for bit.
                let written = steps.iter().map(|h| format!("{h:e}")).collect::<Vec<_>>().join(", ");
                let mut again = Config::default();
                h.apply(&mut again, &written).unwrap();
                let back = again.h;
                // (NaN's sign bit is not written: any NaN reads back as NaN.)
                let bits = |v: &[f64]| v.iter().map(|h| if h.is_nan() { None } else { Some(h.to_bits()) }).collect::<Vec<_>>();
                prop_assert_eq!(bits(&back), bits(&steps));
            }
            Err(e) => {
                prop_assert_eq!(e.field(), Some("h"));
                let bad = tokens.iter().find(|t| t.parse::<f64>().is_err());
                prop_assert!(bad.is_some(), "rejected although every token is a number: {e}");
                prop_assert!(e.to_string().contains(&format!("{:?}", bad.unwrap())), "{e} does not quote {:?}", bad.unwrap());
            }
        }
    });
}

// ---------------------------------------------------------------- regressions

/// Found by the properties above; each failed before its fix.
mod regressions {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// `layers = usize::MAX` built `vec![width; layers]` before checking its range: a
    /// capacity-overflow panic (in the worker: a crash), and 10¹² layers an abort.
    #[test]
    fn a_huge_layer_count_is_a_range_error_not_an_allocation() {
        for layers in [usize::MAX, 1_000_000_000_000] {
            let mut c = Config {
                model: ModelKind::Network,
                ..Config::default()
            };
            c.net.layers = layers;
            // form_from_config names the model from the layer count: no allocation.
            assert_eq!(form_from_config(&c)["model"], "mlp");
            let err = c.check().unwrap_err();
            assert_eq!(err.field(), Some("net.layers"), "{err}");
            for model in ["mlp", "rfm"] {
                let f = form(&[("model", model), ("layers", &layers.to_string())]);
                let err = config_from_form(&f, &Config::default()).unwrap_err();
                assert_eq!(err.field(), Some("layers"), "{model}: {err}");
            }
        }
    }

    /// An RFM config accepted any value of the network's settings: `#model=rfm&lr=NaN`
    /// ran, and its exported JSON (`"lr": null`) re-ran with lr = auto; a NaN
    /// `net_scale` gave JSON that does not parse at all.
    #[test]
    fn the_other_models_settings_are_checked_too() {
        for (key, path, value) in [
            ("lr", "train.lr", "NaN"),
            ("net_scale", "net.scale", "inf"),
            ("steps", "train.steps", "0"),
            ("lr_scale", "train.lr_scale", "-1"),
        ] {
            let f = form(&[("model", "rfm"), (key, value)]);
            let err = config_from_form(&f, &Config::default()).unwrap_err();
            assert_eq!(err.field(), Some(key), "{key}={value}: {err}");
            let mut c = Config::default();
            let _ = c.clone().check().unwrap();
            match key {
                "lr" => c.train.lr = Some(f64::NAN),
                "net_scale" => c.net.scale = f64::INFINITY,
                "steps" => c.train.steps = 0,
                _ => c.train.lr_scale = -1.0,
            }
            assert_eq!(c.check().unwrap_err().field(), Some(path));
        }
        // And the other way round: a network carries an RFM scale in range.
        let f = form(&[("model", "two-layer"), ("scale", "NaN")]);
        let err = config_from_form(&f, &Config::default()).unwrap_err();
        assert_eq!(err.field(), Some("scale"), "{err}");
        // The memory bound holds for the running model only: 20000 features with
        // 20000 points do not fit, but a network run may carry them.
        let f = form(&[
            ("model", "two-layer"),
            ("m", "20000"),
            ("n", "20000"),
            ("width", "2"),
        ]);
        assert!(config_from_form(&f, &Config::default()).is_ok());
    }

    /// `relu^13` passed `Config::check` (smooth enough) but its JSON does not read back:
    /// the name takes k ∈ 1..=12.
    #[test]
    fn relu_powers_beyond_the_names_range_are_rejected() {
        let c = Config {
            activation: Activation::ReluPow(13),
            ..Config::default()
        };
        assert_eq!(c.check().unwrap_err().field(), Some("activation"));
        let c = Config {
            activation: Activation::ReluPow(12),
            ..Config::default()
        };
        assert!(json_reads_back(&c.check().unwrap()));
    }

    /// serde_json's default float parser read `163.49253100126145` 1 ulp off, so an
    /// exported learning rate did not re-run exactly.
    #[test]
    fn floats_survive_json_exactly() {
        let mut c = Config {
            model: ModelKind::Network,
            ..Config::default()
        };
        c.train.lr = Some(163.49253100126145);
        assert!(json_reads_back(&c));
    }
}
