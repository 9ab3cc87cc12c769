//! Differential operators applied to a model, by automatic differentiation or by
//! finite-difference stencils.
//!
//! * [`DiffMode::Ad`] evaluates the model on jets along directions and reads the
//!   derivatives off their coefficients, following [`ad_recipe`] (in 2-D the mixed
//!   term of the biharmonic operator comes by polarization along `e₁ ± e₂`).
//! * [`DiffMode::Fd`] applies a central stencil of step `h` to the *model function*:
//!   `Σ_s w_s u(x + h s) / hᵖ`. Every derivative uses the stencil, boundary
//!   operators included. The stencils are built term by term from 1-D central
//!   differences of the chosen order (see [`Stencil`]); for order 2 they are the
//!   classical 3-point `u''`, 5-point `u''''`, 5-point Laplacian and 13-point
//!   biharmonic stencils.

use crate::numeric::jet::{Jet, Number, Real};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A differential operator of the problems: `u`, `Δu` (`u''` in 1-D) or `Δ²u` (`u''''`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffOp {
    /// `u` itself.
    Value,
    /// `Δu = Σ_i ∂²u/∂x_i²`.
    Laplacian,
    /// `Δ²u = Σ_{i,j} ∂⁴u/∂x_i²∂x_j²`.
    Bilaplacian,
}

impl DiffOp {
    /// The derivative order `p` of the operator (0, 2 or 4).
    pub fn order(self) -> usize {
        match self {
            DiffOp::Value => 0,
            DiffOp::Laplacian => 2,
            DiffOp::Bilaplacian => 4,
        }
    }
}

/// How derivatives with respect to `x` are computed.
///
/// In a report a run's mode is written `"mode": "ad" | "fd"` with `"h": null | h`
/// (the stencil order is the config's `order`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DiffMode {
    /// Taylor-mode automatic differentiation: exact derivatives at the point.
    Ad,
    /// A central finite-difference stencil of step `h` and accuracy order 2 or 4.
    Fd {
        /// Step size, `h > 0`.
        h: f64,
        /// Accuracy order of the stencil: 2 or 4.
        order: u8,
    },
}

impl DiffMode {
    /// The step `h`, or `None` for AD.
    pub fn h(&self) -> Option<f64> {
        match self {
            DiffMode::Ad => None,
            DiffMode::Fd { h, .. } => Some(*h),
        }
    }

    /// The mode's name in reports and tables: `ad` or `fd`.
    pub fn name(&self) -> &'static str {
        match self {
            DiffMode::Ad => "ad",
            DiffMode::Fd { .. } => "fd",
        }
    }
}

/// `h` with at most three significant digits and no trailing zeros: `1e-1`, `5e-2`,
/// `3.16e-2`.
pub fn format_h(h: f64) -> String {
    let s = format!("{h:.2e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exp}")
        }
        None => s,
    }
}

/// The one label of a mode, on the page, in tables and in messages: `AD` or `FD h=1e-2`.
impl std::fmt::Display for DiffMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiffMode::Ad => f.write_str("AD"),
            DiffMode::Fd { h, .. } => write!(f, "FD h={}", format_h(*h)),
        }
    }
}

impl Serialize for DiffMode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("DiffMode", 2)?;
        st.serialize_field("mode", self.name())?;
        st.serialize_field("h", &self.h())?;
        st.end()
    }
}

/// Taylor-mode AD's recipe for `op` in `dim` dimensions: `op u(x) = Σ_(v, w) w·D_vᵖ u(x)`,
/// directional derivatives of one order `p` along directions `v` (unused coordinates 0).
///
/// `u''`/`Δu`: `p = 2`, `v = e_i`, `w = 1`; `u''''`: `p = 4`, `v = e₁`; the 2-D `Δ²u`
/// polarizes its mixed term, `D₊⁴u + D₋⁴u = 2u_xxxx + 12u_xxyy + 2u_yyyy` along
/// `e₁ ± e₂`, so `Δ²u = ⅔(D⁴_{e₁} + D⁴_{e₂}) + ⅙(D⁴_{e₁+e₂} + D⁴_{e₁−e₂})`.
/// The operators ([`apply_ad`]) and the network residuals (`net::residual`) both use it.
pub fn ad_recipe(op: DiffOp, dim: usize) -> (usize, Vec<([f64; 2], f64)>) {
    const E: [[f64; 2]; 2] = [[1.0, 0.0], [0.0, 1.0]];
    match op {
        DiffOp::Value => (0, vec![([0.0; 2], 1.0)]),
        DiffOp::Laplacian => (2, (0..dim).map(|k| (E[k], 1.0)).collect()),
        DiffOp::Bilaplacian if dim == 1 => (4, vec![(E[0], 1.0)]),
        DiffOp::Bilaplacian => (
            4,
            vec![
                (E[0], 2.0 / 3.0),
                (E[1], 2.0 / 3.0),
                ([1.0, 1.0], 1.0 / 6.0),
                ([1.0, -1.0], 1.0 / 6.0),
            ],
        ),
    }
}

