//! Activation functions, each defined once over any [`Number`].
//!
//! The same definition is evaluated on plain floats (values, finite differences)
//! and on jets (automatic differentiation), so no activation carries hand-written
//! derivative formulas: derivatives come from composing the jet primitives.

use crate::error::{Error, Result};
use crate::numeric::jet::{Jet, Number, Real};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An activation `σ`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Activation {
    /// `σ(z) = tanh z`.
    Tanh,
    /// `σ(z) = sin z`.
    Sin,
    /// `σ(z) = 1 / (1 + e⁻ᶻ) = (1 + tanh(z/2)) / 2`.
    Sigmoid,
    /// `σ(z) = ln(1 + eᶻ)`, evaluated as `max(z, 0) + ln(1 + e^{−|z|})`.
    Softplus,
    /// `σ(z) = e^{−z²}`.
    Gaussian,
    /// `σ(z) = max(z, 0)ᵏ`, which has `k − 1` continuous derivatives.
    ReluPow(u32),
}

/// Every activation name the parser accepts, for messages and menus.
pub const ACTIVATION_NAMES: &str = "tanh, sin, sigmoid, softplus, gaussian, relu^k (k = 1..12)";

impl Activation {
    /// `σ(z)`, written once for floats and jets.
    #[inline(always)]
    pub fn eval<X: Number>(self, z: X) -> X {
        let half = <X::Real as Real>::of(0.5);
        match self {
            Activation::Tanh => z.tanh(),
            Activation::Sin => z.sin(),
            Activation::Sigmoid => z.scale(half).tanh().shift(X::Real::one()).scale(half),
            Activation::Softplus => {
                if z.value() > X::Real::zero() {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                }
            }
            Activation::Gaussian => (-(z * z)).exp(),
            Activation::ReluPow(k) => {
                if z.value() > X::Real::zero() {
                    z.powi(k)
                } else {
                    z.scale(X::Real::zero())
                }
            }
        }
    }

    /// `out_i = σ⁽ᵏ⁾(z_i)/k!` (the Taylor coefficient `S_k`, `k ≤ 5`) over a slice, in
    /// f64; with `next = Some(o)` also `o_i = S_{k+1}(z_i)` (then `k ≤ 4`).
    ///
    /// `tanh` and the sigmoid run the vectorized portable kernels
    /// ([`crate::numeric::vmath::tanh_taylor`], [`crate::numeric::vmath::sigmoid_taylor`]); the other
    /// activations evaluate [`Activation::eval`] per element: on `z_i` for the values
    /// (`k = 0`), else on a jet (Taylor mode on `z_i + t`).
    pub fn taylor_slice(self, k: usize, z: &[f64], out: &mut [f64], next: Option<&mut [f64]>) {
        match self {
            Activation::Tanh => return crate::numeric::vmath::tanh_taylor(k, z, out, next),
            Activation::Sigmoid => return crate::numeric::vmath::sigmoid_taylor(k, z, out, next),
            _ => {}
        }
        let table = |zi: f64| self.eval(Jet::<f64, 6>::variable(zi, 1.0)).c;
        match next {
            None if k == 0 => {
                for (o, zi) in out.iter_mut().zip(z) {
                    *o = self.eval(*zi);
                }
            }
            None => {
                for (o, zi) in out.iter_mut().zip(z) {
                    *o = table(*zi)[k];
                }
            }
            Some(nx) => {
                for ((o, n), zi) in out.iter_mut().zip(nx.iter_mut()).zip(z) {
                    let c = table(*zi);
                    *o = c[k];
                    *n = c[k + 1];
                }
            }
        }
    }

    /// The derivative tables `tables[k][i] = S_k(z_i) = σ⁽ᵏ⁾(z_i)/k!` for `k <
    /// tables.len() ≤ 6`, in f64, each table as long as `z`.
    ///
    /// `tanh` and the sigmoid fill the tables two at a time by [`Activation::taylor_slice`]
    /// (one vectorized evaluation of `σ` per pair); the other activations evaluate one
    /// jet per element (Taylor mode on `z_i + t`) for all their tables.
    pub fn taylor_tables(self, z: &[f64], tables: &mut [Vec<f64>]) {
        assert!(
            tables.len() <= 6,
            "at most 6 Taylor coefficients, asked for {}",
            tables.len()
        );
        if matches!(self, Activation::Tanh | Activation::Sigmoid) {
            for (pair, k) in tables.chunks_mut(2).zip((0..).step_by(2)) {
                match pair {
                    [out, next] => self.taylor_slice(k, z, out, Some(next)),
                    [out] => self.taylor_slice(k, z, out, None),
                    _ => unreachable!("chunks of two"),
                }
            }
            return;
        }
        for (i, zi) in z.iter().enumerate() {
            let c = self.eval(Jet::<f64, 6>::variable(*zi, 1.0)).c;
            for (table, ck) in tables.iter_mut().zip(c) {
                table[i] = ck;
            }
        }
    }

    /// Checks that `σ` is smooth enough for a differential operator of order `p`:
    /// ReLUᵏ needs `k ≥ p + 1` so that `σ^{(p)}` is continuous.
    pub fn check_smoothness(self, p: usize) -> Result<()> {
        match self {
            Activation::ReluPow(k) if (k as usize) < p + 1 => Err(Error::invalid(
                "activation",
                format!(
                    "relu^{k} is too rough for a derivative of order {p}; use relu^k with k ≥ {} (or a smooth activation)",
                    p + 1
                ),
            )),
            _ => Ok(()),
        }
    }
}

use num_traits::{One, Zero};

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Activation::Tanh => f.write_str("tanh"),
            Activation::Sin => f.write_str("sin"),
            Activation::Sigmoid => f.write_str("sigmoid"),
            Activation::Softplus => f.write_str("softplus"),
            Activation::Gaussian => f.write_str("gaussian"),
            Activation::ReluPow(k) => write!(f, "relu^{k}"),
        }
    }
}

impl FromStr for Activation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_lowercase();
        let unknown = || {
            Error::invalid(
                "activation",
                format!("unknown activation {s:?}; choose one of {ACTIVATION_NAMES}"),
            )
        };
        Ok(match s.as_str() {
            "tanh" => Activation::Tanh,
            "sin" => Activation::Sin,
            "sigmoid" => Activation::Sigmoid,
            "softplus" => Activation::Softplus,
            "gaussian" => Activation::Gaussian,
            _ => {
                let k = s
                    .strip_prefix("relu^")
                    .or_else(|| s.strip_prefix("relu"))
                    .ok_or_else(unknown)?;
                let k: u32 = k.parse().map_err(|_| unknown())?;
                if !(1..=12).contains(&k) {
                    return Err(Error::invalid(
                        "activation",
                        format!("relu^{k}: k must be in 1..=12"),
                    ));
                }
                Activation::ReluPow(k)
            }
        })
    }
}

impl TryFrom<String> for Activation {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Activation> for String {
    fn from(a: Activation) -> String {
        a.to_string()
    }
}
