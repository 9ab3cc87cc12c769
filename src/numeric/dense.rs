//! Helpers dense kernels are built with: `multiversion!` compiles a function for the
//! widest vector unit the CPU has (the slice kernels of [`crate::numeric::vmath`] and
//! the RFM's column fill are), and [`par_columns`] builds a column-major matrix in
//! parallel, writing each entry once. This module holds the crate's only `unsafe`: the
//! target-feature calls and that one uninitialized buffer.

/// Defines a function whose body is compiled for the widest vector unit this CPU has,
/// chosen at run time (x86-64: AVX-512, else AVX2, else the baseline SSE2; elsewhere
/// the target's default), so that the loops in it vectorize with AVX-512 or AVX2. The
/// body must be plain IEEE arithmetic (Rust never forms an FMA), so every variant gives
/// the same bits. The function may take const generic parameters.
macro_rules! multiversion {
    (
        $(#[$attr:meta])* $vis:vis fn $name:ident
        $(<$(const $g:ident: $gt:ty),* $(,)?>)?
        ($($arg:ident: $ty:ty),* $(,)?) $body:block
    ) => {
        $(#[$attr])*
        $vis fn $name$(<$(const $g: $gt),*>)?($($arg: $ty),*) {
            #[inline(always)]
            fn imp$(<$(const $g: $gt),*>)?($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn avx512$(<$(const $g: $gt),*>)?($($arg: $ty),*) {
                    imp::<$($($g),*)?>($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2$(<$(const $g: $gt),*>)?($($arg: $ty),*) {
                    imp::<$($($g),*)?>($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU supports AVX-512F (checked just above).
                    unsafe { avx512::<$($($g),*)?>($($arg),*) }
                } else if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2 (checked just above).
                    unsafe { avx2::<$($($g),*)?>($($arg),*) }
                } else {
                    imp::<$($($g),*)?>($($arg),*)
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            imp::<$($($g),*)?>($($arg),*)
        }
    };
}
pub(crate) use multiversion;

/// A `rows × cols` column-major matrix whose column `j` is `fill(j, column)`, the
/// columns computed in parallel (rayon) into a per-thread scratch column and written to
/// the matrix once: no pass zeroes it first (for the RFM's 4 MB matrices that pass was
/// an eighth of the assembly). `fill` must write every entry of the column it is given
/// (a thread's scratch still holds its previous column). Each column is computed by one
/// call from its own data, so the result does not depend on the thread count.
pub fn par_columns(rows: usize, cols: usize, fill: impl Fn(usize, &mut [f64]) + Sync) -> Vec<f64> {
    use rayon::prelude::*;
    let len = rows * cols;
    let mut data = Vec::with_capacity(len);
    if rows > 0 {
        data.spare_capacity_mut()[..len]
            .par_chunks_mut(rows)
            .enumerate()
            .for_each_init(
                || vec![0.0; rows],
                |scratch, (j, column)| {
                    fill(j, scratch);
                    for (slot, value) in column.iter_mut().zip(scratch.iter()) {
                        slot.write(*value);
                    }
                },
            );
    }
    // SAFETY: the capacity is at least `len`, and every one of the first `len` slots
    // was written above (the chunks of `rows` cover them; with `rows = 0`, `len = 0`).
    unsafe { data.set_len(len) };
    data
}
