// The page: starts the worker (all numerics) and the charts (all drawing), wires the
// buttons and settings, and shows errors beside their controls. window.adfd exposes
// the state for the page test and the benchmarks.
import init, { installPanicHook, controlSchema, defaultsFor, estimateOf } from './pkg/adfd.js';
import * as controls from './controls.js';
import * as view from './view.js';
import * as lessons from './lessons.js';
import * as share from './share.js';
import { annotate } from './explain.js';
import { ensureIsolation } from './isolation.js';
import * as claims from './claims.js';
import * as pool from './pool.js';

const t0 = performance.now();
const status = document.getElementById('status');
const announcer = document.getElementById('announce');
const runButton = document.getElementById('run');
const budgetNote = document.getElementById('budget-note');
const state = { ready: false, running: false, finished: false, lastSnap: null, errors: [], panics: [], acks: {},
  lastReport: null, generation: null, awaiting: 0, editing: false, rates: null, estimate: null, held: false, stopped: false, announced: [], threads: null };
window.adfd = { state, stats: view.stats, t0, send: (m) => send(m) };
let worker;
let workerReady = false;
let built;  // resolves once the controls exist (built from the schema in the main thread's wasm)
// Requests sent and not yet answered, oldest first: the worker answers in order.
let inflight = [];
// Crashes of a worker on each settings (their JSON): twice on the same, it stays stopped.
const crashes = new Map();
// The heaviest run the visitor chose to run anyway: lighter ones then run unasked.
let confirmed = { bytes: 0, seconds: 0 };
// Controls set by hand or by the current link: a change of problem or precision moves
// every other setting to adfd's defaults for the new pair, and leaves these alone.
let touched = new Set();
// A request unanswered this long means the worker is inside one long step (a huge
// setting, say): it is replaced by a fresh one with the settings the controls show.
const STUCK_MS = 3000;
// The settings waiting for this machine's rates before the page decides whether to
// hold them (see apply), and whether the worker is measuring them now.
let pendingApply = null;
let measuring = false;
// A link's sweep (`run=sweep`) whose settings are held: Run starts it.
let heldSweep = false;
// Requests that replace the comparison, so snapshots of the old one are stale.
const NEW_GENERATION = new Set(['configure', 'reset', 'newSeed']);

// The status line, from the snapshot's fields (src/web/snapshot.rs). Updated with
// every snapshot, so it is not a live region; `announce` speaks state changes only.
function describe(snap) {
  const net = snap.model === 'network';
  const parts = [snap.problem, net ? 'network' : 'RFM', `seed ${snap.seed}`];
  const { done, total } = snap.progress;
  if (total) parts.push(`${net ? 'step' : 'run'} ${done}/${total}`);
  if (snap.training) parts.push(`${snap.training.optimizer}, lr ${snap.training.lr.toExponential(2)}`);
  if (snap.msPerStep !== undefined) parts.push(`${snap.msPerStep.toFixed(net ? 1 : 0)} ms per ${net ? 'step (all runs)' : 'run'}`);
  if (snap.sweep) parts.push(`sweep ${snap.sweep.progress.done}/${snap.sweep.progress.total}`);
  const frames = view.stats.frames;
  if (frames.length) parts.push(`drawn in ${frames[frames.length - 1].toFixed(0)} ms`);
  if (state.threads) parts.push(threadsText(state.threads));
  parts.push(phase(snap));
  status.textContent = parts.join(' · ');
  announce(`${snap.problem} ${net ? 'network' : 'RFM'}: ${phase(snap)}`);
}

// How the worker computes: "4 threads", "4 threads + FMA" (the relaxed-SIMD build), or
// "1 thread (…why…)".
function threadsText({ count, build, note }) {
  if (build === 'threaded') return `${count} thread${count === 1 ? '' : 's'}`;
  if (build === 'threaded+fma') return `${count} thread${count === 1 ? '' : 's'} + FMA`;
  return `1 thread (${note})`;
}

function phase(snap) {
  if (snap.finished) return 'done';
  if (state.running) return snap.setUp ? 'running…' : 'setting up…';
  if (state.stopped) return 'stopped';
  return state.held ? 'waiting: press Run to start' : 'paused';
}

// The screen reader's live region: says a state once, when it changes.
function announce(text) {
  if (announcer.textContent === text) return;
  announcer.textContent = text;
  state.announced.push(text);
}

function setRunning(on) {
  state.running = on;
  if (on) { state.held = false; state.stopped = false; budgetNote.hidden = true; }
  runButton.textContent = on ? 'Pause' : 'Run';
}

