//! [`Field`]: one row of the settings table ([`FIELDS`](super::settings::FIELDS)), and
//! what every consumer derives from a row.
//!
//! A field's value is read and written as text (the page's and the CLI's form of it),
//! through the row's `get` and `set`. Everything else is computed from the row:
//!
//! * [`Field::check`]: the range check of `Config::check` (a choice must be one of
//!   its choices, a number must lie in its [`Range`], a list must hold at most
//!   `max_len` items, each in the range), erring with the field's config path;
//! * [`Field::apply`]: text into a config, erring with the field's key;
//! * [`Field::allowed`] and [`Field::default_summary`]: the range and the default as
//!   the CLI's help prints them, the default read off `Config::defaults_for` for every
//!   problem and precision;
//! * [`Field::flag`]: the CLI flag, the key with `_` → `-`.

use super::parse;
use super::{Config, ModelKind};
use crate::error::{Error, Result};
use crate::numeric::jet::Precision;
use crate::pde::problem::{Problem, ProblemKind};
use serde::Serialize;
use std::fmt;

/// What text a field takes (and how the page shows it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// One of the field's `choices` (a menu); see [`Field::more`].
    Choice,
    /// A whole number.
    Whole,
    /// A real number, as text (`1e-13`).
    Real,
    /// A positive real number, shown with a slider over its base-10 exponent.
    Log(Slider),
    /// Real numbers separated by commas, semicolons or white space ([`parse::items`]).
    Reals {
        /// Most items the list may hold.
        max_len: usize,
    },
    /// Whole numbers separated likewise.
    Wholes {
        /// Most items the list may hold.
        max_len: usize,
    },
    /// A real number, or the word `none` for no value (the learning rate's `auto`).
    Optional {
        /// The word that stands for no value.
        none: &'static str,
    },
}

/// A log slider: exponents from `min` to `max` in steps of `step`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slider {
    /// Smallest exponent.
    pub min: f64,
    /// Largest exponent.
    pub max: f64,
    /// Exponent step.
    pub step: f64,
    /// A narrower range while another field shows a given value.
    pub narrow: Option<NarrowedRange>,
}

/// A narrower slider range while another field shows a given value (a relative
/// threshold stays below 1, so its slider ends lower than an absolute one's).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NarrowedRange {
    /// The other field's key.
    pub key: &'static str,
    /// Its value that narrows this field's range.
    pub value: &'static str,
    /// The range's end (an exponent) meanwhile.
    pub max: f64,
}

/// The values a number may take; NaN lies in no range, and an open end at ±∞ keeps
/// the infinity out (`(0, ∞)` holds the finite positive numbers).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// Whole numbers `min..=max`.
    Whole(u64, u64),
    /// Real numbers from `min` to `max`, each end open (excluded) or closed.
    Real {
        /// Lower end.
        min: f64,
        /// Whether `min` itself is excluded.
        min_open: bool,
        /// Upper end.
        max: f64,
        /// Whether `max` itself is excluded.
        max_open: bool,
    },
}

impl Range {
    /// `(min, max]`.
    pub const fn above(min: f64, max: f64) -> Range {
        Range::Real {
            min,
            min_open: true,
            max,
            max_open: false,
        }
    }

    /// `[min, max)`.
    pub const fn below(min: f64, max: f64) -> Range {
        Range::Real {
            min,
            min_open: false,
            max,
            max_open: true,
        }
    }

    /// `(min, max)`.
    pub const fn between(min: f64, max: f64) -> Range {
        Range::Real {
            min,
            min_open: true,
            max,
            max_open: true,
        }
    }

    /// Whether the number written `text` lies in the range (text that is no number of
    /// the range's kind does not).
    pub fn admits(&self, text: &str) -> bool {
        match *self {
            Range::Whole(min, max) => parse::whole::<u64>(text).is_ok_and(|v| min <= v && v <= max),
            Range::Real {
                min,
                min_open,
                max,
                max_open,
            } => parse::number::<f64>(text).is_ok_and(|v| {
                (if min_open { v > min } else { v >= min })
                    && (if max_open { v < max } else { v <= max })
            }),
        }
    }
}

/// A bound as people write it: `0.5`, `100`, `1e-13`, `1e8`, `∞`.
fn bound(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 { "∞" } else { "−∞" }.to_owned()
    } else if v != 0.0 && !(1e-3..=1e4).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// `1..=20000`, `(0, 1e4]`, `[0, 1)`, `[0, ∞)`.
impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Range::Whole(min, max) => write!(f, "{min}..={max}"),
            Range::Real {
                min,
                min_open,
                max,
                max_open,
            } => write!(
                f,
                "{}{}, {}{}",
                if min_open { '(' } else { '[' },
                bound(min),
                bound(max),
                if max_open { ')' } else { ']' }
            ),
        }
    }
}

/// The models a field applies to: the page hides it for the others, and the CLI
/// offers it on their subcommands only (`adfd rfm`: every model's and the RFM's;
/// `adfd train`: every model's and the networks').
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Models {
    /// Every model.
    All,
    /// The random feature model.
    Rfm,
    /// Every network (`two-layer` and `mlp`).
    Net,
    /// Only the deep network (`mlp`).
    Mlp,
}

/// One setting: where it lives in a [`Config`], its names, what text it takes and how
/// that text is read from and written into a config.
#[derive(Clone, Copy)]
pub struct Field {
    /// The config field, by path (`rfm.m`: the serialized config's nesting, and the
    /// field `Config::check` names in its errors).
    pub path: &'static str,
    /// The page's form field and URL-hash key (`m`, `net_scale`); the CLI flag is the
    /// key with `_` → `-` ([`Field::flag`]).
    pub key: &'static str,
    /// What the page shows beside it.
    pub label: &'static str,
    /// One sentence for the CLI's help (the range and default are added to it).
    pub help: &'static str,
    /// What text it takes.
    pub kind: Kind,
    /// The choices of a [`Kind::Choice`], in menu order.
    pub choices: &'static [&'static str],
    /// Other names a [`Kind::Choice`] accepts besides its menu (`relu^k`); `None`: the
    /// value must be one of `choices`, and [`Field::check`] holds it to them.
    pub more: Option<&'static str>,
    /// The values a number (each item of a list) may take.
    pub range: Option<Range>,
    /// The models it applies to.
    pub models: Models,
    /// Whether the page shows it.
    pub page: bool,
    /// Whether the CLI has a flag for it.
    pub cli: bool,
    /// Other config paths whose errors belong to this field (`net.widths` → `width`
    /// on the page).
    pub errors_from: &'static [&'static str],
    /// Old CLI flags still accepted, hidden from the help (`--scale` for `--net-scale`
    /// on `adfd train`).
    pub old_flags: &'static [&'static str],
    /// Its text for a config.
    pub get: fn(&Config) -> String,
    /// Sets its field of a config from text; the error's field is left for
    /// [`Field::apply`] to name.
    pub set: fn(&mut Config, &str) -> Result<()>,
}

impl Field {
    /// A field of every model, on the page and the CLI, without range or choices.
    pub const fn new(
        path: &'static str,
        key: &'static str,
        kind: Kind,
        label: &'static str,
        help: &'static str,
        get: fn(&Config) -> String,
        set: fn(&mut Config, &str) -> Result<()>,
    ) -> Field {
        Field {
            path,
            key,
            label,
            help,
            kind,
            choices: &[],
            more: None,
            range: None,
            models: Models::All,
            page: true,
            cli: true,
            errors_from: &[],
            old_flags: &[],
            get,
            set,
        }
    }

