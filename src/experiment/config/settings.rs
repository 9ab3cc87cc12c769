//! The one table of settings fields, [`FIELDS`]: adding a setting is adding a row.
//!
//! Each row ([`Field`]) names a [`Config`] field once: its config path (`rfm.m`), its
//! page and URL-hash key (`m`; the CLI flag is the key with `_` → `-`), its label and
//! help sentence, its [`Kind`] with choices and [`Range`], the models it applies to,
//! whether the page and the CLI show it, and how its text is read from and written
//! into a config. Everything else is generated from the table:
//!
//! * `Config::check` checks every row's range ([`Field::check`]); the rules that are
//!   not ranges of one field (memory bounds, activation smoothness, a relative
//!   threshold below 1) stay as code there, each in one place;
//! * the page's controls ([`crate::web::controls`]) are the rows the page shows, in
//!   table order, and its form ([`crate::web::form`]) applies them;
//! * the CLI (`src/bin/adfd/`) builds one flag per row for the subcommands of the
//!   row's models, its help printing [`Field::allowed`] and [`Field::default_summary`].
//!
//! Defaults are not in the table: they are `Config::defaults_for(problem, precision)`'s,
//! read through each row's getter. Choices come from the enums' `NAMES`, so a new
//! variant (an optimizer) appears on the page and the CLI by itself.

use super::field::{Field, Kind, Models, NarrowedRange, Range, Slider};
use super::{parse, Config, ModelKind, MAX_POINTS, MAX_SEED, MAX_STEPS_H};
use crate::error::Result;
use crate::models::optimizer::Optimizer;
use crate::models::rfm::Init;
use crate::numeric::jet::Precision;
use crate::numeric::spectrum::Threshold;
use crate::pde::problem::{ProblemKind, Sampling};

/// The page's model menu: the RFM, a network with one hidden layer (the paper's
/// theory), or a deeper one (`layers` of them).
pub const MODEL_CHOICES: &[&str] = &["rfm", TWO_LAYER, "mlp"];
/// The model choice that pins `layers` at 1 whatever the `layers` control says.
pub const TWO_LAYER: &str = "two-layer";
/// The activations the page offers: every smooth one, and `relu^5` (smooth enough for
/// the biharmonic operator); any `relu^k` is accepted
/// ([`ACTIVATION_NAMES`](crate::numeric::activation::ACTIVATION_NAMES)).
pub const ACTIVATION_CHOICES: &[&str] =
    &["tanh", "sin", "sigmoid", "softplus", "gaussian", "relu^5"];
/// Stencil accuracy orders.
pub const ORDER_CHOICES: &[&str] = &["2", "4"];
/// Threshold kinds: `a` relative to `s₁`, or absolute.
pub const THRESHOLD_KINDS: &[&str] = &["relative", "absolute"];

/// Largest whole-number settings: network widths, hidden layers, step counts.
const MAX_WIDTH: u64 = 5000;
const MAX_LAYERS: usize = 8;
const MAX_STEPS: u64 = 1_000_000;

/// Stores a parsed value.
fn store<T>(slot: &mut T, value: Result<T>) -> Result<()> {
    *slot = value?;
    Ok(())
}

/// Exponent form (`1e-13`), which round-trips every float exactly.
fn exp_text(v: f64) -> String {
    format!("{v:e}")
}

/// Exponent forms separated by `, ` (the FD step sizes).
fn exp_list(v: &[f64]) -> String {
    v.iter()
        .map(|&x| exp_text(x))
        .collect::<Vec<_>>()
        .join(", ")
}

fn threshold_a(t: Threshold) -> f64 {
    match t {
        Threshold::Relative(a) | Threshold::Absolute(a) => a,
    }
}

fn model_text(c: &Config) -> String {
    match (c.model, c.net.depth()) {
        (ModelKind::Rfm, _) => "rfm",
        (ModelKind::Network, 1) => TWO_LAYER,
        (ModelKind::Network, _) => "mlp",
    }
    .to_owned()
}

