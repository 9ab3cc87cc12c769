//! Accuracy of the portable `tanh` and sigmoid (src/numeric/vmath.rs): within 2 ulp of the
//! exact value over 10⁷ arguments spanning what the models feed them — `|z| ≤ 1`, the
//! transition and the saturated tails up to `|z| = 40`, the rational/exponential
//! branch point 0.625, and magnitudes from 10⁻³⁰⁰ to 10⁴ (RFM pre-activations `w·x + b`
//! with `R` up to 10⁴), and for the sigmoid 10⁶ more in its exponential tails out to
//! `|z| = 750`, where `σ(z) ≈ eᶻ` runs into the subnormals — plus the tails of the first
//! Taylor coefficients, `sech²` and `σ' = σ(z)σ(−z)`.
//!
//! Reference: `tanh a = −m/(2 + m)` with `m = expm1(−2a)` in double-double arithmetic
//! (≈ 2⁻¹⁰⁴ relative): `expm1` by `u = k ln 2 + r`, `r = 2⁸ t`, the Taylor series of
//! `expm1 t` to 2⁻¹¹⁰ and eight doublings `expm1 2t = expm1 t · (2 + expm1 t)`, then
//! `2ᵏ(1 + expm1 r) − 1`. No subtraction in the reference cancels more than a factor 2
//! (for `a` small, `m ≈ −2a` comes straight from the series), so its error is far below
//! the ulp being measured. Error in ulp = `|tanh_kernel − ref| / ulp(ref)`, measured
//! against the exact value (stricter than against the correctly rounded one).
//!
//! Runs in release only (`cargo test --release --test vmath_accuracy`, ≈ 5 s here).
#![cfg(not(debug_assertions))]

use adfd::vmath::{
    sigmoid, sigmoid_slice, sigmoid_taylor_scalar, tanh, tanh_slice, tanh_taylor_scalar,
};
use rand::{RngExt, SeedableRng};

#[derive(Clone, Copy, Debug)]
struct Dd(f64, f64);

fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd(s, (a - (s - bb)) + (b - bb))
}

fn fast(a: f64, b: f64) -> Dd {
    let s = a + b;
    Dd(s, b - (s - a))
}

impl Dd {
    fn add(self, o: Dd) -> Dd {
        let s = two_sum(self.0, o.0);
        fast(s.0, s.1 + self.1 + o.1)
    }
    fn mul(self, o: Dd) -> Dd {
        let p = self.0 * o.0;
        let e = self.0.mul_add(o.0, -p);
        fast(p, e + self.0 * o.1 + self.1 * o.0)
    }
    fn neg(self) -> Dd {
        Dd(-self.0, -self.1)
    }
    fn div(self, o: Dd) -> Dd {
        let q1 = self.0 / o.0;
        let r = self.add(o.mul(Dd(q1, 0.0)).neg());
        let q2 = r.0 / o.0;
        let r = r.add(o.mul(Dd(q2, 0.0)).neg());
        let q3 = r.0 / o.0;
        fast(q1, q2).add(Dd(q3, 0.0))
    }
    fn scale(self, s: f64) -> Dd {
        Dd(self.0 * s, self.1 * s)
    }
}

const LN2: Dd = Dd(std::f64::consts::LN_2, 2.319_046_813_846_299_6e-17);

/// `(expm1 r, k)` with `u = k ln 2 + r`, `|r| ≤ ln2/2`, in double-double, for `u ≤ 0`.
fn reduced_expm1_dd(u: f64) -> (Dd, i32) {
    let k = (u / LN2.0).round();
    let r = Dd(u, 0.0).add(LN2.mul(Dd(-k, 0.0)));
    let t = r.scale(1.0 / 256.0);
    // Taylor series of expm1 t, |t| < 0.0014.
    let mut term = t;
    let mut sum = t;
    for n in 2..20 {
        term = term.mul(t).scale(1.0 / n as f64);
        sum = sum.add(term);
        if term.0.abs() < 1e-40 {
            break;
        }
    }
    for _ in 0..8 {
        sum = sum.mul(sum.add(Dd(2.0, 0.0)));
    }
    (sum, k as i32)
}

