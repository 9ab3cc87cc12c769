//! AD and FD operators: closed forms in 2-D (with the polarized mixed term), FD
//! convergence at the stencil's order, and the round-off floor at tiny h.

use adfd::jet::{Number, Real};
use adfd::operator::{apply, Field};
use adfd::{DiffMode, DiffOp};

/// `u(x, y) = e^{αx+βy}`: `Δu = (α²+β²)u`, `Δ²u = (α²+β²)²u` (the mixed term is `2α²β²u`).
struct Exponential(f64, f64);
impl Field for Exponential {
    fn eval<X: Number>(&self, x: &[X]) -> X {
        (x[0].scale(X::Real::of(self.0)) + x[1].scale(X::Real::of(self.1))).exp()
    }
}

/// `u(x, y) = x²y² + x⁴ − 3y³x`: `Δu = 2y² + 2x² + 12x² − 18yx`, `Δ²u = 8 + 24 = 32`.
struct Polynomial;
impl Field for Polynomial {
    fn eval<X: Number>(&self, x: &[X]) -> X {
        let (a, b) = (x[0], x[1]);
        a * a * b * b + a.powi(4) - (b * b * b * a).scale(X::Real::of(3.0))
    }
}

/// `u(x, y) = sin(x) cos(2y)`: a mixed term that is not a multiple of the pure ones' sum
/// for every direction: `u_xxxx = u`, `u_yyyy = 16u`, `u_xxyy = 4u`, so `Δ²u = 25u`, `Δu = −5u`.
struct Trig;
impl Field for Trig {
    fn eval<X: Number>(&self, x: &[X]) -> X {
        x[0].sin() * x[1].scale(X::Real::of(2.0)).cos()
    }
}

/// A random-feature-like 1-D function `tanh(1.3x + 0.4)` for convergence studies.
struct Neuron;
impl Field for Neuron {
    fn eval<X: Number>(&self, x: &[X]) -> X {
        x[0].scale(X::Real::of(1.3)).shift(X::Real::of(0.4)).tanh()
    }
}

