//! Jets against independent references: closed forms for every activation's
//! derivatives up to order 5, and the `num-dual` crate (a separate AD
//! implementation) up to order 3.

use adfd::jet::{Jet, Number};
use adfd::Activation;
use num_dual::{third_derivative, Dual3_64, DualNum};

type J6 = Jet<f64, 6>;

/// Derivatives 0..=5 of `σ` at `x`, from the jet of `σ(x + t)`.
fn jet_derivatives(act: Activation, x: f64) -> [f64; 6] {
    let y = act.eval(J6::variable(x, 1.0));
    std::array::from_fn(|k| y.derivative(k))
}

/// Polynomial helpers for closed forms: coefficients in increasing degree.
fn poly_eval(p: &[f64], t: f64) -> f64 {
    p.iter().rev().fold(0.0, |acc, c| acc * t + c)
}
fn poly_mul(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut c = vec![0.0; a.len() + b.len() - 1];
    for (i, ai) in a.iter().enumerate() {
        for (j, bj) in b.iter().enumerate() {
            c[i + j] += ai * bj;
        }
    }
    c
}
fn poly_deriv(p: &[f64]) -> Vec<f64> {
    p.iter()
        .enumerate()
        .skip(1)
        .map(|(i, c)| i as f64 * c)
        .collect::<Vec<_>>()
        .max_len1()
}
trait MaxLen1 {
    fn max_len1(self) -> Self;
}
impl MaxLen1 for Vec<f64> {
    fn max_len1(mut self) -> Self {
        if self.is_empty() {
            self.push(0.0);
        }
        self
    }
}

/// Derivatives of a function `g(x) = P₀(y(x))` where `y' = Q(y)`: `P_{k+1} = P_k'(y) Q(y)`.
fn chain_polynomials(p0: Vec<f64>, q: &[f64], y: f64) -> [f64; 6] {
    let mut p = p0;
    let mut out = [0.0; 6];
    for slot in out.iter_mut() {
        *slot = poly_eval(&p, y);
        p = poly_mul(&poly_deriv(&p), q);
    }
    out
}

fn closed_form(act: Activation, x: f64) -> [f64; 6] {
    match act {
        // tanh' = 1 − tanh²
        Activation::Tanh => chain_polynomials(vec![0.0, 1.0], &[1.0, 0.0, -1.0], x.tanh()),
        // sin^{(k)}(x) = sin(x + kπ/2)
        Activation::Sin => {
            std::array::from_fn(|k| (x + k as f64 * std::f64::consts::FRAC_PI_2).sin())
        }
        // s' = s − s²
        Activation::Sigmoid => {
            chain_polynomials(vec![0.0, 1.0], &[0.0, 1.0, -1.0], 1.0 / (1.0 + (-x).exp()))
        }
        // softplus' = sigmoid
        Activation::Softplus => {
            let s = chain_polynomials(vec![0.0, 1.0], &[0.0, 1.0, -1.0], 1.0 / (1.0 + (-x).exp()));
            std::array::from_fn(|k| {
                if k == 0 {
                    (1.0 + x.exp()).ln()
                } else {
                    s[k - 1]
                }
            })
        }
        // (e^{−x²})^{(k)} = (−1)ᵏ H_k(x) e^{−x²}, H_{k+1} = 2x H_k − 2k H_{k−1}
        Activation::Gaussian => {
            let mut h = [0.0; 6];
            h[0] = 1.0;
            h[1] = 2.0 * x;
            for k in 1..5 {
                h[k + 1] = 2.0 * x * h[k] - 2.0 * k as f64 * h[k - 1];
            }
            std::array::from_fn(|k| (-1f64).powi(k as i32) * h[k] * (-x * x).exp())
        }
        // (xᵖ)^{(k)} = p!/(p−k)! x^{p−k} for x > 0, 0 for x < 0
        Activation::ReluPow(p) => std::array::from_fn(|k| {
            if x <= 0.0 || k > p as usize {
                0.0
            } else {
                let falling: f64 = (0..k).map(|i| (p as usize - i) as f64).product();
                falling * x.powi(p as i32 - k as i32)
            }
        }),
    }
}

const ACTIVATIONS: [Activation; 7] = [
    Activation::Tanh,
    Activation::Sin,
    Activation::Sigmoid,
    Activation::Softplus,
    Activation::Gaussian,
    Activation::ReluPow(3),
    Activation::ReluPow(6),
];
const POINTS: [f64; 7] = [-2.3, -0.9, -0.2, 0.15, 0.7, 1.6, 3.1];

#[test]
fn every_activation_matches_closed_form_derivatives_to_order_five() {
    for act in ACTIVATIONS {
        for x in POINTS {
            let (jet, exact) = (jet_derivatives(act, x), closed_form(act, x));
            let scale = exact.iter().fold(1.0f64, |m, v| m.max(v.abs()));
            for k in 0..6 {
                let err = (jet[k] - exact[k]).abs() / scale;
                assert!(
                    err < 1e-12,
                    "{act} at x={x}, order {k}: jet {} vs closed form {} (rel err {err:e})",
                    jet[k],
                    exact[k]
                );
            }
        }
    }
}

/// The same activation written against num-dual's own number trait.
fn num_dual_eval(act: Activation, z: Dual3_64) -> Dual3_64 {
    match act {
        Activation::Tanh => z.tanh(),
        Activation::Sin => z.sin(),
        Activation::Sigmoid => ((-z).exp() + 1.0).recip(),
        Activation::Softplus => z.exp().ln_1p(),
        Activation::Gaussian => (-(z * z)).exp(),
        Activation::ReluPow(p) => {
            if z.re > 0.0 {
                z.powi(p as i32)
            } else {
                z * 0.0
            }
        }
    }
}

#[test]
fn jets_agree_with_num_dual_to_third_order() {
    for act in ACTIVATIONS {
        for x in POINTS {
            let (f, d1, d2, d3) = third_derivative(|z| num_dual_eval(act, z), x);
            let jet = jet_derivatives(act, x);
            for (k, reference) in [f, d1, d2, d3].into_iter().enumerate() {
                let err = (jet[k] - reference).abs() / (1.0 + reference.abs());
                assert!(
                    err < 1e-12,
                    "{act} at {x}, order {k}: {} vs num-dual {reference}",
                    jet[k]
                );
            }
        }
    }
}

#[test]
fn single_precision_jets_track_double_precision() {
    for act in ACTIVATIONS {
        let y32 = act.eval(Jet::<f32, 5>::variable(0.4, 1.0));
        let y64 = act.eval(Jet::<f64, 5>::variable(0.4, 1.0));
        for k in 0..5 {
            let err = (y32.derivative(k) as f64 - y64.derivative(k)).abs()
                / (1.0 + y64.derivative(k).abs());
            assert!(
                err < 1e-5,
                "{act} order {k}: f32 {} vs f64 {}",
                y32.derivative(k),
                y64.derivative(k)
            );
        }
    }
}

#[test]
fn directional_jets_see_the_chain_rule() {
    // σ(w x + b) along x: the k-th derivative is wᵏ σ^{(k)}(w x + b).
    let (w, b, x) = (2.5, -0.3, 0.2);
    let z = J6::variable(x, 1.0).scale(w).shift(b);
    let y = Activation::Tanh.eval(z);
    for (k, exact) in closed_form(Activation::Tanh, w * x + b)
        .into_iter()
        .enumerate()
    {
        let expected = w.powi(k as i32) * exact;
        assert!(
            (y.derivative(k) - expected).abs() < 1e-11 * (1.0 + expected.abs()),
            "order {k}"
        );
    }
}
