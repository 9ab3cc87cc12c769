//! The claims over seeds, asserting what the `adfd claims` table supports (README, "The
//! claims, measured"; docs/claims.json holds the 20-seed table): robust claims must hold
//! on at least 9 of seeds 0–9, where adfd's reading does not hold robustly the test
//! asserts only that the row is measured, and nothing is asserted on a chosen seed.
//!
//! The 1-D problems run every claim on seeds 0–9. The 2-D problems run their RFM claims
//! on seeds 0–9 but their network claims on seeds 0–2 only: at the 2-D claim size (a
//! 24 × 24 grid, width 200) one seed trains eight networks, a minute or two on 2 cores,
//! so ten seeds would add over a quarter of an hour to every CI run. On those three
//! seeds each 2-D network claim that the 20-seed table shows holding on every seed must
//! hold on all three. Built with optimizations only (`./scripts/test` runs it with
//! `--release`).
#![cfg(not(debug_assertions))]

use adfd::claims::{self, ClaimRow, Options};
use adfd::ProblemKind;
use std::sync::OnceLock;

fn table() -> &'static [ClaimRow] {
    static TABLE: OnceLock<Vec<ClaimRow>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let run = |problems: &[ProblemKind], seeds: std::ops::Range<u64>, networks| {
            let seeds: Vec<u64> = seeds.collect();
            let options = Options {
                networks,
                sizes: false,
            };
            claims::run(problems, &seeds, options, &|_| {})
                .unwrap()
                .rows
        };
        let one_d = [ProblemKind::Poisson1d, ProblemKind::Biharmonic1d];
        let two_d = [ProblemKind::Poisson2d, ProblemKind::Biharmonic2d];
        let mut rows = run(&one_d, 0..10, true);
        rows.extend(run(&two_d, 0..10, false));
        // The 2-D network rows, from their three seeds.
        rows.extend(
            run(&two_d, 0..3, true)
                .into_iter()
                .filter(|r| !r.size.is_empty()),
        );
        rows
    })
}

fn row(claim: &str, problem: &str) -> &'static ClaimRow {
    table()
        .iter()
        .find(|r| r.claim == claim && r.problem == problem)
        .unwrap_or_else(|| panic!("claim {claim} on {problem} was not measured"))
}

/// Holds on all but at most one of the seeds it was evaluated on, evaluated on all.
fn holds_robustly(claim: &str, problems: &[&str]) {
    for p in problems {
        let r = row(claim, p);
        let all = if r.size.is_empty() || p.contains("1d") {
            10
        } else {
            3
        };
        assert_eq!(r.seeds, all, "{claim} {p}: evaluated on {} seeds", r.seeds);
        let allowed = if all == 10 { 1 } else { 0 };
        assert!(
            r.holds + allowed >= r.seeds,
            "claim {claim} on {p} holds on {}/{} seeds (median effect {})",
            r.holds,
            r.seeds,
            r.median
        );
    }
}

const ALL: [&str; 4] = ["poisson1d", "biharmonic1d", "poisson2d", "biharmonic2d"];

#[test]
fn claim_1_leading_singular_values_agree_to_second_order() {
    holds_robustly("1", &ALL);
}

#[test]
fn claim_2_fd_keeps_fewer_modes_at_moderate_h() {
    holds_robustly("2", &ALL);
}

#[test]
fn claim_3_the_entropy_gap_closes_with_h_and_round_off_reopens_it() {
    for part in ["3a", "3b", "3c", "3d"] {
        holds_robustly(part, &ALL);
    }
    // The sign of the gap flips between the regimes: positive by truncation, negative
    // (noise raised H_FD) deep below the floor. No abs() hides it.
    for p in ALL {
        assert!(row("3a", p).p10 > 0.0, "{p}");
        assert!(row("3d", p).p90 < 0.0, "{p}");
    }
}

#[test]
fn claim_4_entropy_goes_with_the_rfm_residual_and_with_gradient_descent_training() {
    holds_robustly("4a", &ALL);
    // At sizes that resolve the solution FD's true residual after GD is worse than
    // AD's on every problem, 2-D included (20/20 in 1-D, 18/20 and 19/20 in 2-D; seeds
    // 0–2 hold).
    holds_robustly("4d", &ALL);
    // Speed on the own loss: robust on biharmonic1d only; on Poisson and in 2-D FD's
    // damped operator can shrink its own loss faster (measured and reported, not
    // asserted: 4c holds on 0/20 seeds for biharmonic2d at 24 × 24).
    holds_robustly("4b", &["biharmonic1d"]);
    holds_robustly("4c", &["biharmonic1d"]);
    // Speed on the true residual goes with the initial entropy in 1-D on every seed;
    // in 2-D on 12/20 (poisson2d) and 17/20 (biharmonic2d) seeds: measured, not
    // asserted.
    holds_robustly("4e", &["poisson1d", "biharmonic1d"]);
    for claim in ["4b", "4c", "4e", "4f"] {
        for p in ALL {
            let r = row(claim, p);
            assert!(r.seeds > 0 && r.holds <= r.seeds, "{claim} {p} measured");
        }
    }
}

#[test]
fn claim_5_the_effect_is_larger_for_the_biharmonic_problem() {
    holds_robustly(
        "5",
        &["biharmonic1d vs poisson1d", "biharmonic2d vs poisson2d"],
    );
}

#[test]
fn claim_6_lm_learns_the_solution_and_fd_stalls_at_its_stencils_h_squared() {
    for part in ["6a", "6b", "6c"] {
        holds_robustly(part, &ALL);
    }
    // AD below 1e-6 in 1-D on every seed; each FD error falls like h² (order ≈ 2).
    for p in ["poisson1d", "biharmonic1d"] {
        assert!(row("6a", p).p90 < 1e-6, "{p}: {}", row("6a", p).p90);
    }
    for p in ALL {
        let r = row("6b", p);
        assert!(
            r.p10 >= 1.7 && r.p90 <= 2.3,
            "{p}: orders {} to {}",
            r.p10,
            r.p90
        );
    }
}
