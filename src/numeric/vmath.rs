//! Portable, vectorizable elementary functions: `tanh`, the logistic sigmoid and their
//! Taylor coefficients over slices, giving the same bits on every target.
//!
//! **One algorithm everywhere.** Every function here is straight-line IEEE-754 `f64`
//! arithmetic (`+ − × ÷`, comparisons, selects and bit manipulation) with no call into
//! the platform's libm and no fused multiply-add (Rust never contracts `a·b + c`), so
//! the scalar path ([`tanh`]), the slice kernels ([`tanh_slice`], [`tanh_taylor`]) and
//! every instruction set they are compiled for (SSE2, AVX2 or AVX-512 natively, chosen
//! at run time; scalar or simd128 in wasm) round identically: the results are equal bit
//! for bit (tests/vmath.rs checks slice = scalar natively; tests/fixtures/parity.json
//! carries values computed through it to the wasm build). NaN in gives NaN out, but
//! IEEE 754 leaves a NaN's sign and payload to the hardware: those are not portable.
//!
//! **One exception, on purpose: the page's FMA build** (`site/pkg-relaxed`, compiled
//! with `+relaxed-simd`). There the polynomial steps written with `madd` may fuse:
//! the vectorized loops become `f64x2.relaxed_madd`, which rounds once where the CPU has
//! FMA (V8 and SpiderMonkey on x86-64 with FMA3) and twice where it has none, so that
//! build's values differ from the others' in the last bits, and its results agree with
//! theirs to a tolerance (tests/page/fma.test.mjs), not to the bit. Every other build
//! is unchanged: there `madd(a, b, c)` is `a * b + c`.
//!
//! The slice kernels are compiled for the widest vector unit the CPU has with
//! [`crate::numeric::dense`]'s `multiversion!`.
//!
//! **tanh** (the Cephes/Go algorithm, branch-free): with `a = |x|`,
//!
//! ```text
//! a < 0.625:  tanh a = a + a·a²·P(a²)/Q(a²)                  (Cephes' rational minimax, deg 2/3)
//! a ≥ 0.625:  tanh a = 1 − q,   q = 2/(e^{2a} + 1)           (e^{2a} by `exp_pos`, a clamped at 350)
//! tanh x = copysign(tanh a, x)
//! ```
//!
//! both sides are evaluated and one is selected, so the loop vectorizes; the slice
//! kernels check chunks of 8 arguments and skip the side no argument of the chunk takes
//! (same operations on the same operands, so the same bits). Within 2 ulp of
//! the correctly rounded value (tests/vmath_accuracy.rs, 10⁷ arguments against a
//! double-double reference).
//!
//! **Taylor coefficients** `S_k = σ⁽ᵏ⁾(z)/k!` of `σ = tanh`, `k ≤ 5`, as polynomials
//! in `y = tanh z` times `s = sech² z = 1 − y²`:
//!
//! ```text
//! σ' = s,  σ'' = −2ys,  σ''' = s(6y² − 2),  σ'''' = 8ys(2 − 3y²),  σ⁽⁵⁾ = s(16 − 120y² + 120y⁴)
//! ```
//!
//! where `s` is computed without cancellation: `1 − y²` for `|z| < 0.625` (`y² < 0.31`),
//! `q(2 − q)` from the `q` above otherwise (so `s ≈ 4e^{−2|z|}` keeps its relative
//! accuracy in the tails instead of rounding to 0 once `y` rounds to 1).
//!
//! **Sigmoid** `σ(z) = 1/(1 + e^{−z})`, through the pair `s = σ(z)`, `c = σ(−z) = 1 − s`,
//! each with its relative accuracy in its own tail: with `a = |z|`,
//!
//! ```text
//! e = e^{−a}                    (fdlibm's exp, scaled so that it reaches the subnormals; a ≤ 746)
//! σ(−a) = e/(1 + e),   σ(a) = 1/(1 + e)                     (no subtraction: no cancellation)
//! ```
//!
//! and its Taylor coefficients `S_k = σ⁽ᵏ⁾(z)/k!`, `k ≤ 5`, as polynomials in `g = s·c`:
//!
//! ```text
//! σ' = g,  σ'' = g(c − s),  σ''' = g(1 − 6g),  σ'''' = g(c − s)(1 − 12g),  σ⁽⁵⁾ = g(1 − 30g + 120g²)
//! ```
//!
//! so `σ' ≈ e^{−|z|}` keeps its relative accuracy in both tails.

// The constants are written with the digits of their sources (fdlibm, Cephes); each
// parses to the nearest f64, which is what the algorithm uses.
#![allow(clippy::excessive_precision)]

