//! The vectorized tanh kernels against their scalar portable path (bit for bit) and
//! the Taylor coefficients against the jet library's (Taylor mode on `tanh`).

use adfd::jet::{Jet, Number};
use adfd::vmath::{tanh, tanh_slice, tanh_taylor, tanh_taylor_scalar, MAX_ORDER};
use rand::{RngExt, SeedableRng};

fn arguments(n: usize) -> Vec<f64> {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
    let mut z: Vec<f64> = (0..n)
        .map(|i| match i % 4 {
            0 => rng.random_range(-1.0..1.0),
            1 => rng.random_range(-30.0..30.0),
            2 => rng.random_range(-0.7..0.7),
            _ => {
                let mag = 10f64.powf(rng.random_range(-300.0..4.0));
                if rng.random::<bool>() {
                    mag
                } else {
                    -mag
                }
            }
        })
        .collect();
    // Edges: signed zeros, the branch point, the clamp, infinities, NaN.
    z.extend([
        0.0,
        -0.0,
        0.625,
        -0.625,
        f64::from_bits(0.625f64.to_bits() - 1),
        350.0,
        351.0,
        -1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        -5e-324,
    ]);
    z
}

/// Equal bits, or both NaN (a NaN's sign and payload are the hardware's choice).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn slice_kernels_equal_the_scalar_path_bit_for_bit() {
    let z = arguments(100_003); // odd length: vector body and remainder both run
    let mut out = vec![0.0; z.len()];
    tanh_slice(&z, &mut out);
    for (zi, oi) in z.iter().zip(&out) {
        assert!(same(*oi, tanh(*zi)), "tanh({zi:e})");
    }
    for k in 0..=MAX_ORDER {
        tanh_taylor(k, &z, &mut out, None);
        for (zi, oi) in z.iter().zip(&out) {
            assert!(same(*oi, tanh_taylor_scalar(k, *zi)), "S_{k}({zi:e})");
        }
        if k < MAX_ORDER {
            let mut next = vec![0.0; z.len()];
            tanh_taylor(k, &z, &mut out, Some(&mut next));
            for (i, zi) in z.iter().enumerate() {
                assert!(same(out[i], tanh_taylor_scalar(k, *zi)), "S_{k}({zi:e})");
                assert!(
                    same(next[i], tanh_taylor_scalar(k + 1, *zi)),
                    "S_{}({zi:e})",
                    k + 1
                );
            }
        }
    }
}

#[test]
fn special_values() {
    assert_eq!(tanh(0.0).to_bits(), 0f64.to_bits());
    assert_eq!(tanh(-0.0).to_bits(), (-0f64).to_bits());
    assert_eq!(tanh(f64::INFINITY), 1.0);
    assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
    assert!(tanh(f64::NAN).is_nan());
    assert_eq!(tanh(5e-324), 5e-324);
    for k in 1..=MAX_ORDER {
        assert!(tanh_taylor_scalar(k, f64::NAN).is_nan(), "S_{k}(NaN)");
        assert_eq!(tanh_taylor_scalar(k, f64::INFINITY), 0.0, "S_{k}(∞)");
    }
}

/// Taylor mode on jets (`y' = (1 − y²) x'`) and the closed forms `S_k = sech²(z)·P_k(y)`
/// (`|P_k| ≤ 1`) agree to round-off on the scale `max(|S_k|, sech² z, y²)`: the jets'
/// `1 − y²` errs by ≈ `ε y²` absolutely (cancellation as `|y| → 1`), the closed forms
/// do not.
#[test]
fn taylor_coefficients_match_taylor_mode_on_jets() {
    for z in arguments(20_000) {
        if !z.is_finite() {
            continue;
        }
        let jet = Jet::<f64, 6>::variable(z, 1.0).tanh();
        for k in 0..=MAX_ORDER {
            let got = tanh_taylor_scalar(k, z);
            let want = jet.c[k];
            let (y, sech2) = (jet.c[0], jet.c[1]);
            let tol = 16.0 * f64::EPSILON * want.abs().max(sech2).max(y * y);
            assert!(
                (got - want).abs() <= tol.max(f64::MIN_POSITIVE),
                "S_{k}({z:e}): {got:e} vs jets {want:e}"
            );
        }
    }
}