/// `2ᵏ`, exact also where `2f64.powi(k)` would overflow on the way (subnormal `2ᵏ`).
fn pow2(k: i32) -> f64 {
    2f64.powi(k / 2) * 2f64.powi(k - k / 2)
}

/// `expm1 u` for `u ≤ 0`, in double-double.
fn expm1_dd(u: f64) -> Dd {
    let (sum, k) = reduced_expm1_dd(u);
    if k == 0 {
        return sum;
    }
    sum.add(Dd(1.0, 0.0)).scale(pow2(k)).add(Dd(-1.0, 0.0))
}

/// `eᵘ` for `u ≤ 0`, in double-double: `2ᵏ(1 + expm1 r)`, with no `− 1` to lose the
/// low part when `eᵘ` is tiny.
fn exp_dd(u: f64) -> Dd {
    let (sum, k) = reduced_expm1_dd(u);
    let two_k = pow2(k);
    Dd(1.0, 0.0).add(sum).scale(two_k)
}

/// `tanh x` in double-double.
fn tanh_dd(x: f64) -> Dd {
    let a = x.abs();
    if a > 40.0 {
        // 1 − 2e^{−2a} + …: 1 to far more than 2⁻¹⁰⁶.
        return Dd(1f64.copysign(x), 0.0);
    }
    let m = expm1_dd(-2.0 * a);
    let t = m.neg().div(m.add(Dd(2.0, 0.0)));
    if x < 0.0 {
        t.neg()
    } else {
        t
    }
}

fn ulp(x: f64) -> f64 {
    let x = x.abs();
    if x < f64::MIN_POSITIVE {
        return 5e-324;
    }
    let e = ((x.to_bits() >> 52) as i32) - 1023;
    pow2(e - 52)
}

/// `|got − exact| / ulp(exact)`.
fn ulps(got: f64, exact: Dd) -> f64 {
    let diff = (got - exact.0) - exact.1;
    diff.abs() / ulp(exact.0)
}

#[path = "common/args.rs"]
mod args;

/// Ten million arguments spanning what the models feed the kernels ([`args::arguments`]).
fn arguments() -> Vec<f64> {
    args::arguments(10_000_000, 2024)
}

#[test]
fn tanh_is_within_two_ulp_of_the_exact_value_on_ten_million_arguments() {
    let z = arguments();
    let mut out = vec![0.0; z.len()];
    tanh_slice(&z, &mut out);
    let (mut worst, mut at, mut over_one, mut libm) = (0.0f64, 0.0, 0usize, 0.0f64);
    for (i, (zi, got)) in z.iter().zip(&out).enumerate() {
        let exact = tanh_dd(*zi);
        if i % 10 == 0 {
            // The reference checked against the platform's libm on a tenth of the points.
            libm = libm.max(ulps(zi.tanh(), exact));
        }
        let e = ulps(*got, exact);
        if e > 1.0 {
            over_one += 1;
        }
        if e > worst {
            worst = e;
            at = *zi;
        }
    }
    println!(
        "tanh: {} arguments, max error {worst:.3} ulp at {at:e}; {over_one} above 1 ulp; libm's max {libm:.3} ulp",
        z.len()
    );
    // glibc documents tanh within 2 ulp of the correctly rounded value: 2.5 of the exact.
    assert!(
        libm <= 2.5,
        "the reference disagrees with libm by {libm} ulp"
    );
    assert!(worst <= 2.0, "tanh({at:e}) is {worst} ulp off");
    // A spot check that the scalar and slice paths are the same function.
    assert_eq!(
        tanh(at).to_bits(),
        out[z.iter().position(|v| *v == at).unwrap()].to_bits()
    );
}