use crate::numeric::dense::multiversion;

/// `ln 2` split for exact argument reduction (fdlibm's `ln2HI`, whose low 32 bits are
/// zero, and `ln2LO = ln 2 − ln2HI`).
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// `1.5·2⁵²`: adding and subtracting it rounds to the nearest integer (ties to even).
const ROUND: f64 = 6_755_399_441_055_744.0;
/// fdlibm's minimax coefficients of `R(r²)` in `exp r = 1 + 2r/(R − r)`.
const E1: f64 = 1.666_666_666_666_666_574_15e-1;
const E2: f64 = -2.777_777_777_701_559_338_42e-3;
const E3: f64 = 6.613_756_321_437_934_361_17e-5;
const E4: f64 = -1.653_390_220_546_525_153_90e-6;
const E5: f64 = 4.138_136_797_057_238_460_39e-8;
/// Cephes' `tanh` rational approximation on `|x| < 0.625`.
const P0: f64 = -9.643_991_794_250_522_386_28e-1;
const P1: f64 = -9.928_772_310_019_185_865_64e1;
const P2: f64 = -1.614_687_684_417_084_479_52e3;
const Q0: f64 = 1.128_116_784_916_329_314_02e2;
const Q1: f64 = 2.235_488_390_601_004_485_83e3;
const Q2: f64 = 4.844_063_053_251_254_860_48e3;
/// Where the rational branch ends.
const SMALL: f64 = 0.625;
/// `|x|` is clamped here before `e^{2|x|}` (no overflow; `tanh` is 1 to the last bit
/// from `|x| ≈ 19.1` on; `sech²` keeps its relative accuracy up to here, ≈ 4e^{−700},
/// and is 0 beyond).
const CLAMP: f64 = 350.0;

/// fdlibm's `exp` up to its scaling: `x = k ln 2 + r`, `|r| ≤ ln2/2`, returns
/// `(eʳ, k)` with `eʳ = 1 − ((lo − r c/(2 − c)) − hi)`, `c = r − r² R(r²)` (< 1 ulp).
#[inline(always)]
fn exp_reduced(x: f64) -> (f64, f64) {
    let kf = madd(x, LOG2_E, ROUND) - ROUND;
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    // c = r − t·R(t), R by Horner's rule.
    let big_r = madd(t, madd(t, madd(t, madd(t, E5, E4), E3), E2), E1);
    let c = madd(-t, big_r, r);
    (1.0 - ((lo - (r * c) / (2.0 - c)) - hi), kf)
}

/// `a·b + c`. Rounded twice (`a·b`, then the sum) in every build but the page's
/// relaxed-SIMD one, where it may be fused (`mul_add_relaxed`, LLVM's `fmuladd`): there
/// the vectorized loops become `f64x2.relaxed_madd`, a fused multiply-add on CPUs that
/// have one, while scalar code (a loop's odd last element, the scalar [`tanh`]) stays
/// unfused, wasm having no scalar FMA. Which arguments fuse is fixed by the code and
/// the slice layout, never by the thread count, so that build too gives the same bits
/// on any number of threads.
#[inline(always)]
fn madd(a: f64, b: f64, c: f64) -> f64 {
    #[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
    {
        a.mul_add_relaxed(b, c)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "relaxed-simd")))]
    {
        a * b + c
    }
}

/// `2ᵏ` for an integral `kf` with `−1022 ≤ k ≤ 1023`, built from bits: the low
/// mantissa bits of `kf + 1023 + ROUND` hold the biased exponent.
#[inline(always)]
fn two_to(kf: f64) -> f64 {
    f64::from_bits(((kf + 1023.0) + ROUND).to_bits() << 52)
}

/// `eˣ` for `0 ≤ x ≤ 700` (fdlibm's algorithm, < 1 ulp).
#[inline(always)]
fn exp_pos(x: f64) -> f64 {
    let (y, kf) = exp_reduced(x);
    y * two_to(kf)
}

/// `e⁻ˣ` for `0 ≤ x ≤ 746`, down into the subnormals (< 1 ulp while normal):
/// `eʳ·2^{k+64}` is exact and normal, and the final `·2⁻⁶⁴` rounds at most once.
#[inline(always)]
fn exp_neg(x: f64) -> f64 {
    let (y, kf) = exp_reduced(-x);
    y * two_to(kf + 64.0) * TWO_M64
}

/// `2⁻⁶⁴`.
const TWO_M64: f64 = 5.421_010_862_427_522_170_04e-20;