/// A scalar function of `x ∈ ℝᵈ` written once for every [`Number`]: evaluated on
/// floats it gives values (and finite differences), on jets it gives derivatives.
pub trait Field {
    /// `u(x)`, with `x.len() == d`.
    fn eval<X: Number>(&self, x: &[X]) -> X;
}

/// `op u(x)` by `mode`, computed in precision `T`.
///
/// Builds the stencil on every call; to apply one operator many times use [`Prepared`].
pub fn apply<T: Real, F: Field>(op: DiffOp, mode: DiffMode, u: &F, x: &[f64]) -> T {
    Prepared::new(op, mode, x.len()).apply(u, x)
}

/// An operator and mode ready to be applied many times (the stencil is built once).
#[derive(Clone, Debug, PartialEq)]
pub enum Prepared {
    /// `op` by Taylor-mode AD.
    Ad(DiffOp),
    /// `op` by the stencil with step `h`.
    Fd {
        /// The stencil of `op`.
        stencil: Stencil,
        /// Its step.
        h: f64,
    },
}

impl Prepared {
    /// Prepares `op` in `dim` dimensions for `mode`.
    pub fn new(op: DiffOp, mode: DiffMode, dim: usize) -> Self {
        match mode {
            DiffMode::Ad => Prepared::Ad(op),
            DiffMode::Fd { h, order } => Prepared::Fd {
                stencil: Stencil::new(op, dim, order),
                h,
            },
        }
    }

    /// `op u(x)` in precision `T`.
    #[inline]
    pub fn apply<T: Real, F: Field>(&self, u: &F, x: &[f64]) -> T {
        match self {
            Prepared::Ad(op) => apply_ad(*op, u, x),
            Prepared::Fd { stencil, h } => stencil.apply(u, x, *h),
        }
    }
}

/// `D_v^p u(x) = p! c_p` for the jet of `t ↦ u(x + t v)` with `N = p + 1` coefficients.
fn directional<T: Real, F: Field, const N: usize>(u: &F, x: &[f64], v: &[f64]) -> T {
    let mut xs = [Jet::<T, N>::constant(T::zero()); 2];
    for (k, (xi, vi)) in x.iter().zip(v).enumerate() {
        xs[k] = Jet::variable(T::of(*xi), T::of(*vi));
    }
    u.eval(&xs[..x.len()]).derivative(N - 1)
}

/// `op u(x)` by Taylor-mode AD, following [`ad_recipe`].
pub fn apply_ad<T: Real, F: Field>(op: DiffOp, u: &F, x: &[f64]) -> T {
    let d = x.len();
    let (p, dirs) = ad_recipe(op, d);
    let mut sum = T::zero();
    for (v, w) in &dirs {
        let v = &v[..d];
        let derivative = match p {
            0 => {
                let mut xs = [T::zero(); 2];
                for (k, xi) in x.iter().enumerate() {
                    xs[k] = T::of(*xi);
                }
                u.eval(&xs[..d])
            }
            2 => directional::<T, F, 3>(u, x, v),
            _ => directional::<T, F, 5>(u, x, v),
        };
        sum += derivative * T::of(*w);
    }
    sum
}

/// 1-D central weights for `u''` (scaled by `h²`), offsets `−r..=r`.
fn second_difference(order: u8) -> &'static [f64] {
    match order {
        2 => &[1.0, -2.0, 1.0],
        _ => &[-1.0 / 12.0, 4.0 / 3.0, -5.0 / 2.0, 4.0 / 3.0, -1.0 / 12.0],
    }
}

/// 1-D central weights for `u''''` (scaled by `h⁴`), offsets `−r..=r`.
fn fourth_difference(order: u8) -> &'static [f64] {
    match order {
        2 => &[1.0, -4.0, 6.0, -4.0, 1.0],
        _ => &[
            -1.0 / 6.0,
            2.0,
            -13.0 / 2.0,
            28.0 / 3.0,
            -13.0 / 2.0,
            2.0,
            -1.0 / 6.0,
        ],
    }
}

