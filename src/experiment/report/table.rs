//! The run table: which figures a comparison shows, under which words and in which
//! format. The CLI prints it ([`Table::text`]) and the page's readouts show it (it
//! travels in the snapshot), so both say the same thing the same way; each column's
//! meaning is spelled out in the table's notes.

use super::{Record, RfmReport, RfmRun, Speed, StopReason, Stopped, TrainReport};
use crate::models::net::kernel::KernelPoint;
use crate::models::optimizer::Optimizer;
use crate::numeric::jet::Precision;
use crate::numeric::spectrum::Threshold;
use crate::pde::operator::DiffMode;
use serde::{Deserialize, Serialize};

/// A table of runs: column headers, one row of text per run, and notes that define
/// every column.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Table {
    /// Column headers.
    pub columns: Vec<String>,
    /// One row per run, one text per column.
    pub rows: Vec<Vec<String>>,
    /// What the columns mean, one sentence each.
    pub notes: Vec<String>,
}

impl Table {
    /// The table as aligned plain text: the first column left-aligned, the others
    /// right-aligned, then the notes.
    pub fn text(&self) -> String {
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|c| {
                std::iter::once(&self.columns[c])
                    .chain(self.rows.iter().filter_map(|r| r.get(c)))
                    .map(|t| t.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            let parts: Vec<String> = cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (t, &w))| {
                    if c == 0 {
                        format!("{t:<w$}")
                    } else {
                        format!("{t:>w$}")
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_owned()
        };
        let mut out = line(&self.columns) + "\n";
        for row in &self.rows {
            out += &(line(row) + "\n");
        }
        for note in &self.notes {
            out += &format!("{note}\n");
        }
        out
    }
}

/// A figure for people: three significant digits, in exponent form below 10⁻² or from
/// 10⁴ (`1.23e-4`, `0.123`, `45.6`, `1.23e5`); `–` when there is none (NaN).
pub fn figure(v: f64) -> String {
    digits(v, 3)
}

/// [`figure`] with `d` significant digits.
pub fn digits(v: f64, d: usize) -> String {
    if v.is_nan() {
        return "–".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞" } else { "−∞" }.into();
    }
    let a = v.abs();
    if v != 0.0 && !(1e-2..1e4).contains(&a) {
        let s = format!("{v:.*e}", d.saturating_sub(1));
        // Rust writes 1.23e-4 already; keep it.
        return s;
    }
    // d significant digits in fixed notation.
    let magnitude = if a == 0.0 {
        0
    } else {
        a.log10().floor() as i32
    };
    let decimals = (d as i32 - 1 - magnitude).max(0) as usize;
    format!("{v:.decimals$}")
}

/// `relative, sᵢ > 1e-8·s₁` or `absolute, sᵢ > 1e-3`.
pub fn threshold_words(t: &Threshold) -> String {
    match t {
        Threshold::Relative(a) => format!("relative, sᵢ > {a:e}·s₁"),
        Threshold::Absolute(a) => format!("absolute, sᵢ > {a:e}"),
    }
}

/// The RFM runs' table: `K` (marked `*` where it counts round-off noise), `H`,
/// `exp H`, the round-off floor, both residuals, both errors and the fit's time.
pub fn rfm<'a>(
    runs: impl IntoIterator<Item = &'a RfmRun>,
    threshold: &Threshold,
    precision: Precision,
    dim: usize,
) -> Table {
    let runs: Vec<&RfmRun> = runs.into_iter().collect();
    let columns = [
        "run",
        "K",
        "H",
        "exp H",
        "floor",
        "system residual",
        "true residual",
        "L2 error",
        "max error",
        "ms",
    ];
    let rows = runs
        .iter()
        .map(|r| {
            vec![
                r.mode.to_string(),
                format!("{}{}", r.cutoff, if r.k_counts_noise { "*" } else { "" }),
                digits(r.entropy, 4),
                digits(r.effective_modes, 4),
                figure(r.noise_floor),
                figure(r.residual_system),
                figure(r.residual_true),
                figure(r.error_l2),
                figure(r.error_max),
                figure(r.time_ms),
            ]
        })
        .collect();
    let mut notes = vec![
        format!(
            "K, H, exp H: adfd's truncated entropy of the singular values of A, threshold {}.",
            threshold_words(threshold)
        ),
        format!("floor: the estimated round-off floor of A in {precision} (FD: grows like ε/hᵖ; AD: a lower estimate); singular values below it are noise."),
    ];
    if runs.iter().any(|r| r.k_counts_noise) {
        notes.push("*: K counts round-off noise as modes (singular values between the threshold level and the floor are kept); raise the threshold or h.".into());
    }
    notes.extend(common_notes(dim));
    notes.push("system residual: ‖Aa − F‖²/rows on the run's own (AD or FD) system. ms: the run's own fit.".into());
    Table {
        columns: columns.map(String::from).to_vec(),
        rows,
        notes,
    }
}

/// The test points and the two figures every table shares.
fn common_notes(dim: usize) -> [String; 1] {
    let points = if dim == 1 { "1000" } else { "50 × 50" };
    [format!("true residual: mean (Lu − f)² with the exact (AD) operator; L2 error ‖u − u*‖/‖u*‖ and max error max|u − u*|; all three on {points} held-out test points.")]
}

/// One network run as its table row shows it (from a running comparison or a report).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainRow {
    /// AD, or FD with its step `h`.
    pub mode: DiffMode,
    /// Training steps taken.
    pub step: usize,
    /// `K`, `H`, `exp H` of `J` at step 0.
    pub spectrum0: (usize, f64, f64),
    /// The latest training loss.
    pub loss: f64,
    /// First step with `loss ≤ 10^{−q}·loss₀`.
    pub steps_to_target: Option<usize>,
    /// At the latest record: true residual, relative L2 error, max error.
    pub measured: (f64, f64, f64),
    /// Levenberg–Marquardt's damping at the latest record.
    pub mu: Option<f64>,
    /// Training steps per second.
    pub steps_per_second: f64,
    /// Why the run stopped, if it has.
    pub stopped: Option<Stopped>,
}

