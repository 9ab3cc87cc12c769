// The compute side: one wasm Session, driven in slices so messages (pause, new
// settings) are handled between slices. Snapshots (the typed Snapshot of
// src/web/snapshot.rs, as a plain object) are posted at most every FRAME_MS, and
// always when a comparison finishes.
import init, { Session, installPanicHook } from './pkg/adfd.js';

const FRAME_MS = 33;   // post no faster than ~30 Hz: the page draws once per frame anyway
const SLICE_MS = 25;   // work this long before yielding to the message queue
let session = null;
let running = false;
let lastPost = 0;

function snapshot() {
  postMessage({ type: 'snapshot', snap: session.snapshot(), running });
  lastPost = performance.now();
}

function fail(e, stop = true, request = '') {
  if (stop) running = false;
  if (e instanceof WebAssembly.RuntimeError) {
    // A Rust panic: the hook already posted its message; this instance is unusable.
    postMessage({ type: 'panic', message: String(e) });
    session = null;
    return;
  }
  postMessage({ type: 'error', request, field: e.field || '', message: String(e.message || e) });
}

function loop() {
  if (!running || !session) return;
  try {
    if (session.work(SLICE_MS)) {
      running = false;
      snapshot();
      postMessage({ type: 'finished' });
      return;
    }
    if (performance.now() - lastPost >= FRAME_MS) snapshot();
  } catch (e) {
    fail(e);
    if (session) snapshot();
    return;
  }
  setTimeout(loop, 0);
}

function resume() {
  if (!running) { running = true; setTimeout(loop, 0); }
}

const handlers = {
  configure({ form }) { session.configure(JSON.stringify(form)); resume(); },
  pause() { running = false; snapshot(); },
  resume,
  step() { running = false; session.work(0); snapshot(); },
  reset() { session.reset(); resume(); },
  newSeed() { const seed = session.newSeed(); postMessage({ type: 'seed', seed }); resume(); },
  sweep() { session.sweep(); resume(); },
  // The run as the CLI's --json report and --csv table (exports).
  report() { postMessage({ type: 'report', json: session.reportJson(), csv: session.reportCsv() }); },
};

onmessage = ({ data }) => {
  if (!session) return;
  try {
    handlers[data.type](data);
    postMessage({ type: 'ok', request: data.type, running });
  } catch (e) {
    // An invalid setting changes nothing else: a running comparison keeps running.
    fail(e, false, data.type);
  }
};

(async () => {
  await init();
  installPanicHook();
  session = new Session();
  postMessage({ type: 'ready', form: session.formValues() });
  running = true;
  loop();
})().catch((e) => postMessage({ type: 'panic', message: 'could not start the worker: ' + e }));
