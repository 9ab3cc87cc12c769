//! Axis spans the charts can always draw, and their tick labels.
//!
//! plotters computes tick positions by stepping across an axis's span; a span that is
//! infinite, NaN or zero-wide (a threshold of `1e308`, a diverging loss, `s²` of
//! `s = 1e154`) makes that step loop never end and freezes the page. So every span a
//! chart uses is an [`Axis`], whose constructors accept anything and return a finite
//! span of sane, non-zero width, and every point is placed through it (NaN and ±∞
//! dropped, the rest clamped into the span).
//!
//! Log axes are drawn as linear axes over `log₁₀ v` (plotters' own log axis drops its
//! labels over very wide ranges): their spans and points are in decades, computed as
//! `log₁₀` of each value (a square is `2·log₁₀ s`, never `s·s`), and [`pow_label`]
//! labels a tick `t` with the value `10ᵗ`.
//!
//! Plain Rust, compiled on every target so it is tested natively.

use std::ops::Range;

/// The widest log axis, in decades either side of 1: `10^±300`.
pub const MAX_DECADES: f64 = 300.0;
/// The narrowest log axis, in decades.
pub const MIN_DECADES: f64 = 0.5;
/// The largest magnitude a linear axis reaches.
pub const MAX_LINEAR: f64 = 1e15;
/// The narrowest linear axis, relative to the larger of 1 and its magnitude.
pub const MIN_LINEAR_WIDTH: f64 = 1e-9;

/// A finite span `lo < hi` on one chart axis, in axis coordinates (`log₁₀` of the
/// value on a log axis).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axis {
    lo: f64,
    hi: f64,
}

impl Axis {
    /// A linear axis over `[lo, hi]` (in either order): NaN gives `[0, 1]`, the ends are
    /// clamped to `±`[`MAX_LINEAR`], and a span narrower than [`MIN_LINEAR_WIDTH`]
    /// (relative) is widened about its centre.
    pub fn linear(lo: f64, hi: f64) -> Axis {
        if lo.is_nan() || hi.is_nan() {
            return Axis { lo: 0.0, hi: 1.0 };
        }
        let (lo, hi) = ordered(
            lo.clamp(-MAX_LINEAR, MAX_LINEAR),
            hi.clamp(-MAX_LINEAR, MAX_LINEAR),
        );
        let width = MIN_LINEAR_WIDTH * 1f64.max(lo.abs()).max(hi.abs());
        widened(lo, hi, width, MAX_LINEAR)
    }

    /// A log axis from `10^lo` to `10^hi` (in decades, either order): NaN gives
    /// `[10⁻³, 1]`, the ends are clamped to `±`[`MAX_DECADES`], and a span narrower than
    /// [`MIN_DECADES`] is widened about its centre.
    pub fn decades(lo: f64, hi: f64) -> Axis {
        if lo.is_nan() || hi.is_nan() {
            return Axis { lo: -3.0, hi: 0.0 };
        }
        let (lo, hi) = ordered(
            lo.clamp(-MAX_DECADES, MAX_DECADES),
            hi.clamp(-MAX_DECADES, MAX_DECADES),
        );
        widened(lo, hi, MIN_DECADES, MAX_DECADES)
    }

    /// A log axis that shows every finite value of `decades` (each `log₁₀` of a value to
    /// plot; NaN and ±∞, i.e. values that were ≤ 0, ∞ or NaN, are skipped) with some room
    /// above and below: a factor 3 when they span less than a decade, else 2. With no
    /// finite value, `[10⁻³, 1]`.
    pub fn log_fit(decades: impl IntoIterator<Item = f64>) -> Axis {
        match extent(decades) {
            None => Axis::decades(-3.0, 0.0),
            Some((lo, hi)) => {
                let pad = if hi - lo < 1.0 { 3f64 } else { 2f64 }.log10();
                Axis::decades(lo - pad, hi + pad)
            }
        }
    }

    /// This log axis, cut to at most `depth` decades below its top.
    pub fn deepest(self, depth: f64) -> Axis {
        Axis::decades(self.lo.max(self.hi - depth.abs()), self.hi)
    }

    /// The lower end.
    pub fn lo(&self) -> f64 {
        self.lo
    }

    /// The upper end.
    pub fn hi(&self) -> f64 {
        self.hi
    }