/// A 2-D neuron `tanh(0.9x − 1.1y + 0.2)`.
struct Neuron2;
impl Field for Neuron2 {
    fn eval<X: Number>(&self, x: &[X]) -> X {
        (x[0].scale(X::Real::of(0.9)) - x[1].scale(X::Real::of(1.1)))
            .shift(X::Real::of(0.2))
            .tanh()
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn ad_matches_closed_forms_in_two_dimensions() {
    let pts = [[0.3, -0.7], [-0.5, 0.2], [0.9, 0.9]];
    for p in pts {
        let (al, be) = (0.7, -1.3);
        let e = Exponential(al, be);
        let u = (al * p[0] + be * p[1]).exp();
        let s = al * al + be * be;
        assert!(close(
            apply::<f64, _>(DiffOp::Laplacian, DiffMode::Ad, &e, &p),
            s * u,
            1e-13
        ));
        assert!(close(
            apply::<f64, _>(DiffOp::Bilaplacian, DiffMode::Ad, &e, &p),
            s * s * u,
            1e-13
        ));

        let (x, y) = (p[0], p[1]);
        let lap = 2.0 * y * y + 14.0 * x * x - 18.0 * x * y;
        assert!(close(
            apply::<f64, _>(DiffOp::Laplacian, DiffMode::Ad, &Polynomial, &p),
            lap,
            1e-13
        ));
        assert!(close(
            apply::<f64, _>(DiffOp::Bilaplacian, DiffMode::Ad, &Polynomial, &p),
            32.0,
            1e-13
        ));

        let t = x.sin() * (2.0 * y).cos();
        assert!(close(
            apply::<f64, _>(DiffOp::Laplacian, DiffMode::Ad, &Trig, &p),
            -5.0 * t,
            1e-13
        ));
        assert!(close(
            apply::<f64, _>(DiffOp::Bilaplacian, DiffMode::Ad, &Trig, &p),
            25.0 * t,
            1e-13
        ));
    }
}

#[test]
fn fd_is_exact_on_low_degree_polynomials() {
    // Central stencils of order 2 reproduce Δ and Δ² of a quartic up to rounding.
    let p = [0.2, -0.4];
    for order in [2, 4] {
        let fd = DiffMode::Fd { h: 0.1, order };
        assert!(
            close(
                apply::<f64, _>(DiffOp::Bilaplacian, fd, &Polynomial, &p),
                32.0,
                1e-8
            ),
            "order {order}"
        );
        let (x, y) = (p[0], p[1]);
        let lap = 2.0 * y * y + 14.0 * x * x - 18.0 * x * y;
        // x⁴ contributes an h² term for order 2: 12x²+h²·2 → check with tolerance h².
        let got = apply::<f64, _>(DiffOp::Laplacian, fd, &Polynomial, &p);
        let tol = if order == 2 { 0.021 } else { 1e-9 };
        assert!((got - lap).abs() < tol, "order {order}: {got} vs {lap}");
    }
}

/// Max over sample points of |FD − AD| for `op` in `dim` dimensions.
fn fd_error(op: DiffOp, dim: usize, h: f64, order: u8) -> f64 {
    let pts: &[[f64; 2]] = &[[-0.6, 0.3], [0.1, -0.2], [0.5, 0.7]];
    pts.iter()
        .map(|p| {
            let x = &p[..dim];
            let fd = DiffMode::Fd { h, order };
            let (a, f) = if dim == 1 {
                (
                    apply::<f64, _>(op, DiffMode::Ad, &Neuron, x),
                    apply::<f64, _>(op, fd, &Neuron, x),
                )
            } else {
                (
                    apply::<f64, _>(op, DiffMode::Ad, &Neuron2, x),
                    apply::<f64, _>(op, fd, &Neuron2, x),
                )
            };
            (a - f).abs()
        })
        .fold(0.0, f64::max)
}

#[test]
fn fd_error_falls_like_h_to_the_order_in_the_truncation_regime() {
    for op in [DiffOp::Laplacian, DiffOp::Bilaplacian] {
        for dim in [1, 2] {
            for (order, h) in [(2u8, 0.02), (4, 0.1)] {
                let ratio = fd_error(op, dim, h, order) / fd_error(op, dim, h / 2.0, order);
                let expected = 2f64.powi(order as i32);
                assert!(
                    (ratio / expected - 1.0).abs() < 0.2,
                    "{op:?} d={dim} order {order}: halving h divided the error by {ratio:.3}, expected {expected}"
                );
            }
        }
    }
}

#[test]
fn fd_error_rises_like_eps_over_h_to_the_p_at_tiny_h() {
    // Round-off: |FD − AD| ≈ ε·|u|/hᵖ, so shrinking h tenfold multiplies it by ~10ᵖ.
    for (op, p, h) in [(DiffOp::Laplacian, 2, 1e-6), (DiffOp::Bilaplacian, 4, 1e-3)] {
        let (coarse, fine) = (fd_error(op, 1, h, 2), fd_error(op, 1, h / 10.0, 2));
        let slope = (fine / coarse).log10();
        assert!(
            (slope - p as f64).abs() < 1.0,
            "{op:?}: error grew 10^{slope:.2} when h shrank tenfold, expected about 10^{p}"
        );
        let floor = f64::EPSILON / (h / 10.0).powi(p);
        assert!(
            fine > 0.1 * floor && fine < 1e3 * floor,
            "{op:?}: error {fine:e} vs ε/hᵖ = {floor:e}"
        );
    }
}

#[test]
fn single_precision_lifts_the_round_off_floor() {
    // In f32 the floor ε₃₂/h² dominates already at h = 1e-3, where f64 is still accurate.
    let x = [0.1];
    let exact = apply::<f64, _>(DiffOp::Laplacian, DiffMode::Ad, &Neuron, &x);
    let fd = DiffMode::Fd { h: 1e-3, order: 2 };
    let e64 = (apply::<f64, _>(DiffOp::Laplacian, fd, &Neuron, &x) - exact).abs();
    let e32 = (apply::<f32, _>(DiffOp::Laplacian, fd, &Neuron, &x) as f64 - exact).abs();
    assert!(e64 < 1e-5, "f64 error {e64:e}");
    assert!(
        e32 > 100.0 * e64,
        "f32 error {e32:e} should dwarf f64's {e64:e}"
    );
}
