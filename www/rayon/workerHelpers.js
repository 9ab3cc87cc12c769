// adfd's replacement for wasm-bindgen-rayon's workerHelpers.js (scripts/build-site
// copies it over the crate's snippet in site/pkg-threads, after checking that the
// snippet still has the contract below). Same contract, one change: the pool's Web
// Workers are started by the page's main thread (www/pool.js), not by the worker that
// calls initThreadPool.
//
// Why: in Firefox, `new Worker()` inside a worker waits synchronously for the main
// thread, and sometimes that wait did not end: the worker hung inside the constructor,
// no pool worker was even fetched, and the page fell back to the single-threaded build
// after 15 s. Measured here in headless Firefox 153: 18 of about 240 page loads hung
// so (with and without the test driver's event subscriptions); with the workers
// started from the page, none of 88 did.
//
// The contract with wasm-bindgen-rayon's Rust side:
// - `startWorkers(module, memory, builder)` is called by `initThreadPool(n)` in the
//   page's worker. It must start `builder.numThreads()` workers that each instantiate
//   `module` on the shared `memory` and call `wbg_rayon_start_worker(receiver)`, then
//   call `builder.build()` once all of them are ready.
// - This file is also each pool worker's script: a pool worker waits for its
//   `wasm_bindgen_worker_init` message, then does exactly that.

function waitForMsgType(target, type) {
  return new Promise((resolve) => {
    target.addEventListener('message', function onMsg({ data }) {
      if (data?.type !== type) return;
      target.removeEventListener('message', onMsg);
      resolve(data);
    });
  });
}

// In a pool worker: instantiate the package on the shared memory, say so, then serve
// rayon (this call does not return). In the page's worker, which imports this module
// too, no such message ever comes.
waitForMsgType(self, 'wasm_bindgen_worker_init').then(async ({ init, receiver }) => {
  const pkg = await import('../../../adfd.js');
  await pkg.default(init);
  postMessage({ type: 'wasm_bindgen_worker_ready' });
  pkg.wbg_rayon_start_worker(receiver);
});

// In the page's worker: asks the page for the pool (www/pool.js answers with
// `wasm_bindgen_pool_ready`, or with an `error` when a pool worker failed to load or
// panicked while starting).
export async function startWorkers(module, memory, builder) {
  if (builder.numThreads() === 0) throw new Error('num_threads must be > 0.');
  const answer = waitForMsgType(self, 'wasm_bindgen_pool_ready');
  postMessage({
    type: 'wasm_bindgen_pool',
    script: new URL('./workerHelpers.js', import.meta.url).href,
    count: builder.numThreads(),
    init: { type: 'wasm_bindgen_worker_init', init: { module_or_path: module, memory }, receiver: builder.receiver() },
  });
  const { error } = await answer;
  if (error) throw new Error(error);
  builder.build();
}