    /// The span, for plotters.
    pub fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }

    /// True when `t` (axis coordinates) lies within the span.
    pub fn contains(&self, t: f64) -> bool {
        (self.lo..=self.hi).contains(&t)
    }

    /// `t` (axis coordinates) clamped into the span; `None` for NaN or ±∞.
    pub fn place(&self, t: f64) -> Option<f64> {
        t.is_finite().then(|| t.clamp(self.lo, self.hi))
    }

    /// The points (axis coordinates) that can be drawn, each placed on its axis.
    pub fn points(
        x: &Axis,
        y: &Axis,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Vec<(f64, f64)> {
        points
            .into_iter()
            .filter_map(|(a, b)| Some((x.place(a)?, y.place(b)?)))
            .collect()
    }
}

fn ordered(a: f64, b: f64) -> (f64, f64) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// `[lo, hi]` widened about its centre to at least `width`, kept within `±limit`.
fn widened(lo: f64, hi: f64, width: f64, limit: f64) -> Axis {
    if hi - lo >= width {
        return Axis { lo, hi };
    }
    let centre = (lo / 2.0 + hi / 2.0).clamp(-limit + width / 2.0, limit - width / 2.0);
    Axis {
        lo: centre - width / 2.0,
        hi: centre + width / 2.0,
    }
}

/// `log₁₀ v`: the coordinate of `v` on a log axis (−∞ or NaN for `v ≤ 0`, which
/// [`Axis::place`] drops).
pub fn lg(v: f64) -> f64 {
    v.log10()
}

/// `(min, max)` of the finite values, if any.
pub fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