/// Which of `tanh`'s two branches a kernel evaluates: both (selecting per argument),
/// or only the one every argument of a chunk takes.
const BOTH: u8 = 0;
const ONLY_SMALL: u8 = 1;
const ONLY_LARGE: u8 = 2;

/// `(tanh x, sech² x)` by the module's algorithm.
#[inline(always)]
fn tanh_sech2(x: f64) -> (f64, f64) {
    tanh_sech2_on::<BOTH>(x)
}

/// `(tanh x, sech² x)` evaluating branch set `B`: with [`ONLY_SMALL`] or [`ONLY_LARGE`]
/// the other branch is not computed at all, so `B` must be the branch `x` takes (then
/// the bits are those of [`BOTH`]: the same operations on the same operands).
#[inline(always)]
fn tanh_sech2_on<const B: u8>(x: f64) -> (f64, f64) {
    let a = abs(x);
    let large = match B {
        ONLY_SMALL => false,
        ONLY_LARGE => true,
        _ => is_large(a), // NaN: false, the small branch, which propagates it
    };
    // Small branch: the rational function a + a·z·(p/q); large: 1 − 2/(e^{2a} + 1).
    // Both quotients go through one division (selected operands), so a vector lane
    // pays for one. The branch not taken is dead code when `B` fixes `large`.
    let z = a * a;
    let p = madd(madd(P0, z, P1), z, P2);
    let q = madd(madd(z + Q0, z, Q1), z, Q2);
    let ac = if a < CLAMP { a } else { CLAMP };
    let e = exp_pos(2.0 * ac);
    let (num, den) = if large { (2.0, e + 1.0) } else { (p, q) };
    let ratio = num / den;
    let y_small = madd(a * z, ratio, a);
    let s_small = madd(-y_small, y_small, 1.0);
    let y_large = 1.0 - ratio;
    let s_large = if a < CLAMP {
        ratio * (2.0 - ratio)
    } else {
        0.0
    };
    let (y, s) = if large {
        (y_large, s_large)
    } else {
        (y_small, s_small)
    };
    (or_sign(y, x), s)
}

/// The sign bit of an `f64`.
const SIGN: u64 = 1 << 63;

/// `|x|`, by clearing the sign bit.
#[inline(always)]
fn abs(x: f64) -> f64 {
    f64::from_bits(x.to_bits() & !SIGN)
}

/// `y ≥ 0` with the sign of `x`, by OR-ing in `x`'s sign bit: the bits of
/// `y.copysign(x)` for every such `y` (`tanh |x|` is one; a NaN stays a NaN).
/// Wasm SIMD has no vector copysign, and LLVM turns the masked form of `copysign` back
/// into one, which in wasm takes each lane out of the vector and back (230
/// instructions of the tanh kernels; without them the kernel is up to 12 % faster in
/// V8).
#[inline(always)]
fn or_sign(y: f64, x: f64) -> f64 {
    f64::from_bits(y.to_bits() | (x.to_bits() & SIGN))
}

/// Whether `tanh` takes its large branch at `a = |x|` (false for NaN).
#[inline(always)]
fn is_large(a: f64) -> bool {
    a >= SMALL
}

/// `tanh x`, portable (the same bits on every target), within 2 ulp.
#[inline]
pub fn tanh(x: f64) -> f64 {
    tanh_sech2(x).0
}

/// `a` is clamped here: `e⁻ᵃ` has rounded to 0 by then.
const SIGMOID_CLAMP: f64 = 746.0;

/// `(σ(x), σ(−x))` of the logistic sigmoid by the module's algorithm.
#[inline(always)]
fn sigmoid_pair(x: f64) -> (f64, f64) {
    let a = abs(x);
    // NaN compares false: it is not clamped, and propagates.
    let a = if a > SIGMOID_CLAMP { SIGMOID_CLAMP } else { a };
    let e = exp_neg(a);
    let d = 1.0 + e;
    let (u, v) = (e / d, 1.0 / d); // σ(−|x|), σ(|x|)
    if x < 0.0 {
        (u, v)
    } else {
        (v, u)
    }
}

/// `σ(x) = 1/(1 + e^{−x})`, portable (the same bits on every target), within 2 ulp.
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    sigmoid_pair(x).0
}

