//! The paper's claims (science.md §6) over ten seeds, asserting what the `adfd claims`
//! table supports (README, "The claims, measured"): robust claims must hold on at
//! least 9 of seeds 0–9; where adfd's reading does not hold robustly (network claims
//! on Poisson, see the table) the test asserts only that the row is measured. No seed
//! is chosen because it passes. Built with optimizations only (`./scripts/test` runs
//! it with `--release`).
#![cfg(not(debug_assertions))]

use adfd::claims::{self, ClaimRow};
use adfd::ProblemKind;
use std::sync::OnceLock;

/// The table for seeds 0–9: the 1-D problems with networks, the 2-D ones without
/// (their RFM rows; the 2-D network rows are reported by `adfd claims`, not asserted).
fn table() -> &'static [ClaimRow] {
    static TABLE: OnceLock<Vec<ClaimRow>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let seeds: Vec<u64> = (0..10).collect();
        let one_d = [ProblemKind::Poisson1d, ProblemKind::Biharmonic1d];
        let two_d = [ProblemKind::Poisson2d, ProblemKind::Biharmonic2d];
        let mut rows = claims::run(&one_d, &seeds, true, &|_| {}).unwrap().rows;
        rows.extend(claims::run(&two_d, &seeds, false, &|_| {}).unwrap().rows);
        rows
    })
}

fn rows(claim: &str) -> Vec<&'static ClaimRow> {
    let rows: Vec<_> = table().iter().filter(|r| r.claim == claim).collect();
    assert!(!rows.is_empty(), "claim {claim} was not measured");
    rows
}

fn holds_on_nine_of_ten(claim: &str, problems: &[&str]) {
    for p in problems {
        let r = rows(claim)
            .into_iter()
            .find(|r| r.problem == *p)
            .unwrap_or_else(|| panic!("claim {claim} on {p} was not measured"));
        assert_eq!(r.seeds, 10, "{claim} {p}: evaluated on {} seeds", r.seeds);
        assert!(
            r.holds >= 9,
            "claim {claim} on {p} holds on {}/10 seeds (median effect {})",
            r.holds,
            r.median
        );
    }
}

const ALL: [&str; 4] = ["poisson1d", "biharmonic1d", "poisson2d", "biharmonic2d"];

#[test]
fn claim_1_leading_singular_values_agree_to_second_order() {
    holds_on_nine_of_ten("1", &ALL);
}

#[test]
fn claim_2_fd_keeps_fewer_modes_at_moderate_h() {
    holds_on_nine_of_ten("2", &ALL);
}

#[test]
fn claim_3_the_entropy_gap_closes_with_h_and_round_off_reopens_it() {
    for part in ["3a", "3b", "3c", "3d"] {
        holds_on_nine_of_ten(part, &ALL);
    }
    // The sign of the gap flips between the regimes: positive by truncation, negative
    // (noise raised H_FD) deep below the floor. No abs() hides it.
    for r in rows("3a") {
        assert!(r.p10 > 0.0, "{}: {}", r.problem, r.p10);
    }
    for r in rows("3d") {
        assert!(r.p90 < 0.0, "{}: {}", r.problem, r.p90);
    }
}

#[test]
fn claim_4_entropy_goes_with_rfm_residual_and_biharmonic_training_speed() {
    holds_on_nine_of_ten("4a", &ALL);
    holds_on_nine_of_ten("4c", &["biharmonic1d"]);
    holds_on_nine_of_ten("4d", &["poisson1d", "biharmonic1d"]);
    // Steps to a 100-fold drop: defined only on seeds where a run gets there.
    let b = rows("4b")
        .into_iter()
        .find(|r| r.problem == "biharmonic1d")
        .unwrap();
    assert!(
        b.seeds >= 5 && b.holds * 10 >= b.seeds * 6,
        "4b biharmonic1d {}/{}",
        b.holds,
        b.seeds
    );
    // On Poisson the gap is small and the rank correlation is seed-dependent in both
    // speed measures (README): measured and reported, not asserted.
    for claim in ["4b", "4c"] {
        let p = rows(claim)
            .into_iter()
            .find(|r| r.problem == "poisson1d")
            .unwrap();
        assert!(
            p.seeds > 0 && p.holds <= p.seeds,
            "{claim} poisson1d measured"
        );
    }
}

#[test]
fn claim_5_the_effect_is_larger_for_the_biharmonic_problem() {
    holds_on_nine_of_ten(
        "5",
        &["biharmonic1d vs poisson1d", "biharmonic2d vs poisson2d"],
    );
}