// Sends a request to the worker once it is ready (earlier clicks are dropped: the
// worker takes the controls' settings when it starts).
function send(msg) {
  if (!workerReady) return false;
  inflight.push({ type: msg.type, at: performance.now() });
  if (NEW_GENERATION.has(msg.type)) state.awaiting++;
  worker.postMessage(msg);
  return true;
}

// A reply ('ok' or 'error') to the oldest request: once no settings change is
// outstanding, snapshots of the worker's generation are the ones to draw.
function answered(data) {
  const request = inflight.shift();
  if (request && NEW_GENERATION.has(request.type)) state.awaiting = Math.max(0, state.awaiting - 1);
  if (state.awaiting === 0 && data.generation !== undefined) state.generation = data.generation;
}

function onMessage({ data }) {
  switch (data.type) {
    case 'ready':
      workerReady = true;
      clearTimeout(startTimer);
      state.threads = fellBack ? { ...data.threads, note: fellBack } : data.threads;
      if (!state.ready) {
        // First start: the settings in the URL over adfd's defaults for their problem;
        // with none, the first lesson (a network training live), so the first visit
        // shows training in real time. An in-page anchor (#about) keeps its place.
        state.ready = true;
        state.defaults = controls.defaults();
        if (controls.isSettingsLink(location.hash)) loadLink();
        else if (location.hash.length <= 1) loadLink(lessons.link(lessons.LESSONS[0]));
        else {
          controls.write(state.defaults);
          apply({ restart: true, keepHash: true });
        }
      } else {
        // A replaced worker takes the settings the controls show now.
        apply({ restart: true });
      }
      break;
    case 'snapshot':
      // Stale numbers are never drawn under new settings: only the generation the
      // worker confirmed for the settings sent last.
      if (state.editing || state.awaiting > 0 || data.snap.generation !== state.generation) break;
      state.lastSnap = data.snap;
      state.finished = data.snap.finished;
      setRunning(data.running);
      view.show(data.snap);
      if (data.snap.error) document.getElementById('general-error').textContent = data.snap.error;
      describe(data.snap);
      break;
    case 'finished':
      setRunning(false);
      measureRates();  // idle now: the next settings' estimate is then exact
      break;
    case 'rates': {
      state.rates = data.rates;
      measuring = false;
      const waiting = pendingApply;
      pendingApply = null;
      if (waiting) apply(waiting);
      break;
    }
    case 'ok':
      answered(data);
      // While newer settings are on their way, an older request's answer says whether
      // the old run was running: theirs will say what counts.
      if (state.awaiting === 0) setRunning(data.running);
      state.acks[data.request] = (state.acks[data.request] || 0) + 1;
      if (data.request === 'configure') {
        controls.clearErrors({ keepGeneral: true });
        // A link's sweep starts with it, or, when its settings are held, on Run.
        if (state.linkPending && state.linkAction === 'sweep') {
          if (state.held) heldSweep = true;
          else send({ type: 'sweep' });
        }
        state.linkPending = false;
        state.linkAction = null;
      }
      break;
    case 'report': state.lastReport = data; share.onReport(data); break;
    case 'config': state.lastConfig = JSON.parse(data.json); break;
    case 'seed': controls.write({ seed: String(data.seed) }); controls.toHash(controls.read()); break;
    case 'error':
      answered(data);
      state.errors.push(data);
      if (data.request === 'configure' && state.linkPending) {
        // A link with a rejected value: say why, show the defaults, and run what the
        // controls now show (the worker still holds the settings before the link).
        state.linkPending = false;
        state.linkAction = null;
        controls.clearErrors();
        controls.write(state.defaults);
        apply({ restart: true });
        linkMessage([`This link's ${data.field || 'settings'} was rejected: ${data.message}. The defaults are used instead.`]);
      } else {
        controls.showError(data.field, data.message);
      }
      break;
    case 'panic': {
      state.panics.push(data.message);
      const settings = JSON.stringify(controls.read());
      const count = (crashes.get(settings) || 0) + 1;
      crashes.set(settings, count);
      const again = count >= 2;
      document.getElementById('general-error').textContent = again
        ? `The computation crashed again on these settings (${data.message}). It is stopped and will not restart by itself: change a setting, or press Run to try once more.`
        : `The computation crashed (${data.message}). It was restarted with the settings shown.`;
      state.stopped = again;
      startWorker();
      break;
    }
  }
}