/// Labels a tick `t` of a log axis with the value `10ᵗ`: `1e-8` on whole decades
/// outside `[10⁻³, 10³]`, plain numbers with up to three significant digits between
/// `10⁻³` and `10⁴`, else one decimal of scientific notation.
pub fn pow_label(t: &f64) -> String {
    let v = 10f64.powf(*t);
    let r = t.round();
    if (t - r).abs() < 1e-6 && !(-3.0..=3.0).contains(&r) {
        format!("1e{}", r as i64)
    } else if (1e-3..1e4).contains(&v) {
        let digits = (2 - v.log10().floor() as i32).max(0) as usize;
        let text = format!("{v:.digits$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    } else {
        format!("{v:.1e}")
    }
}

/// Labels a tick of a log axis over counts with the whole number `10ᵗ`.
pub fn count_label(t: &f64) -> String {
    format!("{:.0}", 10f64.powf(*t))
}

/// A whole number.
pub fn whole(v: &f64) -> String {
    format!("{v:.0}")
}

/// One decimal, without a "-0.0".
pub fn tidy(v: &f64) -> String {
    format!("{:.1}", if v.abs() < 1e-9 { 0.0 } else { *v })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What every axis must be for plotters' tick computation to end.
    fn drawable(a: Axis, max: f64, min_width: f64) {
        assert!(a.lo().is_finite() && a.hi().is_finite(), "{a:?}");
        assert!(a.lo() >= -max && a.hi() <= max, "{a:?} beyond ±{max}");
        assert!(
            a.hi() - a.lo() >= min_width * 0.999,
            "{a:?} narrower than {min_width}"
        );
    }

    const HOSTILE: [f64; 10] = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        -f64::MAX,
        f64::MIN_POSITIVE,
        1e-308,
        5e-324,
        0.0,
        -1.0,
    ];

    #[test]
    fn log_axes_of_hostile_values_are_finite_and_bounded() {
        let a = Axis::log_fit(HOSTILE.iter().map(|&v| lg(v)));
        drawable(a, MAX_DECADES, MIN_DECADES);
        // f64::MAX and 1e-308 both reach the ±300-decade limits.
        assert_eq!((a.lo(), a.hi()), (-MAX_DECADES, MAX_DECADES));
        for v in HOSTILE {
            drawable(Axis::log_fit([lg(v)]), MAX_DECADES, MIN_DECADES);
            drawable(Axis::decades(lg(v), 0.0), MAX_DECADES, MIN_DECADES);
            drawable(Axis::decades(lg(v), lg(v)), MAX_DECADES, MIN_DECADES);
            drawable(Axis::decades(0.0, v), MAX_DECADES, MIN_DECADES);
        }
    }

    #[test]
    fn squares_are_taken_in_log_space() {
        // (1e155)² overflows to ∞ in linear space (and 1e154² does once padded by 2);
        // 2·log₁₀ is 310, clamped to the limit.
        let s: f64 = 1e155;
        assert!((s * s).is_infinite());
        let a = Axis::log_fit([2.0 * lg(s), 2.0 * lg(1.0)]);
        drawable(a, MAX_DECADES, MIN_DECADES);
        assert_eq!(a.hi(), MAX_DECADES);
        assert_eq!(a.place(2.0 * lg(s)), Some(MAX_DECADES));
    }

    #[test]
    fn empty_and_single_values_get_a_default_or_a_width() {
        assert_eq!(Axis::log_fit([]), Axis::decades(-3.0, 0.0));
        assert_eq!(
            Axis::log_fit([f64::NAN, f64::INFINITY]),
            Axis::decades(-3.0, 0.0)
        );
        let one = Axis::log_fit([lg(2.5)]);
        assert!(one.contains(lg(2.5)));
        drawable(one, MAX_DECADES, MIN_DECADES);
        // At the limit the span is widened inward.
        let top = Axis::decades(MAX_DECADES, MAX_DECADES);
        assert_eq!(top.hi(), MAX_DECADES);
        assert!((top.hi() - top.lo() - MIN_DECADES).abs() < 1e-12);
    }

    #[test]
    fn fitted_log_axes_pad_like_before() {
        // Within a decade: a factor 3 either side; wider: a factor 2.
        let a = Axis::log_fit([lg(1.0), lg(5.0)]);
        assert!((a.lo() - lg(1.0 / 3.0)).abs() < 1e-12 && (a.hi() - lg(15.0)).abs() < 1e-12);
        let a = Axis::log_fit([lg(1e-6), lg(1.0)]);
        assert!((a.lo() - lg(5e-7)).abs() < 1e-12 && (a.hi() - lg(2.0)).abs() < 1e-12);
        // A depth limit keeps the top.
        let d = a.deepest(3.0);
        assert_eq!(d.hi(), a.hi());
        assert!((d.lo() - (a.hi() - 3.0)).abs() < 1e-12);
    }

    #[test]
    fn linear_axes_of_hostile_values_are_finite_and_bounded() {
        for a in HOSTILE {
            for b in HOSTILE {
                let axis = Axis::linear(a, b);
                let width = MIN_LINEAR_WIDTH * 1f64.max(axis.lo().abs()).max(axis.hi().abs());
                drawable(axis, MAX_LINEAR, width);
            }
        }
        assert_eq!(Axis::linear(f64::NAN, 3.0), Axis::linear(0.0, 1.0));
        assert_eq!(Axis::linear(2.0, -1.0), Axis::linear(-1.0, 2.0));
        let narrow = Axis::linear(1e12, 1e12);
        assert!(narrow.hi() > narrow.lo() && narrow.contains(1e12));
    }

    #[test]
    fn points_drop_nan_and_infinities_and_clamp_the_rest() {
        let x = Axis::linear(0.0, 10.0);
        let y = Axis::decades(-3.0, 3.0);
        let pts = Axis::points(
            &x,
            &y,
            [
                (1.0, lg(10.0)),
                (f64::NAN, 0.0),
                (2.0, lg(0.0)),
                (3.0, lg(-1.0)),
                (4.0, lg(f64::INFINITY)),
                (f64::MAX, lg(f64::MAX)),
                (-5.0, lg(1e-308)),
            ],
        );
        assert_eq!(pts, vec![(1.0, 1.0), (10.0, 3.0), (0.0, -3.0)]);
    }

    #[test]
    fn extent_skips_what_is_not_finite() {
        assert_eq!(
            extent([f64::NAN, 2.0, f64::INFINITY, -1.0]),
            Some((-1.0, 2.0))
        );
        assert_eq!(extent([f64::NAN]), None);
    }

    #[test]
    fn tick_labels() {
        assert_eq!(pow_label(&-8.0), "1e-8");
        assert_eq!(pow_label(&300.0), "1e300");
        assert_eq!(pow_label(&2.0), "100");
        assert_eq!(pow_label(&lg(0.05)), "0.05");
        assert_eq!(pow_label(&lg(2.5)), "2.5");
        assert_eq!(pow_label(&4.5), "3.2e4");
        assert_eq!(count_label(&2.0), "100");
        assert_eq!(whole(&3.4), "3");
        assert_eq!(tidy(&-1e-12), "0.0");
        assert_eq!(tidy(&-0.5), "-0.5");
    }
}