/// `two-layer` and `mlp` are both networks (the form pins a two-layer's depth);
/// `network`, the serialized name, is accepted too.
fn set_model(c: &mut Config, v: &str) -> Result<()> {
    c.model = match v.trim() {
        "rfm" => ModelKind::Rfm,
        TWO_LAYER | "mlp" | "network" => ModelKind::Network,
        _ => return parse::choice(v, MODEL_CHOICES).map(|_| ()),
    };
    Ok(())
}

fn set_threshold(c: &mut Config, v: &str) -> Result<()> {
    let a = parse::number(v)?;
    c.threshold = match c.threshold {
        Threshold::Relative(_) => Threshold::Relative(a),
        Threshold::Absolute(_) => Threshold::Absolute(a),
    };
    Ok(())
}

fn threshold_kind(c: &Config) -> String {
    match c.threshold {
        Threshold::Relative(_) => "relative",
        Threshold::Absolute(_) => "absolute",
    }
    .to_owned()
}

fn set_threshold_kind(c: &mut Config, v: &str) -> Result<()> {
    let a = threshold_a(c.threshold);
    c.threshold = match parse::choice(v, THRESHOLD_KINDS)? {
        "relative" => Threshold::Relative(a),
        _ => Threshold::Absolute(a),
    };
    Ok(())
}

/// The field with this key, if any.
pub fn field(key: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.key == key)
}

