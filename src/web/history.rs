//! The finished runs the entropy scatter plots: each run's truncated entropy against
//! what it reached, kept for the most recent [`HISTORY`] runs.
//!
//! What a run reached depends on where it came from ([`Source`]): an RFM fit's true PDE
//! residual; a network trained by gradient descent or Adam, its loss after training
//! over its initial loss (the paper's training speed); a network trained by
//! Levenberg–Marquardt, which trains to the solution, its solution's relative L2 error.
//! The scatter shows only the runs of the current source, so one axis never mixes them.

use super::snapshot::HistoryView;
use crate::experiment::config::{Config, ModelKind};
use crate::experiment::Comparison;
use crate::models::optimizer::Optimizer;
use std::collections::VecDeque;

/// Most finished runs kept for the entropy scatter.
pub const HISTORY: usize = 400;

/// Where a run came from: the RFM, or a network and its optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A random feature model fit.
    Rfm,
    /// A network trained by this optimizer.
    Network(Optimizer),
}

impl Source {
    /// The source of `config`'s runs.
    pub fn of(config: &Config) -> Source {
        match config.model {
            ModelKind::Rfm => Source::Rfm,
            ModelKind::Network => Source::Network(config.train.optimizer),
        }
    }

    /// The scatter's axis labels: what the entropy is of, and what the outcome is.
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Source::Rfm => ("truncated entropy H(a) of A", "true PDE residual"),
            Source::Network(Optimizer::Lm) => (
                "truncated entropy H(a) of J at step 0",
                "relative L2 error of u after training",
            ),
            Source::Network(Optimizer::Gd | Optimizer::Adam) => (
                "truncated entropy H(a) of J at step 0",
                "loss after training / initial loss",
            ),
        }
    }
}

/// One finished run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Where it came from.
    pub source: Source,
    /// The FD step size `h` (`None` for AD).
    pub h: Option<f64>,
    /// `H(a)` (RFM: of `A`; network: of `J` at step 0).
    pub entropy: f64,
    /// `exp H(a)`.
    pub effective_modes: f64,
    /// The true residual (RFM: of the fit; network: at the last record).
    pub residual_true: f64,
    /// What it reached, as its [`Source`] measures it: the RFM's true residual, a GD or
    /// Adam network's `loss_end / loss₀`, a Levenberg–Marquardt network's L2 error.
    pub reached: f64,
}

/// The finished runs of a comparison (all once it is finished; none before setup).
pub fn outcomes(c: Option<&Comparison>) -> Vec<Outcome> {
    match c {
        None => Vec::new(),
        Some(Comparison::Rfm(c)) => c
            .fits()
            .iter()
            .map(|f| Outcome {
                source: Source::Rfm,
                h: f.run.mode.h(),
                entropy: f.run.entropy,
                effective_modes: f.run.effective_modes,
                residual_true: f.run.residual_true,
                reached: f.run.residual_true,
            })
            .collect(),
        Some(Comparison::Train(c)) => {
            let source = Source::of(c.config());
            c.runs()
                .iter()
                .filter(|r| r.is_finished())
                .map(|r| {
                    let k0 = r.kernels().first();
                    let last = r.latest_record();
                    let reached = match source {
                        Source::Network(Optimizer::Lm) => last.map_or(f64::NAN, |x| x.error_l2),
                        _ => 1.0 / r.speed(c.config().train.decades).loss_reduction,
                    };
                    Outcome {
                        source,
                        h: r.mode().h(),
                        entropy: k0.map_or(f64::NAN, |k| k.entropy),
                        effective_modes: k0.map_or(f64::NAN, |k| k.effective_modes),
                        residual_true: last.map_or(f64::NAN, |x| x.true_residual),
                        reached,
                    }
                })
                .collect()
        }
    }
}

/// The most recent finished runs, oldest dropped first: at most [`HISTORY`].
#[derive(Clone, Debug, Default)]
pub struct History(VecDeque<Outcome>);

impl History {
    /// Adds a finished run, dropping the oldest when full.
    pub fn push(&mut self, outcome: Outcome) {
        if self.0.len() == HISTORY {
            self.0.pop_front();
        }
        self.0.push_back(outcome);
    }

    /// Runs kept.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no run is kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The scatter's data: the runs of `source`.
    pub fn view(&self, source: Source) -> HistoryView {
        let mine: Vec<&Outcome> = self.0.iter().filter(|o| o.source == source).collect();
        let (x_label, y_label) = source.labels();
        HistoryView {
            entropy: mine.iter().map(|o| o.entropy).collect(),
            y: mine.iter().map(|o| o.reached).collect(),
            ad: mine.iter().map(|o| o.h.is_none()).collect(),
            x_label: x_label.into(),
            y_label: y_label.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(source: Source, reached: f64) -> Outcome {
        Outcome {
            source,
            h: None,
            entropy: 1.0,
            effective_modes: 1.0,
            residual_true: 1.0,
            reached,
        }
    }

    #[test]
    fn history_is_bounded() {
        let mut h = History::default();
        for _ in 0..HISTORY + 10 {
            h.push(outcome(Source::Rfm, 1.0));
        }
        assert_eq!(h.len(), HISTORY);
    }

    #[test]
    fn the_scatter_never_mixes_sources() {
        let mut h = History::default();
        h.push(outcome(Source::Rfm, 1.0));
        h.push(outcome(Source::Network(Optimizer::Gd), 2.0));
        h.push(outcome(Source::Network(Optimizer::Lm), 3.0));
        let lm = h.view(Source::Network(Optimizer::Lm));
        assert_eq!(lm.y, vec![3.0]);
        assert!(lm.y_label.contains("L2 error"));
        assert_eq!(h.view(Source::Network(Optimizer::Gd)).y, vec![2.0]);
        assert_eq!(h.view(Source::Rfm).y_label, "true PDE residual");
    }
}
