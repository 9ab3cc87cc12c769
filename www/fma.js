// Whether this browser runs relaxed SIMD, the wasm feature that holds
// `f64x2.relaxed_madd` (a fused multiply-add where the CPU has one): Chrome ≥ 114,
// Firefox ≥ 145. The page's third build (site/pkg-relaxed/, scripts/build-site) uses it,
// and a browser without it rejects that whole module (shipping Safari does), so
// www/worker.js loads it only when this says yes.
//
// The test: does the engine accept a tiny module whose one function is
// `(func (param v128 v128 v128) (result v128) (f64x2.relaxed_madd (local.get 0)
// (local.get 1) (local.get 2)))`? `WebAssembly.validate` compiles nothing and runs
// nothing; a browser without relaxed SIMD (or without SIMD) says false.
const RELAXED_MADD = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x0d, 0x01, 0x0b, 0x00, // code: one body of 11 bytes, no locals
  0x20, 0x00, 0x20, 0x01, 0x20, 0x02, // local.get 0, 1, 2
  0xfd, 0x87, 0x02, // f64x2.relaxed_madd (0xfd 263)
  0x0b, // end
]);

/** True if this browser's WebAssembly has relaxed SIMD (`f64x2.relaxed_madd`). */
export function hasRelaxedSimd() {
  try {
    return WebAssembly.validate(RELAXED_MADD);
  } catch {
    return false;
  }
}