/// The Taylor coefficient `S_K = σ⁽ᴷ⁾(z)/K!` (`K ≤ 5`) of the sigmoid from
/// `s = σ(z)`, `c = σ(−z)`, `g = s·c`.
#[inline(always)]
fn sigmoid_coefficient<const K: usize>(s: f64, c: f64) -> f64 {
    let g = s * c;
    match K {
        0 => s,
        1 => g,
        // g(c − s) / 2
        2 => g * (c - s) * 0.5,
        // g(1 − 6g) / 6
        3 => g * (1.0 / 6.0 - g),
        // g(c − s)(1 − 12g) / 24
        4 => g * (c - s) * (1.0 / 24.0 - 0.5 * g),
        // g(1 − 30g + 120g²) / 120
        _ => g * ((g - 0.25) * g + 1.0 / 120.0),
    }
}

/// The Taylor coefficient `S_K = tanh⁽ᴷ⁾(z)/K!` (`K ≤ 5`) from `y = tanh z`, `s = sech² z`.
#[inline(always)]
fn coefficient<const K: usize>(y: f64, s: f64) -> f64 {
    let y2 = y * y;
    match K {
        0 => y,
        1 => s,
        // −2ys / 2
        2 => -(y * s),
        // s(6y² − 2) / 6
        3 => s * (y2 - 1.0 / 3.0),
        // 8ys(2 − 3y²) / 24
        4 => y * s * (2.0 - 3.0 * y2) * (1.0 / 3.0),
        // s(16 − 120y² + 120y⁴) / 120
        _ => s * madd(y2 - 1.0, y2, 2.0 / 15.0),
    }
}

/// The highest Taylor order [`tanh_taylor`] provides.
pub const MAX_ORDER: usize = 5;

/// `S_k = tanh⁽ᵏ⁾(z)/k!` of one argument, `k ≤ MAX_ORDER`: the scalar reference of
/// [`tanh_taylor`] (equal bit for bit).
pub fn tanh_taylor_scalar(k: usize, z: f64) -> f64 {
    taylor_scalar::<TANH>(k, z)
}

/// `S_k` of function `F` at one argument, by the slice kernels' own arithmetic.
fn taylor_scalar<const F: u8>(k: usize, z: f64) -> f64 {
    match k {
        0 => coefficients::<F, 0, 0>(z).0,
        1 => coefficients::<F, 1, 1>(z).0,
        2 => coefficients::<F, 2, 2>(z).0,
        3 => coefficients::<F, 3, 3>(z).0,
        4 => coefficients::<F, 4, 4>(z).0,
        _ => coefficients::<F, 5, 5>(z).0,
    }
}

/// Which function a slice kernel evaluates.
const TANH: u8 = 0;
const SIGMOID: u8 = 1;

/// The Taylor coefficients `S_K` (and `S_K1`) of function `F` at `z` (for tanh, with
/// branch set `B`).
#[inline(always)]
fn coefficients<const F: u8, const K: usize, const K1: usize>(z: f64) -> (f64, f64) {
    coefficients_on::<F, K, K1, BOTH>(z)
}

#[inline(always)]
fn coefficients_on<const F: u8, const K: usize, const K1: usize, const B: u8>(
    z: f64,
) -> (f64, f64) {
    if F == TANH {
        let (y, s) = tanh_sech2_on::<B>(z);
        (coefficient::<K>(y, s), coefficient::<K1>(y, s))
    } else {
        let (s, c) = sigmoid_pair(z);
        (
            sigmoid_coefficient::<K>(s, c),
            sigmoid_coefficient::<K1>(s, c),
        )
    }
}

/// Arguments per chunk whose branches are checked together: one AVX-512 vector.
const CHUNK: usize = 8;

multiversion! {
    /// `a_i = S_K(z_i)` (and `b_i = S_K1(z_i)` when `TWO`). For tanh, the arguments go in
    /// chunks of [`CHUNK`]: a chunk whose arguments all take the same branch evaluates only
    /// that one (the inputs of a ridge function along sorted points mostly do), a mixed
    /// chunk evaluates both and selects, giving the same bits either way.
    ///
    /// Compiled for the widest vector unit (see `multiversion!` in [`crate::numeric::dense`]): AVX-512's 8 lanes
    /// and 32 registers (no constants reloaded in the loop) evaluate `tanh` ~1.4×
    /// faster than AVX2 here.
    fn kernel<const F: u8, const K: usize, const K1: usize, const TWO: bool>(
        z: &[f64],
        a: &mut [f64],
        b: &mut [f64],
    ) {
        let n = if TWO {
            z.len().min(a.len()).min(b.len())
        } else {
            z.len().min(a.len())
        };
        let mut start = 0;
        if F == TANH {
            while start + CHUNK <= n {
                let end = start + CHUNK;
                let (mut small, mut large) = (false, false);
                for &x in &z[start..end] {
                    let l = is_large(abs(x));
                    large |= l;
                    small |= !l;
                }
                let b = if TWO { &mut b[start..end] } else { &mut [][..] };
                let (z, a) = (&z[start..end], &mut a[start..end]);
                match (small, large) {
                    (true, false) => run::<F, K, K1, TWO, ONLY_SMALL>(z, a, b),
                    (false, true) => run::<F, K, K1, TWO, ONLY_LARGE>(z, a, b),
                    _ => run::<F, K, K1, TWO, BOTH>(z, a, b),
                }
                start = end;
            }
        }
        let b = if TWO { &mut b[start..n] } else { &mut [][..] };
        run::<F, K, K1, TWO, BOTH>(&z[start..n], &mut a[start..n], b);
    }
}

