//! Arguments for the activation kernels' tests (tests/vmath.rs, tests/vmath_accuracy.rs):
//! what the models feed them, in equal shares — `|z| ≤ 1`, the saturated tails up to
//! `|z| = 40`, the transition `|z| ≤ 3`, the rational/exponential branch point 0.625
//! (±0.1 %), and magnitudes from 10⁻³⁰⁰ to 10⁴ of either sign (RFM pre-activations
//! `w·x + b` with `R` up to 10⁴) — plus [`EDGES`].

use rand::{RngExt, SeedableRng};

/// `n` arguments drawn from `seed` (Xoshiro256++, so every platform draws the same).
pub fn arguments(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n)
        .map(|i| match i % 5 {
            0 => rng.random_range(-1.0..1.0),
            1 => rng.random_range(-40.0..40.0),
            2 => rng.random_range(-3.0..3.0),
            3 => 0.625 * (1.0 + rng.random_range(-1e-3..1e-3)),
            _ => {
                let mag = 10f64.powf(rng.random_range(-300.0..4.0));
                if rng.random::<bool>() {
                    mag
                } else {
                    -mag
                }
            }
        })
        .collect()
}

/// Edges: signed zeros, the branch point and its neighbour, the clamps near ±350 and
/// ±700, the sigmoid's subnormal tail near −745, infinities, NaN, the smallest normal
/// and the smallest subnormal.
#[allow(dead_code)] // used by tests/vmath.rs only
pub const EDGES: [f64; 20] = [
    0.0,
    -0.0,
    0.625,
    -0.625,
    0.624_999_999_999_999_9,
    350.0,
    351.0,
    700.0,
    -700.0,
    700.000_000_000_000_1,
    -720.0,
    -745.0,
    -746.0,
    800.0,
    -1e300,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    f64::MIN_POSITIVE,
    -5e-324,
];
