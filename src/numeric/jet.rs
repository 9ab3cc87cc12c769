//! Taylor-mode automatic differentiation: truncated Taylor polynomials ("jets").
//!
//! A jet `Jet<T, N>` holds the normalized Taylor coefficients of a function of one
//! variable `t` at `t = 0`:
//!
//! ```text
//! x(t) = c₀ + c₁ t + c₂ t² + … + c_{N−1} t^{N−1} + O(t^N),   c_k = x^{(k)}(0) / k!
//! ```
//!
//! Arithmetic and the elementary functions below propagate these coefficients
//! exactly (up to rounding): products by the Cauchy rule, quotients by forward
//! substitution, and `exp`, `ln_1p`, `sin`/`cos`, `tanh` by the recurrences that
//! follow from their differential equations (`y' = y x'` for `exp`, `y' = (1 − y²) x'`
//! for `tanh`, …). Evaluating a model on the jet `x₀ + v t` therefore yields all
//! directional derivatives `D_v^k u(x₀) = k! c_k` up to order `N − 1` in one pass,
//! with no step size and no truncation error.
//!
//! The [`Number`] trait is what activations and models are written against: it is
//! implemented by the plain floats `f32`, `f64` (for values and finite differences)
//! and by jets over them (for automatic differentiation), so every formula is
//! written once.

use crate::keyword::keyword_enum;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// Floating-point precision of model evaluation (and so of the FD stencils).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Double precision (default).
    #[default]
    F64,
    /// Single precision: makes FD's round-off floor `ε/hᵖ` visible at moderate `h`.
    F32,
}

keyword_enum!(Precision, "precision", { F64 => "f64", F32 => "f32" });

impl Precision {
    /// The unit round-off `ε`: the largest relative error of one rounding to nearest,
    /// half the machine epsilon — `2⁻²⁴ ≈ 5.96e-8` for f32, `2⁻⁵³ ≈ 1.11e-16` for f64.
    /// One rounding of a value `v` errs by at most `ε|v|`.
    pub fn unit_roundoff(self) -> f64 {
        match self {
            Precision::F64 => f64::EPSILON / 2.0,
            Precision::F32 => f32::EPSILON as f64 / 2.0,
        }
    }
}

/// A floating-point precision adfd computes in: `f64` (default) or `f32`.
pub trait Real:
    num_traits::Float
    + Debug
    + Default
    + Send
    + Sync
    + 'static
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Number<Real = Self>
    + faer::traits::RealField
{
    /// Whether this is `f64`: the vectorized kernels (`vmath`, the RFM's column blocks,
    /// the two-layer network's batched tables and fused FD taps) compute in `f64`
    /// only; `f32` keeps its own round-off through the per-element paths.
    const IS_F64: bool;
    /// Rounds an `f64` to this precision.
    fn of(x: f64) -> Self;
    /// Widens to `f64`.
    fn to64(self) -> f64;
}

impl Real for f64 {
    const IS_F64: bool = true;
    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to64(self) -> f64 {
        self
    }
}

impl Real for f32 {
    const IS_F64: bool = false;
    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to64(self) -> f64 {
        self as f64
    }
}

/// A number that activations and models can be evaluated on: a float, or a jet.
///
/// The elementary functions are the primitives every activation is composed of:
/// `exp`, `ln_1p` (`ln(1 + x)`), `sin`, `cos`, `tanh`, and integer powers.
pub trait Number:
    Copy
    + Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// The precision the number is stored in.
    type Real: Real;
    /// The constant `c` (a jet with zero higher coefficients).
    fn constant(c: Self::Real) -> Self;
    /// The value at the expansion point (`c₀` for a jet).
    fn value(&self) -> Self::Real;
    /// `c · self`.
    fn scale(self, c: Self::Real) -> Self;
    /// `self + c`.
    fn shift(self, c: Self::Real) -> Self;
    /// `eˣ`.
    fn exp(self) -> Self;
    /// `ln(1 + x)`, accurate for small `x`.
    fn ln_1p(self) -> Self;
    /// `sin x`.
    fn sin(self) -> Self;
    /// `cos x`.
    fn cos(self) -> Self;
    /// `tanh x`.
    fn tanh(self) -> Self;
    /// `xᵏ` for a non-negative integer `k`.
    fn powi(self, k: u32) -> Self;
}