    /// With these choices.
    pub const fn choices(self, choices: &'static [&'static str]) -> Field {
        Field { choices, ..self }
    }

    /// With other accepted names besides the choices.
    pub const fn more(self, more: &'static str) -> Field {
        Field {
            more: Some(more),
            ..self
        }
    }

    /// With this range.
    pub const fn range(self, range: Range) -> Field {
        Field {
            range: Some(range),
            ..self
        }
    }

    /// For these models only.
    pub const fn only(self, models: Models) -> Field {
        Field { models, ..self }
    }

    /// Not on the page (the CLI and config files only).
    pub const fn cli_only(self) -> Field {
        Field {
            page: false,
            ..self
        }
    }

    /// Not on the CLI (the page only).
    pub const fn page_only(self) -> Field {
        Field { cli: false, ..self }
    }

    /// Errors about these other paths belong to this field.
    pub const fn errors_from(self, errors_from: &'static [&'static str]) -> Field {
        Field {
            errors_from,
            ..self
        }
    }

    /// These old CLI flags still work, hidden.
    pub const fn old_flags(self, old_flags: &'static [&'static str]) -> Field {
        Field { old_flags, ..self }
    }

    /// The CLI flag, without its dashes: the key with `_` → `-` (`net-scale`).
    pub fn flag(&self) -> String {
        self.key.replace('_', "-")
    }

    /// Whether the field applies to `model` with any depth (the CLI's subcommands).
    pub fn applies_to(&self, model: ModelKind) -> bool {
        match self.models {
            Models::All => true,
            Models::Rfm => model == ModelKind::Rfm,
            Models::Net | Models::Mlp => model == ModelKind::Network,
        }
    }

    /// Sets the field of `c` from `text`; a parse error names the field by its key and
    /// says what is allowed.
    pub fn apply(&self, c: &mut Config, text: &str) -> Result<()> {
        (self.set)(c, text).map_err(|e| match (e, self.allowed()) {
            (Error::Invalid { message, .. }, Some(allowed)) if self.kind != Kind::Choice => {
                Error::invalid(self.key, format!("{message}; allowed {allowed}"))
            }
            (e, _) => e.named(self.key),
        })
    }

    /// The numbers in a value's text: the items of a list, none for an optional's
    /// `none`, else the text itself.
    fn numbers<'t>(&self, text: &'t str) -> Vec<&'t str> {
        match self.kind {
            Kind::Reals { .. } | Kind::Wholes { .. } => parse::items(text).collect(),
            Kind::Optional { none } if text == none => Vec::new(),
            _ => vec![text],
        }
    }

    /// Checks the field of `c` against the row: a closed choice is one of `choices`,
    /// a list holds at most `max_len` items, and every number lies in `range`. The
    /// error names the field by path and states what is allowed.
    pub fn check(&self, c: &Config) -> Result<()> {
        let text = (self.get)(c);
        let fail = |message: String| Err(Error::invalid(self.path, message));
        match self.kind {
            Kind::Choice if self.more.is_none() && !self.choices.contains(&text.as_str()) => {
                return fail(format!(
                    "{text} is out of range; choose one of {}",
                    self.choices.join(", ")
                ));
            }
            Kind::Reals { max_len } | Kind::Wholes { max_len } => {
                let n = parse::items(&text).count();
                if n > max_len {
                    return fail(format!("{n} values given; at most {max_len}"));
                }
            }
            _ => {}
        }
        let Some(range) = self.range else {
            return Ok(());
        };
        match self.numbers(&text).into_iter().find(|v| !range.admits(v)) {
            Some(v) => fail(format!("{v} is out of range; allowed {range}")),
            None => Ok(()),
        }
    }

    /// What the field allows, as the CLI's help and parse errors say it:
    /// `1..=20000`, `(0, 1e6] or auto`, `each in (0, 1], at most 12`, `one of f64, f32`.
    pub fn allowed(&self) -> Option<String> {
        let range = self.range.map(|r| r.to_string());
        match self.kind {
            Kind::Choice => {
                let more = self.more.map(|m| format!(", or {m}")).unwrap_or_default();
                Some(format!("one of {}{more}", self.choices.join(", ")))
            }
            Kind::Reals { max_len } | Kind::Wholes { max_len } => Some(match range {
                Some(r) => format!("each in {r}, at most {max_len}"),
                None => format!("at most {max_len}"),
            }),
            Kind::Optional { none } => range.map(|r| format!("{r} or {none}")),
            Kind::Whole | Kind::Real | Kind::Log(_) => range,
        }
    }

    /// The field's text in adfd's defaults for `model` ([`Config::defaults_for`]) for
    /// every problem and precision, summarized by the coarsest description that
    /// determines it: `400`; `10 in 1-D, 2 in 2-D`; `1e-8 in f64, 1e-5 in f32`; or per
    /// problem and precision. The problem and the precision pick the defaults, so
    /// theirs are [`Config::default`]'s; an empty text (no per-layer widths) reads
    /// `empty`.
    pub fn default_summary(&self, model: ModelKind) -> String {
        if SELECTORS.contains(&self.path) {
            return (self.get)(&Config::default());
        }
        let problems = ProblemKind::NAMES.iter().filter_map(|n| n.parse().ok());
        let cases: Vec<(ProblemKind, Precision, String)> = problems
            .flat_map(|p| Precision::NAMES.iter().map(move |q| (p, q)))
            .filter_map(|(p, q)| Some((p, q.parse().ok()?)))
            .map(|(p, q)| (p, q, (self.get)(&Config::defaults_for(p, q, model))))
            .map(|(p, q, text)| {
                (
                    p,
                    q,
                    if text.is_empty() {
                        "empty".into()
                    } else {
                        text
                    },
                )
            })
            .collect();
        DESCRIPTIONS
            .iter()
            .find_map(|describe| summary(&cases, *describe))
            .unwrap_or_default()
    }
}

