//! The vectorized tanh and sigmoid kernels against their scalar portable path (bit for
//! bit) and their Taylor coefficients against the jet library's (Taylor mode).

use adfd::jet::{Jet, Number};
use adfd::vmath::{
    sigmoid, sigmoid_slice, sigmoid_taylor, sigmoid_taylor_scalar, tanh, tanh_slice, tanh_taylor,
    tanh_taylor_scalar, MAX_ORDER,
};
use adfd::Activation;

#[path = "common/args.rs"]
mod args;

/// `n` arguments ([`args::arguments`]) and the edges.
fn arguments(n: usize) -> Vec<f64> {
    let mut z = args::arguments(n, 11);
    z.extend(args::EDGES);
    z
}

/// Equal bits, or both NaN (a NaN's sign and payload are the hardware's choice).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

type Slice = fn(&[f64], &mut [f64]);
type Taylor = fn(usize, &[f64], &mut [f64], Option<&mut [f64]>);
type Scalar = fn(usize, f64) -> f64;
/// One function's kernels: name, value, value over a slice, Taylor over a slice, and
/// the scalar Taylor reference.
type Kernels = (&'static str, fn(f64) -> f64, Slice, Taylor, Scalar);

const KERNELS: [Kernels; 2] = [
    ("tanh", tanh, tanh_slice, tanh_taylor, tanh_taylor_scalar),
    (
        "sigmoid",
        sigmoid,
        sigmoid_slice,
        sigmoid_taylor,
        sigmoid_taylor_scalar,
    ),
];

#[test]
fn slice_kernels_equal_the_scalar_path_bit_for_bit() {
    // Odd length: vector body and remainder both run. Shuffled, every chunk of 8 mixes
    // tanh's two branches; sorted, most chunks take one (the kernels then skip the other).
    let shuffled = arguments(100_003);
    let mut sorted = shuffled.clone();
    sorted.sort_by(f64::total_cmp);
    for z in [shuffled, sorted] {
        check_slices_against_scalar(&z);
    }
}

fn check_slices_against_scalar(z: &[f64]) {
    let mut out = vec![0.0; z.len()];
    for (name, value, slice, taylor, scalar) in KERNELS {
        slice(z, &mut out);
        for (zi, oi) in z.iter().zip(&out) {
            assert!(same(*oi, value(*zi)), "{name}({zi:e})");
        }
        for k in 0..=MAX_ORDER {
            taylor(k, z, &mut out, None);
            for (zi, oi) in z.iter().zip(&out) {
                assert!(same(*oi, scalar(k, *zi)), "{name} S_{k}({zi:e})");
            }
            if k < MAX_ORDER {
                let mut next = vec![0.0; z.len()];
                taylor(k, z, &mut out, Some(&mut next));
                for (i, zi) in z.iter().enumerate() {
                    assert!(same(out[i], scalar(k, *zi)), "{name} S_{k}({zi:e})");
                    assert!(
                        same(next[i], scalar(k + 1, *zi)),
                        "{name} S_{}({zi:e})",
                        k + 1
                    );
                }
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
    assert_eq!(sigmoid(0.0), 0.5);
    assert_eq!(sigmoid(-0.0), 0.5);
    assert_eq!(sigmoid(f64::INFINITY), 1.0);
    assert_eq!(sigmoid(f64::NEG_INFINITY), 0.0);
    assert!(sigmoid(f64::NAN).is_nan());
    // The far negative tail keeps its relative accuracy down into the subnormals.
    let tail = sigmoid(-720.0);
    assert!(
        tail > 0.0 && (tail / (-720f64).exp() - 1.0).abs() < 1e-12,
        "σ(−720) = {tail:e}"
    );
    // e^{−745} is the smallest subnormal, e^{−746} rounds to 0.
    assert!(sigmoid(-745.0) == (-745f64).exp() && sigmoid(-746.0) == 0.0);
    for k in 1..=MAX_ORDER {
        assert!(
            sigmoid_taylor_scalar(k, f64::NAN).is_nan(),
            "sigmoid S_{k}(NaN)"
        );
        assert_eq!(
            sigmoid_taylor_scalar(k, f64::INFINITY),
            0.0,
            "sigmoid S_{k}(∞)"
        );
        assert_eq!(
            sigmoid_taylor_scalar(k, f64::NEG_INFINITY),
            0.0,
            "sigmoid S_{k}(−∞)"
        );
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

/// The sigmoid's closed forms `S_k = g·P_k(s, c)` against Taylor mode on the jets'
/// `(1 + tanh(z/2))/2`, whose `1 − tanh²` errs by ≈ ε absolutely: agreement to
/// `32ε·max(|S_k|, g) + 8ε`, with `g = σ'` (a wrong polynomial is off by O(g), and
/// `g ≥ 10⁻¹³ ≫ 8ε` for `|z| ≤ 30`).
#[test]
fn sigmoid_taylor_coefficients_match_taylor_mode_on_jets() {
    for z in arguments(20_000) {
        if !z.is_finite() || z.abs() > 30.0 {
            continue;
        }
        let jet = Activation::Sigmoid.eval(Jet::<f64, 6>::variable(z, 1.0));
        let g = sigmoid_taylor_scalar(1, z);
        for k in 0..=MAX_ORDER {
            let got = sigmoid_taylor_scalar(k, z);
            let want = jet.c[k];
            let tol = 32.0 * f64::EPSILON * want.abs().max(g) + 8.0 * f64::EPSILON;
            assert!(
                (got - want).abs() <= tol,
                "sigmoid S_{k}({z:e}): {got:e} vs jets {want:e}"
            );
        }
    }
}