// Sends the controls' settings to the worker. A run estimated above a gigabyte or a
// minute here (src/budget.rs) is applied but held: the page says what it needs and
// waits for Run. A stopped page holds any settings until Run.
function apply({ restart = false, keepHash = false } = {}) {
  heldSweep = false;
  if (!restart) document.getElementById('general-error').textContent = '';
  const form = controls.read();
  if (!keepHash) controls.toHash(form);
  const estimate = estimateOf(JSON.stringify(form), state.rates);
  if (estimate?.heavy && estimate.provisional) {
    // Heavy on a slow machine (src/budget.rs Rates::SLOW): measure this one before
    // deciding; the settings are applied when the rates arrive (0.5–1.2 s).
    pendingApply = { restart, keepHash: true };
    measureRates();
    status.textContent = 'measuring this machine\'s speed to estimate these settings…';
    return;
  }
  state.estimate = estimate;
  const heavy = Boolean(estimate?.heavy && (estimate.bytes > confirmed.bytes || !(estimate.seconds <= confirmed.seconds)));
  const hold = heavy || state.stopped;
  state.held = hold;
  budgetNote.hidden = !heavy;
  if (heavy) {
    document.getElementById('budget-text').textContent =
      `This run needs ${estimate.summary}, so it waits for you (adfd asks above 1 GB or a minute).`;
  }
  state.editing = false;
  send({ type: 'configure', form, run: !hold });
  if (hold) setRunning(false);
}

// Asks the worker to measure this machine's rates (src/budget.rs Rates::measure),
// once: when a decision first depends on them, or when the first run is done.
function measureRates() {
  if (state.rates || measuring) return;
  measuring = send({ type: 'rates' });
}

// Run (or "Run anyway"): a heavy run the visitor starts is confirmed, and lighter ones
// after it are not held.
function run() {
  const e = state.estimate;
  if (e?.heavy) confirmed = { bytes: Math.max(confirmed.bytes, e.bytes), seconds: Math.max(confirmed.seconds, e.seconds) };
  state.stopped = false;
  state.held = false;
  budgetNote.hidden = true;
  send({ type: heldSweep ? 'sweep' : 'resume' });
  heldSweep = false;
}

// Stop: whatever the worker is doing, it is terminated at once and a fresh one takes
// its place, idle, with the settings kept.
function stop() {
  state.stopped = true;
  setRunning(false);
  startWorker();
  announce('stopped: the computation was abandoned; the settings are kept — press Run to start again');
  status.textContent = 'stopped · the settings are kept · press Run to start again';
}

// Requests unanswered for STUCK_MS: the worker is stuck inside one long step. A stuck
// pause or step leaves the page stopped; anything else restarts with the controls.
function watchdog() {
  // 'rates' is bounded work (two small reference runs), and a worker replaced during it
  // would be asked again: never a reason to replace it.
  const old = inflight.find((r) => !['report', 'config', 'rates'].includes(r.type) && performance.now() - r.at > STUCK_MS);
  if (!old) return;
  if (old.type === 'pause' || old.type === 'step') state.stopped = true;
  status.textContent = `the computation did not answer "${old.type}" within ${STUCK_MS / 1000} s; it was replaced by a fresh one`;
  startWorker();
}

// Settings from the URL hash (a shared link or a lesson): checked, written into the
// controls over the defaults, then sent to the worker, which validates every value.
function loadLink(hash = location.hash) {
  const link = controls.readLink(hash);
  controls.cancelChange();
  controls.unlockAll();
  controls.clearErrors();
  state.defaults = defaultsFor(link.values.problem ?? '', link.values.precision ?? '', link.values.model ?? '');
  touched = new Set(Object.keys(link.values));
  document.getElementById('defaults-note').textContent = '';
  controls.write({ ...state.defaults, ...link.values });
  linkMessage(link.problems);
  state.linkPending = true;
  state.linkAction = link.action;
  apply({ restart: true });
}

// A hand-made change: remember the control; after a change of problem, precision or
// model, move the untouched settings to adfd's defaults for the new choice and say so.
function onControlChange(e) {
  const key = (e.target.name || '').replace(/_slider$/, '');
  if (!key) return;
  // The controls no longer show what the worker runs: draw nothing until the
  // settings are sent (after the debounce) and the worker has answered.
  state.editing = true;
  touched.add(key);
  if (!['problem', 'precision', 'model'].includes(key)) return;
  const now = controls.read();
  const d = defaultsFor(now.problem, now.precision, now.model);
  const moved = Object.keys(d).filter((k) => !touched.has(k) && now[k] !== d[k]);
  controls.write(Object.fromEntries(moved.map((k) => [k, d[k]])));
  document.getElementById('defaults-note').textContent = moved.length
    ? `Moved ${moved.join(', ')} to adfd's defaults for the ${now.model === 'rfm' ? 'RFM' : 'network'} on ${now.problem} in ${now.precision}; settings you changed stay.`
    : '';
}