/// A finite-difference stencil: `op u(x) ≈ h⁻ᵖ Σ_s w_s u(x + h s)` with integer offsets `s`.
///
/// Built term by term from 1-D central differences of accuracy order 2 or 4:
/// `u'' → D₂`, `Δ → Σ_i D₂⁽ⁱ⁾`, `u'''' → D₄`, and in 2-D
/// `Δ² → D₄⁽ˣ⁾ + D₄⁽ʸ⁾ + 2 D₂⁽ˣ⁾ ⊗ D₂⁽ʸ⁾` (for order 2 exactly the 13-point stencil).
#[derive(Clone, Debug, PartialEq)]
pub struct Stencil {
    /// Derivative order `p` (the power of `h` to divide by).
    pub p: usize,
    /// `(offset in units of h, weight)` pairs, merged and sorted by offset.
    pub taps: Vec<([i32; 2], f64)>,
}

impl Stencil {
    /// The stencil of `op` in `dim` dimensions with accuracy `order` (2 or 4).
    pub fn new(op: DiffOp, dim: usize, order: u8) -> Self {
        let mut taps: BTreeMap<[i32; 2], f64> = BTreeMap::new();
        let add_1d = |w: &[f64], axis: usize, scale: f64, taps: &mut BTreeMap<[i32; 2], f64>| {
            let r = (w.len() / 2) as i32;
            for (i, wi) in w.iter().enumerate() {
                let mut off = [0, 0];
                off[axis] = i as i32 - r;
                *taps.entry(off).or_default() += scale * wi;
            }
        };
        match op {
            DiffOp::Value => {
                taps.insert([0, 0], 1.0);
            }
            DiffOp::Laplacian => {
                for axis in 0..dim {
                    add_1d(second_difference(order), axis, 1.0, &mut taps);
                }
            }
            DiffOp::Bilaplacian => {
                for axis in 0..dim {
                    add_1d(fourth_difference(order), axis, 1.0, &mut taps);
                }
                if dim == 2 {
                    let w = second_difference(order);
                    let r = (w.len() / 2) as i32;
                    for (i, wi) in w.iter().enumerate() {
                        for (j, wj) in w.iter().enumerate() {
                            *taps.entry([i as i32 - r, j as i32 - r]).or_default() += 2.0 * wi * wj;
                        }
                    }
                }
            }
        }
        Stencil {
            p: op.order(),
            taps: taps.into_iter().filter(|(_, w)| *w != 0.0).collect(),
        }
    }

    /// `h⁻ᵖ Σ_s w_s u(x + h s)`, evaluated in precision `T`.
    pub fn apply<T: Real, F: Field>(&self, u: &F, x: &[f64], h: f64) -> T {
        let d = x.len();
        let hh = T::of(h);
        let mut sum = T::zero();
        for (off, w) in &self.taps {
            let mut xs = [T::zero(); 2];
            for k in 0..d {
                xs[k] = T::of(x[k]) + hh * T::of(off[k] as f64);
            }
            sum += T::of(*w) * u.eval(&xs[..d]);
        }
        sum / Number::powi(hh, self.p as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classical_order_two_stencils() {
        assert_eq!(Stencil::new(DiffOp::Laplacian, 1, 2).taps.len(), 3);
        assert_eq!(Stencil::new(DiffOp::Bilaplacian, 1, 2).taps.len(), 5);
        assert_eq!(Stencil::new(DiffOp::Laplacian, 2, 2).taps.len(), 5);
        let bih = Stencil::new(DiffOp::Bilaplacian, 2, 2);
        assert_eq!(bih.taps.len(), 13);
        let centre = bih.taps.iter().find(|(o, _)| *o == [0, 0]).unwrap().1;
        assert_eq!(centre, 20.0);
    }

    #[test]
    fn stencil_weights_annihilate_constants() {
        for op in [DiffOp::Laplacian, DiffOp::Bilaplacian] {
            for dim in [1, 2] {
                for order in [2, 4] {
                    let s: f64 = Stencil::new(op, dim, order).taps.iter().map(|t| t.1).sum();
                    assert!(s.abs() < 1e-12, "{op:?} {dim} {order}: {s}");
                }
            }
        }
    }
}
