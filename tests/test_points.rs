//! Held-out test points never coincide with collocation points: the true residual
//! and the errors are measured where the fit was not made.
//!
//! `PointSet::test_grid` proves a distance of at least `1/(N·P)` from every grid
//! coordinate `−1 + 2i/(n+1)` (`N` test points per axis, `P = 65537`); these tests check
//! it in f64 for every 1-D grid `n = 1..=2000` and every 2-D grid up to 100 × 100, and
//! check exact inequality for random sampling.

use adfd::problem::{PointSet, Points, Problem, ProblemKind, Sampling, TEST_SHIFT_PRIME};
use std::collections::HashSet;

const POISSON1D: Problem = Problem {
    kind: ProblemKind::Poisson1d,
    k: 1,
};
const POISSON2D: Problem = Problem {
    kind: ProblemKind::Poisson2d,
    k: 1,
};

/// The proven lower bound `1/(N·P)`, less f64's rounding of both points (≤ 1e-15).
fn bound(per_axis: usize) -> f64 {
    1.0 / (per_axis as f64 * TEST_SHIFT_PRIME as f64) - 1e-15
}

/// Sorted coordinates and the distance from `x` to the nearest of them.
fn nearest(sorted: &[f64], x: f64) -> f64 {
    let i = sorted.partition_point(|&c| c < x);
    let below = i.checked_sub(1).map_or(f64::INFINITY, |j| x - sorted[j]);
    let above = sorted.get(i).map_or(f64::INFINITY, |c| c - x);
    below.min(above)
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// The bit patterns of every point, for exact-equality checks.
fn bits(set: &PointSet) -> HashSet<Vec<u64>> {
    set.iter()
        .map(|p| p.iter().map(|c| c.to_bits()).collect())
        .collect()
}

#[test]
fn the_test_grid_is_even_and_strictly_inside() {
    for (problem, per_axis, count) in [(POISSON1D, 1000, 1000), (POISSON2D, 50, 2500)] {
        let test = Points::test(&problem);
        assert_eq!(test.len(), count);
        assert_eq!(
            Points::test_len(&problem),
            count,
            "the count without the points"
        );
        let axis: Vec<f64> = test.iter().take(per_axis).map(|p| p[0]).collect();
        assert!(axis[0] > -1.0 && axis[per_axis - 1] < 1.0);
        assert!(test.coords.iter().all(|c| c.abs() < 1.0));
        for w in axis.windows(2) {
            assert!((w[1] - w[0] - 2.0 / per_axis as f64).abs() < 1e-12);
        }
        // Within 1/(NP) of the cell midpoints.
        let mid = PointSet::midpoints(problem.dim(), per_axis);
        for (t, m) in test.coords.iter().zip(&mid.coords) {
            assert!((t - m - 1.0 / (per_axis as f64 * TEST_SHIFT_PRIME as f64)).abs() < 1e-15);
        }
    }
}

#[test]
fn plain_midpoints_would_coincide_with_collocation_points() {
    // What the shift prevents: for n + 1 = 2N every midpoint is a collocation point.
    let grid = Points::new(&POISSON1D, 1999, 2, Sampling::Grid, 1).interior;
    let hits = bits(&PointSet::midpoints(1, 1000))
        .intersection(&bits(&grid))
        .count();
    assert_eq!(hits, 1000);
    let grid = Points::new(&POISSON2D, 99 * 99, 400, Sampling::Grid, 1).interior;
    let hits = bits(&PointSet::midpoints(2, 50))
        .intersection(&bits(&grid))
        .count();
    assert_eq!(hits, 2500);
}

#[test]
fn one_dimensional_test_points_avoid_every_grid_up_to_2000_points() {
    let test = Points::test(&POISSON1D);
    let test_bits = bits(&test);
    let mut closest = f64::INFINITY;
    for n in 1..=2000 {
        let grid = Points::new(&POISSON1D, n, 2, Sampling::Grid, 1).interior;
        assert!(
            bits(&grid).is_disjoint(&test_bits),
            "n = {n}: a test point is a collocation point"
        );
        let grid = sorted(grid.coords);
        for t in &test.coords {
            closest = closest.min(nearest(&grid, *t));
        }
    }
    // 1/(1000·65537) = 1.53e-8, reached at n = 1999 (the old midpoints' grid).
    assert!(closest >= bound(1000), "closest {closest:e}");
    assert!(closest < 1.6e-8, "the bound is tight: closest {closest:e}");
}

#[test]
fn two_dimensional_test_points_avoid_every_grid_up_to_100_by_100() {
    let test = Points::test(&POISSON2D);
    let test_bits = bits(&test);
    let mut closest = f64::INFINITY;
    for side in 1..=100 {
        let grid = Points::new(&POISSON2D, side * side, 4 * side, Sampling::Grid, 1).interior;
        assert_eq!(grid.len(), side * side);
        assert!(
            bits(&grid).is_disjoint(&test_bits),
            "{side}×{side}: a test point is a collocation point"
        );
        // A lower bound on the distance to the nearest collocation point: the
        // distance to the nearest collocation x (or y) coordinate.
        let xs = sorted(grid.iter().map(|p| p[0]).collect());
        let ys = sorted(grid.iter().map(|p| p[1]).collect());
        for t in test.iter() {
            closest = closest.min(nearest(&xs, t[0]).max(nearest(&ys, t[1])));
        }
    }
    // 1/(50·65537) = 3.05e-7.
    assert!(closest >= bound(50), "closest {closest:e}");
}

#[test]
fn random_collocation_points_never_equal_a_test_point() {
    for seed in 1..=5 {
        for (problem, n) in [(POISSON1D, 2000), (POISSON2D, 10_000)] {
            let points = Points::new(&problem, n, 400, Sampling::Random, seed);
            assert_eq!(points.interior.len(), n);
            let test = bits(&Points::test(&problem));
            assert!(
                bits(&points.interior).is_disjoint(&test),
                "{problem:?} seed {seed}"
            );
        }
    }
}