/// The fields that pick the defaults of the others (`Config::defaults_for(problem,
/// precision)`).
const SELECTORS: [&str; 2] = ["problem", "precision"];

/// Ways to say which cases a default holds for, coarsest first; the last tells every
/// case apart.
const DESCRIPTIONS: [fn(ProblemKind, Precision) -> String; 6] = [
    |_, _| String::new(),
    |_, q| format!("in {q}"),
    |p, _| format!("in {}-D", dim(p)),
    |p, q| format!("in {}-D {q}", dim(p)),
    |p, _| format!("for {p}"),
    |p, q| format!("for {p} in {q}"),
];

fn dim(kind: ProblemKind) -> usize {
    Problem { kind, k: 1 }.dim()
}

/// `value description` for each description of the cases, if the description
/// determines the value; `;` separates them when a value is a list.
fn summary(
    cases: &[(ProblemKind, Precision, String)],
    describe: fn(ProblemKind, Precision) -> String,
) -> Option<String> {
    let mut groups: Vec<(String, &str)> = Vec::new();
    for (p, q, value) in cases {
        let label = describe(*p, *q);
        match groups.iter().find(|(l, _)| *l == label) {
            Some((_, v)) if v != value => return None,
            Some(_) => {}
            None => groups.push((label, value)),
        }
    }
    let list = groups.iter().any(|(_, v)| v.contains(','));
    let parts: Vec<String> = groups
        .iter()
        .map(|(label, v)| format!("{v} {label}").trim_end().to_owned())
        .collect();
    Some(parts.join(if list { "; " } else { ", " }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_admit_their_ends_as_written() {
        let r = Range::above(0.0, 1e4);
        assert_eq!(r.to_string(), "(0, 10000]");
        assert!(r.admits("1e4") && r.admits("5e-324"));
        assert!(!r.admits("0") && !r.admits("10000.000000000002") && !r.admits("NaN"));
        let r = Range::below(0.0, f64::INFINITY);
        assert_eq!(r.to_string(), "[0, ∞)");
        assert!(r.admits("0") && r.admits("1e308") && !r.admits("inf") && !r.admits("-0.1"));
        assert_eq!(Range::between(0.0, 1.0).to_string(), "(0, 1)");
        assert_eq!(Range::above(0.0, 1e6).to_string(), "(0, 1e6]");
        let r = Range::Whole(1, 20_000);
        assert_eq!(r.to_string(), "1..=20000");
        assert!(r.admits("20000") && !r.admits("20001") && !r.admits("0") && !r.admits("1.5"));
    }

    #[test]
    fn summaries_use_the_coarsest_description_that_fits() {
        let case = |p: &str, q: &str, v: &str| (p.parse().unwrap(), q.parse().unwrap(), v.into());
        let by_dim = [
            case("poisson1d", "f64", "10"),
            case("poisson2d", "f64", "2"),
            case("poisson1d", "f32", "10"),
        ];
        let pick = |cases: &[_]| {
            DESCRIPTIONS
                .iter()
                .find_map(|d| summary(cases, *d))
                .unwrap()
        };
        assert_eq!(pick(&by_dim), "10 in 1-D, 2 in 2-D");
        let same = [
            case("poisson1d", "f64", "400"),
            case("poisson2d", "f32", "400"),
        ];
        assert_eq!(pick(&same), "400");
        let lists = [
            case("poisson1d", "f64", "1e-1, 1e-2"),
            case("poisson1d", "f32", "1e-1"),
            case("biharmonic1d", "f64", "1e-1"),
        ];
        assert_eq!(
            pick(&lists),
            "1e-1, 1e-2 for poisson1d in f64; 1e-1 for poisson1d in f32; 1e-1 for biharmonic1d in f64"
        );
    }
}
