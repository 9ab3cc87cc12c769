// The compute side: one wasm Session, driven in slices so messages (pause, new
// settings) are handled between slices. A new worker is idle until the page sends its
// settings (`configure`), so nothing but the page's own settings ever runs here.
// Snapshots (the typed Snapshot of src/web/snapshot.rs, as a plain object, carrying
// the generation of the settings they belong to) are posted at most every POST_MS,
// and always when a comparison finishes. Every reply to a request carries the
// current generation too.
// Two builds of the same Rust (scripts/build-site): pkg-threads runs rayon on a pool of
// Web Workers (wasm-bindgen-rayon), which needs SharedArrayBuffer, which browsers give
// only to a cross-origin-isolated page (COOP/COEP headers from adfd's servers, or the
// coi-sw.js service worker on a static host); pkg runs on this worker's thread alone.
// Results are the same bits either way. The page's `?threads=N` asks for N threads,
// `?threads=off` for the single-threaded build.
// A third build, pkg-relaxed, is pkg-threads compiled with relaxed SIMD: faer's kernels
// and the tanh kernel fuse their multiply-adds (f64x2.relaxed_madd). It runs where the
// browser has relaxed SIMD (www/fma.js asks) and threads run, unless the page says
// `?fma=off`. FMA rounds once where mul-then-add rounds twice, so its results agree
// with the other builds' (and native's) to a tolerance, not to the bit
// (tests/page/fma.test.mjs); on any thread count they are the same bits.
import { hasRelaxedSimd } from './fma.js';

let Session, machineRates;

const POST_MS = 33;   // post no faster than ~30 Hz: the page draws once per frame anyway
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
    // A Rust panic or an allocation wasm32 could not grow to: the hook may already
    // have posted its message; this instance is unusable either way.
    postMessage({ type: 'panic', message: String(e) });
    session = null;
    return;
  }
  postMessage({ type: 'error', request, field: e.field || '', message: String(e.message || e), generation: session.generation() });
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
    if (performance.now() - lastPost >= POST_MS) snapshot();
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

// Stops working and shows where things are; posted after the reply to the request,
// which tells the page the generation this snapshot belongs to.
function hold() {
  running = false;
  setTimeout(() => { if (session && !running) snapshot(); }, 0);
}

const handlers = {
  // `run: false` applies the settings and waits (a heavy link, a stopped page).
  configure({ form, run = true }) { session.configure(JSON.stringify(form)); if (run) resume(); else hold(); },
  pause: hold,
  resume,
  step() { running = false; session.work(0); snapshot(); },
  reset() { session.reset(); resume(); },
  newSeed() { const seed = session.newSeed(); postMessage({ type: 'seed', seed }); resume(); },
  sweep() { session.sweep(); resume(); },
  // This machine's speed for the page's budget (src/experiment/budget.rs Rates::measure, 0.5–1.2 s),
  // asked once per page: not at start, so the first result is not delayed by it.
  rates() { postMessage({ type: 'rates', rates: machineRates() }); },
  // The settings this worker runs (cheap: sets nothing up).
  config() { postMessage({ type: 'config', json: session.configJson() }); },
  // The run as the CLI's --json report and --csv table (exports).
  report() { postMessage({ type: 'report', json: session.reportJson(), csv: session.reportCsv() }); },
};

onmessage = ({ data }) => {
  if (!session) return;
  try {
    handlers[data.type](data);
    postMessage({ type: 'ok', request: data.type, running, generation: session.generation() });
  } catch (e) {
    // An invalid setting changes nothing else: a running comparison keeps running.
    fail(e, false, data.type);
  }
};

// Loads the build to run and starts its threads: `{ count, build, note, fma }` for the
// status line and the tests: `build` is 'threaded+fma' (pkg-relaxed), 'threaded' or
// 'single'; `note` says why it is single-threaded, `fma` why it runs without FMA, when
// it does.
async function load() {
  const params = new URL(import.meta.url).searchParams;
  const asked = params.get('threads');
  // By default one core is left to the page (drawing, input): the pool's threads are
  // busy for whole units of work, and a page that shares every core stutters.
  const cores = navigator.hardwareConcurrency || 1;
  const want = Math.min(Math.max(Math.floor(Number(asked)) || cores - 1, 1), 16);
  let note = '';
  let fma = 'the FMA build runs threaded only';
  if (asked === 'off') note = 'the link asks for the single-threaded build: ?threads=off';
  else if (!self.crossOriginIsolated || typeof SharedArrayBuffer !== 'function') {
    note = 'this page is not cross-origin isolated, so it has no shared memory for threads';
  } else if (!asked && want < 2) {
    // One pool thread gains nothing over the single-threaded build and costs a thread
    // that waits on it: with two cores or fewer the page runs single-threaded.
    note = `${cores} cores, one left to the page (?threads=N asks for N)`;
  } else {
    if (params.get('fma') === 'off') fma = 'the link asks for the build without FMA: ?fma=off';
    else if (!hasRelaxedSimd()) fma = 'this browser has no relaxed SIMD';
    else fma = '';
    // The FMA build first where it can run; if it does not start, the plain threaded
    // one (saying why), and if that does not either, the single-threaded one.
    const builds = [...(fma ? [] : [['threaded+fma', './pkg-relaxed/adfd.js']]), ['threaded', './pkg-threads/adfd.js']];
    for (const [build, path] of builds) {
      try {
        const pkg = await import(path);
        await pkg.default();
        await pkg.initThreadPool(want);
        return { pkg, threads: { count: pkg.threadCount(), build, note, fma } };
      } catch (e) {
        if (build === 'threaded+fma') fma = `the FMA build did not start (${e?.message || e})`;
        else note = `the threaded build did not start (${e?.message || e})`;
      }
    }
  }
  const pkg = await import('./pkg/adfd.js');
  await pkg.default();
  return { pkg, threads: { count: 1, build: 'single', note, fma } };
}

(async () => {
  const { pkg, threads } = await load();
  ({ Session, machineRates } = pkg);
  pkg.installPanicHook();
  session = new Session();
  postMessage({ type: 'ready', form: session.formValues(), threads });
})().catch((e) => postMessage({ type: 'panic', message: 'could not start the worker: ' + e }));
