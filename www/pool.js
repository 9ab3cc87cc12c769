// The threaded build's pool of Web Workers, started here in the page's main thread at
// the request of the page's worker (www/rayon/workerHelpers.js says why not there).
// Each pool worker gets the wasm module, the shared memory and its rayon receiver;
// once all say ready the page's worker is told, and only then builds rayon's pool.
// The pool lives and dies with the worker that asked for it: `stop()` before that
// worker is replaced, and a crash in the pool is the owner's crash.

let workers = [];

/** True for the page worker's request for a pool (a `wasm_bindgen_pool` message). */
export const isRequest = (data) => data?.type === 'wasm_bindgen_pool';

/**
 * Starts `request.count` pool workers of `request.script`, each sent `request.init`,
 * and answers `owner` with `wasm_bindgen_pool_ready` once all are ready, or with
 * `{ error }` naming the first one that failed to load or panicked while starting
 * (the owner then runs single-threaded, saying why; the started workers are ended).
 * Once running, a pool thread that panics (adfd's panic hook posts `{ type: 'panic',
 * message }` to the thread's parent, this page) or dies (an uncaught error: a trap)
 * leaves its job unfinished and the owner waiting for it forever: `onCrash(message)`
 * is called, once, so that the page replaces the owner as it does when the owner
 * itself crashes.
 */
export async function start(owner, { script, count, init }, onCrash) {
  const started = Array.from({ length: count }, () => new Worker(script, { type: 'module' }));
  workers.push(...started);
  let running = false;
  let crashed = false;
  const crash = (message) => {
    if (!crashed) onCrash(message);
    crashed = true;
  };
  try {
    await Promise.all(started.map((w, i) => new Promise((resolve, reject) => {
      w.addEventListener('message', ({ data }) => {
        if (data?.type === 'wasm_bindgen_worker_ready') resolve();
        else if (data?.type === 'panic' && running) crash(data.message);
        else if (data?.type === 'panic') reject(new Error(data.message));
      });
      w.addEventListener('error', (e) => {
        const what = e.message || 'no message';
        if (running) crash(`a thread of the pool stopped: ${what}`);
        else reject(new Error(`pool worker ${i + 1} of ${count} failed to load (${what})`));
      });
      w.postMessage(init);
    })));
    running = true;
    owner.postMessage({ type: 'wasm_bindgen_pool_ready' });
  } catch (e) {
    // The workers already started would sit blocked in rayon's start until the next
    // stop(): they go now.
    for (const w of started) w.terminate();
    workers = workers.filter((w) => !started.includes(w));
    owner.postMessage({ type: 'wasm_bindgen_pool_ready', error: e.message });
  }
}

/** Terminates every pool worker (their owner is being replaced). */
export function stop() {
  for (const w of workers) w.terminate();
  workers = [];
}