macro_rules! impl_number_for_float {
    ($t:ty) => {
        impl Number for $t {
            type Real = $t;
            #[inline(always)]
            fn constant(c: $t) -> Self {
                c
            }
            #[inline(always)]
            fn value(&self) -> $t {
                *self
            }
            #[inline(always)]
            fn scale(self, c: $t) -> Self {
                self * c
            }
            #[inline(always)]
            fn shift(self, c: $t) -> Self {
                self + c
            }
            #[inline(always)]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                <$t>::ln_1p(self)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                <$t>::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                <$t>::cos(self)
            }
            /// The portable [`crate::numeric::vmath::tanh`] (in f64, then rounded): the same bits
            /// on every target, and no libm call.
            #[inline(always)]
            fn tanh(self) -> Self {
                crate::numeric::vmath::tanh(self as f64) as $t
            }
            #[inline(always)]
            fn powi(self, k: u32) -> Self {
                <$t>::powi(self, k as i32)
            }
        }
    };
}
impl_number_for_float!(f64);
impl_number_for_float!(f32);

/// A truncated Taylor polynomial with `N` coefficients (derivatives up to order `N − 1`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jet<T, const N: usize> {
    /// Normalized Taylor coefficients `c_k = x^{(k)}(0) / k!`.
    pub c: [T; N],
}

/// `k! = 1·2·…·k` (`0! = 1`), which turns a Taylor coefficient into a derivative:
/// `x^{(k)}(0) = k! c_k`. Exact in `f64` for `k ≤ 18`.
pub fn factorial(k: usize) -> f64 {
    (1..=k).fold(1.0, |acc, i| acc * i as f64)
}

impl<T: Real, const N: usize> Jet<T, N> {
    /// The jet of `t ↦ x₀ + v t`: a point moving with velocity `v`.
    #[inline(always)]
    pub fn variable(x0: T, v: T) -> Self {
        let mut c = [T::zero(); N];
        c[0] = x0;
        if N > 1 {
            c[1] = v;
        }
        Jet { c }
    }

    /// The `k`-th derivative `x^{(k)}(0) = k! c_k`.
    pub fn derivative(&self, k: usize) -> T {
        self.c[k] * T::of(factorial(k))
    }

    /// Applies a function given by its value `y₀ = f(x₀)` and the linear ODE
    /// `y' = g(t) x'`, where `g` is built coefficient by coefficient from `y`
    /// (`next_g(k, y)` returns `g_k` once `y₀..y_k` are known):
    /// `y_k = (1/k) Σ_{j=1..k} j x_j g_{k−j}`.
    #[inline(always)]
    fn ode(self, y0: T, g0: T, mut next_g: impl FnMut(usize, &[T; N]) -> T) -> Self {
        let x = &self.c;
        let mut y = [T::zero(); N];
        let mut g = [T::zero(); N];
        y[0] = y0;
        g[0] = g0;
        for k in 1..N {
            let mut acc = T::zero();
            for j in 1..=k {
                acc += T::of(j as f64) * x[j] * g[k - j];
            }
            y[k] = acc / T::of(k as f64);
            if k + 1 < N {
                g[k] = next_g(k, &y);
            }
        }
        Jet { c: y }
    }
}

impl<T: Real, const N: usize> Add for Jet<T, N> {
    type Output = Self;
    #[inline(always)]
    fn add(mut self, rhs: Self) -> Self {
        for k in 0..N {
            self.c[k] += rhs.c[k];
        }
        self
    }
}

impl<T: Real, const N: usize> Sub for Jet<T, N> {
    type Output = Self;
    #[inline(always)]
    fn sub(mut self, rhs: Self) -> Self {
        for k in 0..N {
            self.c[k] -= rhs.c[k];
        }
        self
    }
}

impl<T: Real, const N: usize> Neg for Jet<T, N> {
    type Output = Self;
    #[inline(always)]
    fn neg(mut self) -> Self {
        for k in 0..N {
            self.c[k] = -self.c[k];
        }
        self
    }
}

/// Cauchy product: `(ab)_k = Σ_{j=0..k} a_j b_{k−j}`.
impl<T: Real, const N: usize> Mul for Jet<T, N> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Jet {
            c: std::array::from_fn(|k| {
                (0..=k).fold(T::zero(), |acc, j| acc + self.c[j] * rhs.c[k - j])
            }),
        }
    }
}

/// Quotient by forward substitution: `q_k = (a_k − Σ_{j=1..k} b_j q_{k−j}) / b₀`.
impl<T: Real, const N: usize> Div for Jet<T, N> {
    type Output = Self;
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        let mut q = [T::zero(); N];
        let inv = T::one() / rhs.c[0];
        for k in 0..N {
            let mut acc = self.c[k];
            for j in 1..=k {
                acc -= rhs.c[j] * q[k - j];
            }
            q[k] = acc * inv;
        }
        Jet { c: q }
    }
}

impl<T: Real, const N: usize> Number for Jet<T, N> {
    type Real = T;

    #[inline(always)]
    fn constant(c: T) -> Self {
        Jet::variable(c, T::zero())
    }

    #[inline(always)]
    fn value(&self) -> T {
        self.c[0]
    }