/// [`kernel`]'s loop over one run of arguments, with branch set `B`.
#[inline(always)]
fn run<const F: u8, const K: usize, const K1: usize, const TWO: bool, const B: u8>(
    z: &[f64],
    a: &mut [f64],
    b: &mut [f64],
) {
    if TWO {
        let n = z.len().min(a.len()).min(b.len());
        let (z, a, b) = (&z[..n], &mut a[..n], &mut b[..n]);
        for i in 0..n {
            (a[i], b[i]) = coefficients_on::<F, K, K1, B>(z[i]);
        }
    } else {
        for (ai, zi) in a.iter_mut().zip(z) {
            *ai = coefficients_on::<F, K, K1, B>(*zi).0;
        }
    }
}

/// `out_i = tanh z_i` over a slice (vectorized; equal bit for bit to [`tanh`]).
pub fn tanh_slice(z: &[f64], out: &mut [f64]) {
    kernel::<{ TANH }, 0, 1, false>(z, out, &mut [])
}

/// `out_i = S_k(z_i) = tanh⁽ᵏ⁾(z_i)/k!` over a slice, `k ≤ MAX_ORDER` (larger `k` are
/// clamped to it); with `next = Some(o)` also `o_i = S_{k+1}(z_i)` (then `k < MAX_ORDER`),
/// from one evaluation of `tanh`. Equal bit for bit to [`tanh_taylor_scalar`].
pub fn tanh_taylor(k: usize, z: &[f64], out: &mut [f64], next: Option<&mut [f64]>) {
    taylor::<TANH>(k, z, out, next)
}

/// `S_k = σ⁽ᵏ⁾(z)/k!` of the sigmoid at one argument, `k ≤ MAX_ORDER`: the scalar
/// reference of [`sigmoid_taylor`] (equal bit for bit).
pub fn sigmoid_taylor_scalar(k: usize, z: f64) -> f64 {
    taylor_scalar::<SIGMOID>(k, z)
}

/// `out_i = σ(z_i)` over a slice (vectorized; equal bit for bit to [`sigmoid`]).
pub fn sigmoid_slice(z: &[f64], out: &mut [f64]) {
    kernel::<{ SIGMOID }, 0, 1, false>(z, out, &mut [])
}

/// `out_i = S_k(z_i) = σ⁽ᵏ⁾(z_i)/k!` of the sigmoid over a slice, as [`tanh_taylor`]
/// is for `tanh`. Equal bit for bit to [`sigmoid_taylor_scalar`].
pub fn sigmoid_taylor(k: usize, z: &[f64], out: &mut [f64], next: Option<&mut [f64]>) {
    taylor::<SIGMOID>(k, z, out, next)
}

/// The Taylor kernels of function `F` (see [`tanh_taylor`]).
fn taylor<const F: u8>(k: usize, z: &[f64], out: &mut [f64], next: Option<&mut [f64]>) {
    match next {
        None => match k {
            0 => kernel::<F, 0, 1, false>(z, out, &mut []),
            1 => kernel::<F, 1, 2, false>(z, out, &mut []),
            2 => kernel::<F, 2, 3, false>(z, out, &mut []),
            3 => kernel::<F, 3, 4, false>(z, out, &mut []),
            4 => kernel::<F, 4, 5, false>(z, out, &mut []),
            _ => kernel::<F, 5, 5, false>(z, out, &mut []),
        },
        Some(o) => match k {
            0 => kernel::<F, 0, 1, true>(z, out, o),
            1 => kernel::<F, 1, 2, true>(z, out, o),
            2 => kernel::<F, 2, 3, true>(z, out, o),
            3 => kernel::<F, 3, 4, true>(z, out, o),
            _ => kernel::<F, 4, 5, true>(z, out, o),
        },
    }
}