impl TrainRow {
    /// The row of a run of `mode` at `step`: its spectrum at step 0, its latest record,
    /// its speed and its stop.
    pub fn of(
        mode: DiffMode,
        step: usize,
        kernel0: Option<&KernelPoint>,
        last: Option<&Record>,
        speed: &Speed,
        stopped: Option<&Stopped>,
    ) -> TrainRow {
        let nan = f64::NAN;
        TrainRow {
            mode,
            step,
            spectrum0: kernel0.map_or((0, nan, nan), |k| (k.cutoff, k.entropy, k.effective_modes)),
            loss: speed.final_loss,
            steps_to_target: speed.steps_to_target,
            measured: last.map_or((nan, nan, nan), |r| {
                (r.true_residual, r.error_l2, r.error_max)
            }),
            mu: last.and_then(|r| r.mu),
            steps_per_second: speed.steps_per_second,
            stopped: stopped.cloned(),
        }
    }
}

/// The network runs' table, with a note for every run that stopped before its last step.
/// `decades` is `q`; `lm` adds the damping column.
pub fn train(
    rows: &[TrainRow],
    threshold: &Threshold,
    decades: f64,
    lm: bool,
    dim: usize,
) -> Table {
    let mut columns = vec![
        "run".to_owned(),
        "step".into(),
        "K₀".into(),
        "H₀".into(),
        "exp H₀".into(),
        "loss".into(),
        format!("steps to loss ÷10^{decades}"),
        "true residual".into(),
        "L2 error".into(),
        "max error".into(),
    ];
    if lm {
        columns.push("μ".into());
    }
    columns.extend(["ms/step".into(), "stopped".into()]);
    let cells = rows
        .iter()
        .map(|r| {
            let (k0, h0, e0) = r.spectrum0;
            let (residual, l2, max) = r.measured;
            let mut row = vec![
                r.mode.to_string(),
                r.step.to_string(),
                k0.to_string(),
                digits(h0, 4),
                digits(e0, 4),
                figure(r.loss),
                r.steps_to_target
                    .map_or("not yet".into(), |s| s.to_string()),
                figure(residual),
                figure(l2),
                figure(max),
            ];
            if lm {
                row.push(r.mu.map_or("–".into(), figure));
            }
            row.push(if r.steps_per_second > 0.0 {
                figure(1e3 / r.steps_per_second)
            } else {
                "–".into()
            });
            row.push(r.stopped.as_ref().map_or("no", |s| s.reason.name()).into());
            row
        })
        .collect();
    let mut notes = vec![
        format!(
            "K₀, H₀, exp H₀: adfd's truncated entropy of the singular values of J at step 0 (the kernel G = JJᵀ has their squares), threshold {}.",
            threshold_words(threshold)
        ),
        format!("loss: the run's own (AD or FD) loss at its latest step; steps to loss ÷10^{decades}: the first step with loss ≤ 10^−{decades}·loss₀."),
    ];
    notes.extend(common_notes(dim));
    notes.push("The true residual and the errors are those of the latest record (every `every` steps and at the stop): a network's own loss can fall while its solution does not improve.".into());
    if lm {
        notes.push("μ: Levenberg–Marquardt's damping of the latest recorded step (small μ: a Gauss–Newton step; large: a short gradient step).".into());
    }
    notes.push("ms/step: wall time per training step of this run.".into());
    for r in rows {
        if let Some(s) = r.stopped.as_ref().filter(|s| s.reason != StopReason::Steps) {
            notes.push(format!("{} stopped: {}.", r.mode, s.message));
        }
    }
    Table {
        columns,
        rows: cells,
        notes,
    }
}