function linkMessage(lines) {
  // textContent only: a hostile link's text never becomes markup.
  document.getElementById('general-error').textContent = lines.join(' ');
}

// A worker that has not said 'ready' after START_MS: its threads did not start (a
// browser that stalls starting the pool's workers). It is replaced, once, by the
// single-threaded build, and the status line says why.
const START_MS = 15000;
let startTimer;
let fellBack = '';

function startWorker() {
  if (worker) worker.terminate();
  pool.stop();
  workerReady = false;
  inflight = [];
  measuring = false;
  pendingApply = null;  // the new worker's 'ready' applies the controls again
  state.awaiting = 0;
  state.generation = null;
  // `?threads=N` (or `off`) on the page is passed on to the worker (see worker.js).
  const threads = fellBack ? 'off' : new URLSearchParams(location.search).get('threads');
  const url = new URL('./worker.js', import.meta.url);
  if (threads) url.searchParams.set('threads', threads);
  // `?fma=off` too: the threaded build without relaxed SIMD (see worker.js).
  const fma = new URLSearchParams(location.search).get('fma');
  if (fma) url.searchParams.set('fma', fma);
  clearTimeout(startTimer);
  if (!fellBack && self.crossOriginIsolated && threads !== 'off') {
    startTimer = setTimeout(() => {
      if (workerReady) return;
      fellBack = `the threaded build did not start within ${START_MS / 1000} s`;
      startWorker();
    }, START_MS);
  }
  const w = new Worker(url, { type: 'module' });
  worker = w;
  // Messages still queued from a replaced worker are dropped; the rest wait (in order)
  // until the controls exist.
  const take = (data) => built.then(() => { if (w === worker) onMessage({ data }); });
  w.onmessage = (e) => {
    if (w !== worker) return;
    if (pool.isRequest(e.data)) pool.start(w, e.data, (message) => { if (w === worker) take({ type: 'panic', message }); });
    else take(e.data);
  };
  w.onerror = (e) => { if (w === worker) take({ type: 'panic', message: e.message || 'worker error' }); };
}

async function main() {
  // The worker loads its own wasm meanwhile; its messages wait for the controls.
  built = init().then(() => {
    installPanicHook();
    controls.build(controlSchema(), () => apply());
    // Capture: runs before the form's debounced apply reads the controls.
    document.getElementById('controls').addEventListener('change', onControlChange, true);
  });
  startWorker();
  await built;
  view.start();
  runButton.addEventListener('click', () => (state.running ? send({ type: 'pause' }) : run()));
  document.getElementById('run-anyway').addEventListener('click', run);
  document.getElementById('stop').addEventListener('click', stop);
  const request = (type) => () => send({ type });
  document.getElementById('step').addEventListener('click', request('step'));
  document.getElementById('reset').addEventListener('click', request('reset'));
  document.getElementById('newseed').addEventListener('click', request('newSeed'));
  document.getElementById('sweep').addEventListener('click', request('sweep'));
  setInterval(watchdog, 500);
  if (window.matchMedia('(max-width: 700px)').matches) document.getElementById('controls-box').open = false;
  share.init({ send, state, setTextScale: view.setTextScale,
    link: () => { controls.toHash(controls.read()); return location.href; } });
  // A settings link (a lesson, a pasted link) loads; an in-page anchor (#about) does not.
  // The event's newURL, not location: a pending debounced apply may already have
  // rewritten the address bar with the previous settings.
  window.addEventListener('hashchange', (e) => {
    const hash = new URL(e.newURL).hash;
    if (state.ready && controls.isSettingsLink(hash)) loadLink(hash);
  });
  // The static texts below the charts, each in a task of its own, so the page answers
  // (and the worker's first messages are taken) between them.
  for (const render of [
    () => lessons.render(document.getElementById('lesson-list')),
    annotate,
    () => claims.render(document.getElementById('claims-table'), document.getElementById('claims-caption')),
  ]) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    render();
  }
}

ensureIsolation()
  .then((reloading) => reloading || main())
  .catch((e) => { status.textContent = 'This page needs WebAssembly and module workers: ' + e; });
