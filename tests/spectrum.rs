//! Singular values and truncated entropy: invariants that hold for any spectrum.

use adfd::spectrum::{singular_values, truncated_entropy};
use adfd::{Error, Threshold};
use nalgebra::DMatrix;

#[test]
fn flat_spectrum_of_k_modes_has_entropy_ln_k() {
    for k in [1usize, 2, 7, 50] {
        let mut s = vec![3.5; k];
        s.extend([1e-12; 5]);
        let e = truncated_entropy(&s, Threshold::Relative(1e-8)).unwrap();
        assert_eq!(e.cutoff, k);
        assert!(
            (e.entropy - (k as f64).ln()).abs() < 1e-12,
            "K = {k}: H = {}",
            e.entropy
        );
        assert!((e.effective_modes - k as f64).abs() < 1e-9);
    }
}

#[test]
fn single_mode_has_zero_entropy() {
    let e = truncated_entropy(&[2.0, 1e-20, 0.0], Threshold::Relative(1e-8)).unwrap();
    assert_eq!((e.cutoff, e.entropy, e.effective_modes), (1, 0.0, 1.0));
}

#[test]
fn cutoff_is_monotone_in_the_threshold_and_entropy_is_bounded_by_ln_k() {
    let s: Vec<f64> = (0..60).map(|i| 10f64.powf(-0.3 * i as f64)).collect();
    let mut last = usize::MAX;
    for e in 1..16 {
        let a = 10f64.powi(-e);
        let rel = truncated_entropy(&s, Threshold::Relative(a)).unwrap();
        // Lowering the threshold can only add modes.
        assert!(rel.cutoff >= if last == usize::MAX { 0 } else { last });
        assert!(rel.entropy <= (rel.cutoff as f64).ln() + 1e-12);
        last = rel.cutoff;
        // s_1 = 1 here, so relative and absolute thresholds coincide.
        assert_eq!(
            truncated_entropy(&s, Threshold::Absolute(a))
                .unwrap()
                .cutoff,
            rel.cutoff
        );
    }
}

#[test]
fn nan_is_an_error_not_a_hang() {
    assert!(matches!(
        truncated_entropy(&[1.0, f64::NAN], Threshold::Relative(0.1)),
        Err(Error::NonFinite { .. })
    ));
    let mut a = DMatrix::from_element(30, 20, 1.0);
    a[(3, 4)] = f64::NAN;
    assert!(matches!(
        singular_values(&a, "A"),
        Err(Error::NonFinite { .. })
    ));
    a[(3, 4)] = f64::INFINITY;
    assert!(singular_values(&a, "A").is_err());
}

/// The error names the config path of `a` (`threshold.a`, as the config serializes it).
#[test]
fn thresholds_outside_their_range_are_rejected_with_the_field_name() {
    for t in [
        Threshold::Relative(0.0),
        Threshold::Relative(1.0),
        Threshold::Relative(f64::NAN),
        Threshold::Absolute(-1.0),
    ] {
        let err = truncated_entropy(&[1.0], t).unwrap_err();
        assert_eq!(err.field(), Some("threshold.a"), "{t:?}");
    }
}

#[test]
fn singular_values_of_a_known_matrix_keep_tiny_ones() {
    // Q diag(s) with orthonormal Q: the SVD must return s, including 1e-14,
    // which eigenvalues of AᵀA (1e-28 next to 1) would have lost.
    let s = [5.0, 1.0, 1e-3, 1e-9, 1e-14];
    let n = 8;
    let q = DMatrix::from_fn(n, n, |i, j| {
        ((i + 1) as f64 * (j as f64 + 0.5) * std::f64::consts::PI / n as f64).cos()
    })
    .qr()
    .q();
    let d = DMatrix::from_fn(n, s.len(), |i, j| if i == j { s[j] } else { 0.0 });
    let got = singular_values(&(q * d), "A").unwrap();
    for (g, e) in got.iter().zip(s) {
        assert!(
            (g - e).abs() < 1e-15 * 5.0 * 10.0 + 1e-6 * e,
            "{g:e} vs {e:e}"
        );
    }
    assert!(
        (got[4] / 1e-14 - 1.0).abs() < 0.1,
        "smallest singular value {:e}",
        got[4]
    );
}
