//! Singular values, least squares, and the truncated entropy of a spectrum.
//!
//! This is the only module that calls an SVD (faer's, behind two small functions),
//! so the backend can change in one place. Singular values are always computed
//! from the matrix itself, never as square roots of eigenvalues of `AᵀA`, which
//! would square the condition number and erase the small singular values this
//! project is about. Every matrix is checked for NaN/∞ before decomposition, and
//! faer's iterations are bounded, so no input can hang.
//!
//! Truncated entropy (adfd's reading of the paper, see the README): for singular
//! values `s₁ ≥ s₂ ≥ … ≥ 0` and a threshold `a`,
//!
//! ```text
//! K(a) = #{ i : s_i > a·s₁ }                 (relative threshold; or s_i > a, absolute)
//! H(a) = −Σ_{i≤K} p_i ln p_i,   p_i = s_i / Σ_{j≤K} s_j
//! ```
//!
//! and `exp H(a)` is the effective number of modes.

use crate::error::{Error, Result};
use crate::numeric::jet::Precision;
use faer::MatRef;
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

/// The threshold `a` that decides which singular values count as modes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "a", rename_all = "lowercase")]
pub enum Threshold {
    /// Keep `s_i > a · s₁`, with `a ∈ (0, 1)`.
    Relative(f64),
    /// Keep `s_i > a`, with `a > 0`.
    Absolute(f64),
}

/// adfd's default threshold in `precision`, the only one: relative `a = 10⁻⁸` in f64,
/// `10⁻⁵` in f32 (f32's ε ≈ 1.2·10⁻⁷ lies above 10⁻⁸, so there the default would count
/// round-off as modes). `Config::defaults_for` takes it per precision.
pub fn default_threshold(precision: Precision) -> Threshold {
    match precision {
        Precision::F64 => Threshold::Relative(1e-8),
        Precision::F32 => Threshold::Relative(1e-5),
    }
}

/// [`default_threshold`] in the default precision (f64).
impl Default for Threshold {
    fn default() -> Self {
        default_threshold(Precision::default())
    }
}

impl Threshold {
    /// Checks the range: relative `a ∈ (0, 1)`, absolute `a > 0` and finite.
    pub fn check(&self) -> Result<()> {
        match *self {
            Threshold::Relative(a) if !(a > 0.0 && a < 1.0) => Err(Error::invalid(
                "threshold.a",
                format!("relative threshold {a} must lie in (0, 1), e.g. 1e-8"),
            )),
            Threshold::Absolute(a) if !(a.is_finite() && a > 0.0) => Err(Error::invalid(
                "threshold.a",
                format!("absolute threshold {a} must be a finite number > 0"),
            )),
            _ => Ok(()),
        }
    }

    /// The threshold's level (`a·s₁` relative, `a` absolute) for a spectrum whose largest singular value is `s1`.
    pub fn level(&self, s1: f64) -> f64 {
        match *self {
            Threshold::Relative(a) => a * s1,
            Threshold::Absolute(a) => a,
        }
    }
}

/// `K(a)`, `H(a)` and `exp H(a)` of one spectrum.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entropy {
    /// Effective cut-off number `K(a) = #{i : s_i > level}`.
    pub cutoff: usize,
    /// Truncated entropy `H(a) = −Σ_{i≤K} p_i ln p_i`, `p_i = s_i / Σ_{j≤K} s_j` (0 when K ≤ 1).
    pub entropy: f64,
    /// Effective number of modes `exp H(a)` (0 when K = 0).
    pub effective_modes: f64,
}

/// Truncated entropy of the descending singular values `s` at threshold `t`.
///
/// Errors on NaN or negative entries, or on an unsorted spectrum.
pub fn truncated_entropy(s: &[f64], t: Threshold) -> Result<Entropy> {
    t.check()?;
    if s.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return Err(Error::NonFinite {
            what: "the spectrum".into(),
        });
    }
    if s.windows(2).any(|w| w[1] > w[0]) {
        return Err(Error::invalid(
            "spectrum",
            "singular values must be sorted in descending order",
        ));
    }
    let s1 = s.first().copied().unwrap_or(0.0);
    let level = t.level(s1);
    let kept: Vec<f64> = s
        .iter()
        .copied()
        .take_while(|&v| v > level && v > 0.0)
        .collect();
    let total: f64 = kept.iter().sum();
    let entropy = kept
        .iter()
        .map(|&v| {
            let p = v / total;
            -p * p.ln()
        })
        .sum::<f64>()
        .max(0.0);
    Ok(Entropy {
        cutoff: kept.len(),
        entropy,
        effective_modes: if kept.is_empty() { 0.0 } else { entropy.exp() },
    })
}

fn check_finite(a: &DMatrix<f64>, what: &str) -> Result<()> {
    if a.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Error::NonFinite { what: what.into() })
    }
}

fn view(a: &DMatrix<f64>) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(a.as_slice(), a.nrows(), a.ncols())
}

/// Singular values of `a`, descending, without computing `U` or `V`.
/// `what` names the matrix in error messages.
pub fn singular_values(a: &DMatrix<f64>, what: &str) -> Result<Vec<f64>> {
    check_finite(a, what)?;
    if a.is_empty() {
        return Ok(Vec::new());
    }
    view(a)
        .singular_values()
        .map_err(|_| Error::NoConvergence { what: what.into() })
}

/// The least-squares solution of `a x ≈ b` by the SVD pseudo-inverse, discarding
/// singular values `s_i ≤ rcond · s₁`: `x = Σ_{s_i > rcond s₁} v_i (u_iᵀ b) / s_i`.
/// Returns `x` and the singular values of `a` (descending).
pub fn least_squares(
    a: &DMatrix<f64>,
    b: &[f64],
    rcond: f64,
    what: &str,
) -> Result<(Vec<f64>, Vec<f64>)> {
    check_finite(a, what)?;
    if b.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: format!("right-hand side of {what}"),
        });
    }
    let svd = view(a)
        .thin_svd()
        .map_err(|_| Error::NoConvergence { what: what.into() })?;
    let (u, v) = (svd.U(), svd.V());
    let s: Vec<f64> = svd.S().column_vector().iter().copied().collect();
    let level = rcond * s.first().copied().unwrap_or(0.0);
    let mut x = vec![0.0; a.ncols()];
    for (i, &si) in s.iter().enumerate() {
        if si <= level || si == 0.0 {
            break;
        }
        let coef = (0..a.nrows()).map(|r| u[(r, i)] * b[r]).sum::<f64>() / si;
        for (c, xc) in x.iter_mut().enumerate() {
            *xc += coef * v[(c, i)];
        }
    }
    Ok((x, s))
}