    #[inline(always)]
    fn scale(mut self, s: T) -> Self {
        for k in 0..N {
            self.c[k] *= s;
        }
        self
    }

    #[inline(always)]
    fn shift(mut self, s: T) -> Self {
        self.c[0] += s;
        self
    }

    /// `y = eˣ`, `y' = y x'`.
    #[inline(always)]
    fn exp(self) -> Self {
        let y0 = Number::exp(self.c[0]);
        self.ode(y0, y0, |k, y| y[k])
    }

    /// `y = ln(1 + x)`, `(1 + x) y' = x'`: `y_k = (x_k − (1/k) Σ_{j=1..k−1} j y_j x_{k−j}) / (1 + x₀)`.
    #[inline(always)]
    fn ln_1p(self) -> Self {
        let x = &self.c;
        let mut y = [T::zero(); N];
        y[0] = Number::ln_1p(x[0]);
        let inv = T::one() / (T::one() + x[0]);
        for k in 1..N {
            let mut acc = T::zero();
            for j in 1..k {
                acc += T::of(j as f64) * y[j] * x[k - j];
            }
            y[k] = (x[k] - acc / T::of(k as f64)) * inv;
        }
        Jet { c: y }
    }

    /// `s = sin x`, `c = cos x`: `s' = c x'`, `c' = −s x'`.
    #[inline(always)]
    fn sin(self) -> Self {
        sin_cos(self).0
    }

    #[inline(always)]
    fn cos(self) -> Self {
        sin_cos(self).1
    }

    /// `y = tanh x`, `y' = (1 − y²) x'`.
    #[inline(always)]
    fn tanh(self) -> Self {
        let y0 = Number::tanh(self.c[0]);
        self.ode(y0, T::one() - y0 * y0, |k, y| {
            let mut sq = T::zero();
            for i in 0..=k {
                sq += y[i] * y[k - i];
            }
            -sq
        })
    }

    /// `xᵏ` by binary powering of Cauchy products.
    #[inline(always)]
    fn powi(self, k: u32) -> Self {
        let mut result = Self::constant(T::one());
        let mut base = self;
        let mut e = k;
        while e > 0 {
            if e & 1 == 1 {
                result = result * base;
            }
            e >>= 1;
            if e > 0 {
                base = base * base;
            }
        }
        result
    }
}

/// Both `sin` and `cos` of a jet, which their recurrences need together.
#[inline(always)]
pub fn sin_cos<T: Real, const N: usize>(x: Jet<T, N>) -> (Jet<T, N>, Jet<T, N>) {
    let mut s = [T::zero(); N];
    let mut c = [T::zero(); N];
    s[0] = Number::sin(x.c[0]);
    c[0] = Number::cos(x.c[0]);
    for k in 1..N {
        let (mut as_, mut ac) = (T::zero(), T::zero());
        for j in 1..=k {
            let jx = T::of(j as f64) * x.c[j];
            as_ += jx * c[k - j];
            ac += jx * s[k - j];
        }
        let inv_k = T::one() / T::of(k as f64);
        s[k] = as_ * inv_k;
        c[k] = -ac * inv_k;
    }
    (Jet { c: s }, Jet { c })
}

#[cfg(test)]
mod tests {
    use super::*;

    type J = Jet<f64, 6>;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn polynomial_derivatives_are_exact() {
        // p(x) = x³ − 2x at x = 1.5: p' = 3x² − 2, p'' = 6x, p''' = 6, p'''' = 0.
        let x = J::variable(1.5, 1.0);
        let p = x.powi(3) - x.scale(2.0);
        assert!(close(p.derivative(1), 3.0 * 2.25 - 2.0, 1e-15));
        assert!(close(p.derivative(2), 9.0, 1e-15));
        assert!(close(p.derivative(3), 6.0, 1e-15));
        assert_eq!(p.derivative(4), 0.0);
    }

    #[test]
    fn quotient_inverts_product() {
        let a = J::variable(0.7, 1.0).exp();
        let b = J::variable(0.7, 1.0).sin().shift(2.0);
        let back = (a * b) / b;
        for k in 0..6 {
            assert!(close(back.c[k], a.c[k], 1e-14), "k = {k}");
        }
    }

    #[test]
    fn ln_1p_inverts_exp() {
        // ln(1 + (eˣ − 1)) = x: all coefficients beyond the first vanish.
        let x = J::variable(0.3, 1.0);
        let y = x.exp().shift(-1.0).ln_1p();
        assert!(close(y.c[0], 0.3, 1e-15));
        assert!(close(y.c[1], 1.0, 1e-14));
        for k in 2..6 {
            assert!(y.c[k].abs() < 1e-13, "k = {k}: {}", y.c[k]);
        }
    }
}
