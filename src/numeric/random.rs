//! Seeded, portable random numbers.
//!
//! adfd uses one named generator, Xoshiro256++ (`rand_xoshiro`), so that a seed gives
//! the same numbers natively and in wasm, today and after dependency updates. Each
//! consumer draws from its own *stream*: the generator seeded with `seed` and then
//! advanced by `stream` jumps of 2¹²⁸ steps, so streams never overlap and adding a
//! draw to one cannot shift another.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The random streams adfd uses, one per consumer.
#[derive(Clone, Copy, Debug)]
pub enum Stream {
    /// Random-feature weights and biases, network initial parameters.
    Parameters = 0,
    /// Interior collocation points.
    Interior = 1,
    /// Boundary collocation points.
    Boundary = 2,
}

/// A seeded generator for one stream.
#[derive(Clone, Debug)]
pub struct Rng(Xoshiro256PlusPlus);

impl Rng {
    /// The generator for `stream` under `seed`.
    pub fn new(seed: u64, stream: Stream) -> Self {
        let mut g = Xoshiro256PlusPlus::seed_from_u64(seed);
        for _ in 0..stream as u32 {
            g.jump();
        }
        Rng(g)
    }

    /// A uniform draw from `[lo, hi)`: `lo + (hi − lo) u` with `u = ⌊x / 2¹¹⌋ · 2⁻⁵³`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let u: f64 = self.0.random();
        lo + (hi - lo) * u
    }

    /// A standard normal draw by the Box–Muller transform,
    /// `√(−2 ln u₁) cos(2π u₂)`, using the pure-Rust `libm` so that every platform
    /// rounds identically.
    pub fn normal(&mut self) -> f64 {
        let u1: f64 = 1.0 - self.0.random::<f64>(); // in (0, 1]
        let u2: f64 = self.0.random();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
    }
}