/// Every settings field, in the order the page and the CLI's help show them.
#[rustfmt::skip] // one row per paragraph reads as a table; rustfmt would spread each over many lines
pub const FIELDS: &[Field] = &[
    Field::new("problem", "problem", Kind::Choice, "problem", "PDE",
        |c| c.problem.to_string(),
        |c, v| store(&mut c.problem, v.parse()))
    .choices(ProblemKind::NAMES),
    Field::new("k", "k", Kind::Whole, "frequency k", "Frequency k of the exact solution Π sin(kπx_i)",
        |c| c.k.to_string(),
        |c, v| store(&mut c.k, parse::whole(v)))
    .range(Range::Whole(1, 16)),
    Field::new("model", "model", Kind::Choice, "model",
        "Model: the random feature model, a network with one hidden layer, or a deeper one",
        model_text, set_model)
    .choices(MODEL_CHOICES)
    .page_only(),
    Field::new("activation", "activation", Kind::Choice, "activation σ", "Activation σ",
        |c| c.activation.to_string(),
        |c, v| store(&mut c.activation, v.parse()))
    .choices(ACTIVATION_CHOICES)
    .more("relu^k with k = 1..12"),
    Field::new("rfm.m", "m", Kind::Whole, "features m", "Number of random features m",
        |c| c.rfm.m.to_string(),
        |c, v| store(&mut c.rfm.m, parse::whole(v)))
    .range(Range::Whole(1, MAX_POINTS))
    .only(Models::Rfm),
    Field::new("rfm.scale", "scale", Kind::Real, "feature scale R",
        "Range R of the features: w, b ~ U[−R, R] (or N(0, R²))",
        |c| c.rfm.scale.to_string(),
        |c, v| store(&mut c.rfm.scale, parse::number(v)))
    .range(Range::above(0.0, 1e4))
    .only(Models::Rfm),
    Field::new("net.width", "width", Kind::Whole, "width", "Width m of every hidden layer",
        |c| c.net.width.to_string(),
        |c, v| store(&mut c.net.width, parse::whole(v)))
    .range(Range::Whole(1, MAX_WIDTH))
    .only(Models::Net)
    .errors_from(&["net.widths"]),
    Field::new("net.layers", "layers", Kind::Whole, "hidden layers",
        "Number of hidden layers L (1 = the two-layer network)",
        |c| c.net.layers.to_string(),
        |c, v| store(&mut c.net.layers, parse::whole(v)))
    .range(Range::Whole(1, MAX_LAYERS as u64))
    .only(Models::Mlp),
    Field::new("net.widths", "widths", Kind::Wholes { max_len: MAX_LAYERS }, "hidden widths",
        "Per-layer widths m_1 … m_L, first layer first (empty: layers of width)",
        |c| c.net.widths.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(", "),
        |c, v| store(&mut c.net.widths, parse::list(v, parse::whole)))
    .range(Range::Whole(1, MAX_WIDTH))
    .only(Models::Net)
    .cli_only(),
    Field::new("net.scale", "net_scale", Kind::Real, "init scale R",
        "Init range R of the first layer: w, b ~ U[−R, R]",
        |c| c.net.scale.to_string(),
        |c, v| store(&mut c.net.scale, parse::number(v)))
    .range(Range::above(0.0, 1e4))
    .only(Models::Net)
    .old_flags(&["scale"]),
    Field::new("train.optimizer", "optimizer", Kind::Choice, "optimizer", "Optimizer",
        |c| c.train.optimizer.to_string(),
        |c, v| store(&mut c.train.optimizer, v.parse::<Optimizer>()))
    .choices(Optimizer::NAMES)
    .only(Models::Net),
    Field::new("train.lr", "lr", Kind::Optional { none: "auto" }, "GD/Adam learning rate (auto: c/λmax)",
        "Fixed learning rate shared by all runs; auto: c/λ_max of the AD run's initial kernel",
        |c| c.train.lr.map_or("auto".to_owned(), exp_text),
        |c, v| store(&mut c.train.lr, parse::number_or(v, "auto")))
    .range(Range::above(0.0, 1e6))
    .only(Models::Net),
    Field::new("train.lr_scale", "lr_scale", Kind::Real, "GD/Adam c in c/λmax",
        "c of the shared learning rate c/λ_max of the AD run's initial kernel (lr auto)",
        |c| c.train.lr_scale.to_string(),
        |c, v| store(&mut c.train.lr_scale, parse::number(v)))
    .range(Range::above(0.0, 100.0))
    .only(Models::Net),
    Field::new("train.mu0", "mu0", Kind::Real, "LM damping μ₀",
        "Levenberg–Marquardt's initial damping μ₀ (adapted by Nielsen's rule)",
        |c| exp_text(c.train.mu0),
        |c, v| store(&mut c.train.mu0, parse::number(v)))
    .range(Range::above(0.0, 1e8))
    .only(Models::Net),
    Field::new("train.mu_max", "mu_max", Kind::Real, "LM bound μ_max",
        "Levenberg–Marquardt stops a run when no damping μ up to this bound lowers its loss",
        |c| exp_text(c.train.mu_max),
        |c, v| store(&mut c.train.mu_max, parse::number(v)))
    .range(Range::above(0.0, 1e12))
    .only(Models::Net),
    Field::new("train.steps", "steps", Kind::Whole, "steps", "Training steps of each run",
        |c| c.train.steps.to_string(),
        |c, v| store(&mut c.train.steps, parse::whole(v)))
    .range(Range::Whole(1, MAX_STEPS))
    .only(Models::Net),
    Field::new("train.every", "every", Kind::Whole, "record every",
        "Record the kernel spectrum and true residual every this many steps",
        |c| c.train.every.to_string(),
        |c, v| store(&mut c.train.every, parse::whole(v)))
    .range(Range::Whole(1, MAX_STEPS))
    .only(Models::Net),
    Field::new("train.decades", "decades", Kind::Real, "decades q",
        "q: training speed = steps until the loss falls by 10^q",
        |c| c.train.decades.to_string(),
        |c, v| store(&mut c.train.decades, parse::number(v)))
    .range(Range::above(0.0, 30.0))
    .only(Models::Net)
    .cli_only(),
    Field::new("train.loss_target", "loss_target", Kind::Optional { none: "none" }, "loss target",
        "Stop a run once its loss is at or below this value; none: take all the steps",
        |c| c.train.loss_target.map_or("none".to_owned(), exp_text),
        |c, v| store(&mut c.train.loss_target, parse::number_or(v, "none")))
    .range(Range::below(0.0, f64::INFINITY))
    .only(Models::Net)
    .cli_only(),
    Field::new("train.beta1", "beta1", Kind::Real, "Adam β₁", "Adam's β₁",
        |c| c.train.beta1.to_string(),
        |c, v| store(&mut c.train.beta1, parse::number(v)))
    .range(Range::below(0.0, 1.0))
    .only(Models::Net)
    .cli_only(),
    Field::new("train.beta2", "beta2", Kind::Real, "Adam β₂", "Adam's β₂",
        |c| c.train.beta2.to_string(),
        |c, v| store(&mut c.train.beta2, parse::number(v)))
    .range(Range::below(0.0, 1.0))
    .only(Models::Net)
    .cli_only(),
    Field::new("train.epsilon", "epsilon", Kind::Real, "Adam ε", "Adam's ε",
        |c| exp_text(c.train.epsilon),
        |c, v| store(&mut c.train.epsilon, parse::number(v)))
    .range(Range::above(0.0, 1.0))
    .only(Models::Net)
    .cli_only(),
    Field::new("n", "n", Kind::Whole, "interior points n",
        "Interior collocation points n (a 2-D grid uses ⌊√n⌋²)",
        |c| c.n.to_string(),
        |c, v| store(&mut c.n, parse::whole(v)))
    .range(Range::Whole(1, MAX_POINTS)),
    Field::new("n_boundary", "n_boundary", Kind::Whole, "boundary points",
        "Boundary points in 2-D; 0: 4⌈√n⌉ (1-D always uses the two end points)",
        |c| c.n_boundary.to_string(),
        |c, v| store(&mut c.n_boundary, parse::whole(v)))
    .range(Range::Whole(0, MAX_POINTS))
    .cli_only(),
    Field::new("sampling", "sampling", Kind::Choice, "points", "Point placement",
        |c| c.sampling.to_string(),
        |c, v| store(&mut c.sampling, v.parse::<Sampling>()))
    .choices(Sampling::NAMES),
    Field::new("seed", "seed", Kind::Whole, "seed", "Seed of all random draws",
        |c| c.seed.to_string(),
        |c, v| store(&mut c.seed, parse::whole(v)))
    .range(Range::Whole(0, MAX_SEED)),
    Field::new("h", "h", Kind::Reals { max_len: MAX_STEPS_H }, "FD step sizes h (list; AD always runs)",
        "FD step sizes h (AD always runs too)",
        |c| exp_list(&c.h),
        |c, v| store(&mut c.h, parse::list(v, parse::number)))
    .range(Range::above(0.0, 1.0)),
    Field::new("order", "order", Kind::Choice, "stencil order", "Stencil accuracy order",
        |c| c.order.to_string(),
        |c, v| store(&mut c.order, parse::choice(v, ORDER_CHOICES).and_then(parse::whole)))
    .choices(ORDER_CHOICES),
    Field::new("threshold.a", "threshold", Kind::Log(Slider {
            min: -16.0, max: 4.0, step: 0.5,
            narrow: Some(NarrowedRange { key: "threshold_kind", value: "relative", max: -0.5 }),
        }), "threshold a",
        "Threshold a of K(a) and H(a): keep s_i > a·s_1 (relative: a < 1) or s_i > a (absolute)",
        |c| exp_text(threshold_a(c.threshold)),
        set_threshold)
    .range(Range::between(0.0, f64::INFINITY)),
    Field::new("threshold.kind", "threshold_kind", Kind::Choice, "threshold is",
        "Whether the threshold a is relative to s_1 or absolute",
        threshold_kind, set_threshold_kind)
    .choices(THRESHOLD_KINDS),
    Field::new("precision", "precision", Kind::Choice, "precision", "Model evaluation precision",
        |c| c.precision.to_string(),
        |c, v| store(&mut c.precision, v.parse::<Precision>()))
    .choices(Precision::NAMES),
    Field::new("lambda", "lambda", Kind::Real, "boundary weight λ", "Boundary weight λ",
        |c| c.lambda.to_string(),
        |c, v| store(&mut c.lambda, parse::number(v)))
    .range(Range::above(0.0, 1e8)),
    Field::new("rfm.init", "init", Kind::Choice, "feature init",
        "Feature distribution: U[−R, R] or N(0, R²)",
        |c| c.rfm.init.to_string(),
        |c, v| store(&mut c.rfm.init, v.parse::<Init>()))
    .choices(Init::NAMES)
    .only(Models::Rfm),
    Field::new("rfm.rcond", "rcond", Kind::Real, "least-squares rcond",
        "Least-squares cut: singular values s_i ≤ rcond·s_1 are discarded",
        |c| exp_text(c.rfm.rcond),
        |c, v| store(&mut c.rfm.rcond, parse::number(v)))
    .range(Range::between(0.0, 1.0))
    .only(Models::Rfm),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::activation::{Activation, ACTIVATION_NAMES};

    #[test]
    fn keys_paths_and_flags_are_unique() {
        for (i, a) in FIELDS.iter().enumerate() {
            for b in &FIELDS[i + 1..] {
                assert_ne!(a.key, b.key);
                assert_ne!(a.path, b.path);
                assert_ne!(a.flag(), b.flag());
            }
        }
    }

    #[test]
    fn choices_are_the_enums_names() {
        let choices = |key: &str| field(key).unwrap().choices;
        assert_eq!(choices("problem"), ProblemKind::NAMES);
        assert_eq!(choices("sampling"), Sampling::NAMES);
        assert_eq!(choices("init"), Init::NAMES);
        assert_eq!(choices("optimizer"), Optimizer::NAMES);
        assert_eq!(choices("precision"), Precision::NAMES);
        // Activations: every named one the parser lists, plus one relu^k; each reads
        // back as itself.
        for name in ACTIVATION_NAMES.split(", ").filter(|n| !n.contains('^')) {
            assert!(choices("activation").contains(&name), "{name} offered");
        }
        for name in choices("activation") {
            assert_eq!(name.parse::<Activation>().unwrap().to_string(), *name);
        }
        for f in FIELDS {
            assert_eq!(f.kind == Kind::Choice, !f.choices.is_empty(), "{}", f.key);
        }
    }

    /// Every field's text of adfd's defaults passes its own check and reads back to
    /// the same config.
    #[test]
    fn defaults_pass_every_row_and_read_back() {
        for p in ProblemKind::NAMES {
            for q in Precision::NAMES {
                let c =
                    Config::defaults_for(p.parse().unwrap(), q.parse().unwrap(), ModelKind::Rfm);
                for f in FIELDS {
                    f.check(&c).unwrap_or_else(|e| panic!("{p} {q}: {e}"));
                    let mut again = c.clone();
                    f.apply(&mut again, &(f.get)(&c)).unwrap();
                    assert_eq!(again, c, "{}", f.key);
                }
            }
        }
    }

    #[test]
    fn the_help_states_range_and_default_per_problem() {
        let f = field("scale").unwrap();
        assert_eq!(f.allowed().unwrap(), "(0, 10000]");
        assert_eq!(f.default_summary(ModelKind::Rfm), "10 in 1-D, 2 in 2-D");
        assert_eq!(
            field("threshold").unwrap().default_summary(ModelKind::Rfm),
            "1e-8 in f64, 1e-5 in f32"
        );
        assert_eq!(field("m").unwrap().default_summary(ModelKind::Rfm), "400");
        assert_eq!(
            field("problem").unwrap().default_summary(ModelKind::Rfm),
            "poisson1d"
        );
        assert_eq!(
            field("precision").unwrap().default_summary(ModelKind::Rfm),
            "f64"
        );
        assert_eq!(
            field("widths").unwrap().default_summary(ModelKind::Rfm),
            "empty"
        );
        assert_eq!(field("lr").unwrap().allowed().unwrap(), "(0, 1e6] or auto");
        assert_eq!(
            field("h").unwrap().allowed().unwrap(),
            "each in (0, 1], at most 12"
        );
        let h = field("h").unwrap().default_summary(ModelKind::Rfm);
        assert!(
            h.starts_with("1e-1, 1e-2, 1e-3 for poisson1d in f64; "),
            "{h}"
        );
        assert_eq!(h.matches(';').count(), 7, "{h}");
    }

    #[test]
    fn a_list_too_long_or_an_order_not_offered_names_its_path() {
        let c = Config {
            h: vec![0.1; MAX_STEPS_H + 1],
            ..Config::default()
        };
        let e = field("h").unwrap().check(&c).unwrap_err();
        assert_eq!(e.to_string(), "invalid h: 13 values given; at most 12");
        let c = Config {
            order: 3,
            ..Config::default()
        };
        let e = field("order").unwrap().check(&c).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid order: 3 is out of range; choose one of 2, 4"
        );
    }
}
