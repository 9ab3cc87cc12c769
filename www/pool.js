// The threaded build's pool of Web Workers, started here in the page's main thread at
// the request of the page's worker (www/rayon/workerHelpers.js says why not there).
// Each pool worker gets the wasm module, the shared memory and its rayon receiver;
// once all say ready the page's worker is told, and only then builds rayon's pool.
// The pool lives and dies with the worker that asked for it: `stop()` before that
// worker is replaced.

let workers = [];

/** True for the page worker's request for a pool (a `wasm_bindgen_pool` message). */
export const isRequest = (data) => data?.type === 'wasm_bindgen_pool';

/**
 * Starts `request.count` pool workers of `request.script`, each sent `request.init`,
 * and answers `owner` with `wasm_bindgen_pool_ready` once all are ready, or with
 * `{ error }` naming the first one that failed to load.
 */
export async function start(owner, { script, count, init }) {
  const started = Array.from({ length: count }, () => new Worker(script, { type: 'module' }));
  workers.push(...started);
  try {
    await Promise.all(started.map((w, i) => new Promise((resolve, reject) => {
      w.addEventListener('message', ({ data }) => { if (data?.type === 'wasm_bindgen_worker_ready') resolve(); });
      w.addEventListener('error', (e) => reject(new Error(`pool worker ${i + 1} of ${count} failed to load (${e.message || 'no message'})`)));
      w.postMessage(init);
    })));
    owner.postMessage({ type: 'wasm_bindgen_pool_ready' });
  } catch (e) {
    owner.postMessage({ type: 'wasm_bindgen_pool_ready', error: e.message });
  }
}

/** Terminates every pool worker (their owner is being replaced). */
export function stop() {
  for (const w of workers) w.terminate();
  workers = [];
}