/// `sech² z`, the first Taylor coefficient, keeps its relative accuracy in the tails
/// where `1 − tanh² z` would round to 0: within 4 ulp of `(1 − t)(1 + t)` with `t`
/// the double-double tanh, up to `|z| = 40`.
#[test]
fn sech_squared_keeps_its_relative_accuracy_in_the_tails() {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
    let mut worst = 0.0f64;
    for _ in 0..1_000_000 {
        let z: f64 = rng.random_range(-40.0..40.0);
        let a = z.abs();
        // 1 − tanh a = −2m/(2 + m)·… : from m = expm1(−2a) directly, 1 − t = 2e/(1 + e),
        // 1 + t = 2/(1 + e) with e = 1 + m = e^{−2a}.
        let m = expm1_dd(-2.0 * a);
        let e = m.add(Dd(1.0, 0.0));
        let den = e.add(Dd(1.0, 0.0));
        let exact = e.scale(4.0).div(den.mul(den));
        worst = worst.max(ulps(tanh_taylor_scalar(1, z), exact));
    }
    println!("sech²: max error {worst:.3} ulp");
    assert!(worst <= 4.0, "sech² off by {worst} ulp");
}

/// `(σ(−a), σ(a))` for `a ≥ 0` in double-double: with `e = e^{−a} = 1 + expm1(−a)`,
/// `σ(−a) = e/(1 + e)` and `σ(a) = 1/(1 + e)` (no cancellation).
fn sigmoid_pair_dd(a: f64) -> (Dd, Dd) {
    if a > 800.0 {
        return (Dd(0.0, 0.0), Dd(1.0, 0.0)); // e^{−800} is far below the subnormals
    }
    let e = exp_dd(-a);
    let den = e.add(Dd(1.0, 0.0));
    (e.div(den), Dd(1.0, 0.0).div(den))
}

fn sigmoid_dd(z: f64) -> Dd {
    let (neg, pos) = sigmoid_pair_dd(z.abs());
    if z < 0.0 {
        neg
    } else {
        pos
    }
}

/// The measure: floats between the kernel's value and the correctly rounded
/// one (the double-double reference's high part, which is `exact` rounded to nearest),
/// within 2; the error against the exact value is printed too (≤ 2.3 ulp).
#[test]
fn sigmoid_is_within_two_ulp_of_the_correctly_rounded_value_on_eleven_million_arguments() {
    let mut z = arguments();
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
    z.extend((0..1_000_000).map(|_| rng.random_range(-750.0..750.0)));
    let mut out = vec![0.0; z.len()];
    sigmoid_slice(&z, &mut out);
    let (mut worst, mut at, mut exact_worst, mut over_one) = (0.0f64, 0.0, 0.0f64, 0usize);
    for (zi, got) in z.iter().zip(&out) {
        let exact = sigmoid_dd(*zi);
        let rounded = (got - exact.0).abs() / ulp(exact.0);
        exact_worst = exact_worst.max(ulps(*got, exact));
        if rounded > 1.0 {
            over_one += 1;
        }
        if rounded > worst {
            worst = rounded;
            at = *zi;
        }
    }
    println!(
        "sigmoid: {} arguments, max {worst} ulp from the correctly rounded value (at {at:e}), \
         {over_one} above 1; max {exact_worst:.3} ulp from the exact value",
        z.len()
    );
    assert!(
        worst <= 2.0,
        "sigmoid({at:e}) is {worst} ulp from the correctly rounded value"
    );
    assert_eq!(
        sigmoid(at).to_bits(),
        out[z.iter().position(|v| *v == at).unwrap()].to_bits()
    );
}

/// `σ' = σ(z)σ(−z) ≈ e^{−|z|}`, the sigmoid's first Taylor coefficient, keeps its
/// relative accuracy in both tails: within 4 ulp of the double-double value up to
/// `|z| = 700`.
#[test]
fn sigmoid_derivative_keeps_its_relative_accuracy_in_the_tails() {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
    let mut worst = 0.0f64;
    for _ in 0..1_000_000 {
        let z: f64 = rng.random_range(-700.0..700.0);
        let (neg, pos) = sigmoid_pair_dd(z.abs());
        worst = worst.max(ulps(sigmoid_taylor_scalar(1, z), neg.mul(pos)));
    }
    println!("sigmoid': max error {worst:.3} ulp");
    assert!(worst <= 4.0, "sigmoid' off by {worst} ulp");
}
