//! Colours and line styles of the charts, and their colour maps.
//!
//! Okabe–Ito colours (safe for the common colour-vision deficiencies): AD is blue, FD
//! steps take the others in order. Line style tells them apart too: AD is solid, each
//! FD step size has its own dash pattern.
//!
//! Plain Rust, compiled on every target so it is tested natively.

/// An RGB colour.
pub type Rgb = [u8; 3];

/// AD's colour (Okabe–Ito blue).
pub const AD: Rgb = [0, 114, 178];
/// The FD step sizes' colours, in order.
pub const FD: [Rgb; 6] = [
    [230, 159, 0],
    [213, 94, 0],
    [204, 121, 167],
    [0, 158, 115],
    [86, 180, 233],
    [90, 90, 90],
];
/// Notes, legend borders.
pub const GREY: Rgb = [110, 110, 110];

/// Dash and gap lengths (CSS px) of the FD step sizes' lines, in order.
const DASHES: [(f64, f64); 6] = [
    (9.0, 4.0),
    (2.5, 3.0),
    (16.0, 5.0),
    (5.0, 2.5),
    (1.5, 6.0),
    (24.0, 4.0),
];

/// The colour of run `index` (0 is AD).
pub fn colour(index: usize) -> Rgb {
    if index == 0 {
        AD
    } else {
        FD[(index - 1) % FD.len()]
    }
}

/// Dash and gap lengths (CSS px) of run `index`'s line; `None` (solid) for AD.
pub fn dash(index: usize) -> Option<(f64, f64)> {
    (index > 0).then(|| DASHES[(index - 1) % DASHES.len()])
}

/// Blue–white–red for `t ∈ [−1, 1]` (white for NaN or ±∞).
pub fn diverging(t: f64) -> Rgb {
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: f64, b: f64, s: f64| (a + (b - a) * s).round() as u8;
    if t < 0.0 {
        let s = -t;
        [
            mix(247.0, 33.0, s),
            mix(247.0, 102.0, s),
            mix(247.0, 172.0, s),
        ]
    } else {
        [
            mix(247.0, 178.0, t),
            mix(247.0, 24.0, t),
            mix(247.0, 43.0, t),
        ]
    }
}

/// A five-stop approximation of viridis for `t ∈ [0, 1]` (its dark end for NaN or ±∞).
pub fn viridis(t: f64) -> Rgb {
    const STOPS: [[f64; 3]; 5] = [
        [68.0, 1.0, 84.0],
        [59.0, 82.0, 139.0],
        [33.0, 145.0, 140.0],
        [94.0, 201.0, 98.0],
        [253.0, 231.0, 37.0],
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    } * 4.0;
    let i = (t.floor() as usize).min(3);
    let s = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    [0, 1, 2].map(|k| (a[k] + (b[k] - a[k]) * s).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ad_is_solid_blue_and_fd_steps_differ_in_colour_and_dash() {
        assert_eq!((colour(0), dash(0)), (AD, None));
        for i in 1..=FD.len() {
            for j in (i + 1)..=FD.len() {
                assert_ne!(colour(i), colour(j));
                assert_ne!(dash(i), dash(j));
            }
            assert_ne!(colour(i), AD);
            assert!(dash(i).is_some());
        }
        // More FD step sizes than colours cycle rather than panic.
        assert_eq!(colour(FD.len() + 1), colour(1));
        assert_eq!(dash(DASHES.len() + 1), dash(1));
    }

    #[test]
    fn colour_maps_clamp_and_survive_nan() {
        assert_eq!(diverging(0.0), [247, 247, 247]);
        assert_eq!(diverging(-1.0), [33, 102, 172]);
        assert_eq!(diverging(5.0), diverging(1.0));
        assert_eq!(diverging(f64::NAN), diverging(0.0));
        assert_eq!(viridis(0.0), [68, 1, 84]);
        assert_eq!(viridis(1.0), [253, 231, 37]);
        assert_eq!(viridis(-3.0), viridis(0.0));
        assert_eq!(viridis(f64::INFINITY), viridis(0.0));
    }
}