/// The table of an RFM report.
pub fn of_rfm(report: &RfmReport) -> Table {
    let c = &report.config;
    rfm(&report.runs, &c.threshold, c.precision, c.problem().dim())
}

/// The table of a training report.
pub fn of_train(report: &TrainReport) -> Table {
    let c = &report.config;
    let rows: Vec<TrainRow> = report.runs.iter().map(|r| r.row()).collect();
    let lm = c.train.optimizer == Optimizer::Lm;
    let mut t = train(&rows, &c.threshold, c.train.decades, lm, c.problem().dim());
    for r in &report.runs {
        if let Some(s) = r.stopped.as_ref().filter(|s| s.reason != StopReason::Steps) {
            t.notes.push(format!("{} stopped: {}.", r.mode, s.message));
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_have_three_significant_digits_and_switch_to_exponents_outside_1e_2_to_1e4() {
        assert_eq!(figure(0.123456), "0.123");
        assert_eq!(figure(45.678), "45.7");
        assert_eq!(figure(1234.5), "1234");
        assert_eq!(figure(12345.0), "1.23e4");
        assert_eq!(figure(0.001234), "1.23e-3");
        assert_eq!(figure(0.0), "0.00");
        assert_eq!(figure(f64::NAN), "–");
        assert_eq!(digits(2.74443, 4), "2.744");
    }

    /// Every figure's column is defined in a note (the run, its step and why it
    /// stopped speak for themselves).
    #[test]
    fn every_column_is_defined_in_the_notes() {
        let row = TrainRow {
            mode: DiffMode::Ad,
            step: 3,
            spectrum0: (5, 1.0, 2.7),
            loss: 1.0,
            steps_to_target: None,
            measured: (1.0, 0.1, 0.2),
            mu: Some(1e-3),
            steps_per_second: 10.0,
            stopped: None,
        };
        let t = Threshold::Relative(1e-8);
        let tables = [
            train(&[row], &t, 2.0, true, 1),
            rfm(std::iter::empty(), &t, Precision::F64, 2),
        ];
        for table in tables {
            let notes = table.notes.join(" ");
            for c in &table.columns {
                if !["run", "step", "stopped"].contains(&c.as_str()) {
                    assert!(notes.contains(c.as_str()), "{c} is not defined in: {notes}");
                }
            }
        }
    }

    #[test]
    fn text_aligns_columns_and_ends_with_the_notes() {
        let t = Table {
            columns: vec!["run".into(), "K".into()],
            rows: vec![
                vec!["AD".into(), "110".into()],
                vec!["FD h=1e-1".into(), "7*".into()],
            ],
            notes: vec!["K: modes.".into()],
        };
        assert_eq!(
            t.text(),
            "run          K\nAD         110\nFD h=1e-1   7*\nK: modes.\n"
        );
    }
}
