// The page: starts the worker (all numerics) and the charts (all drawing), wires the
// buttons and settings, and shows errors beside their controls. window.adfd exposes
// the state for the page test and the benchmarks.
import init, { installPanicHook, controlSchema, defaultsFor } from './pkg/adfd.js';
import * as controls from './controls.js';
import * as view from './view.js';
import * as lessons from './lessons.js';
import * as share from './share.js';
import { annotate } from './explain.js';
import * as claims from './claims.js';

const t0 = performance.now();
const status = document.getElementById('status');
const runButton = document.getElementById('run');
const state = { ready: false, running: false, finished: false, lastSnap: null, errors: [], panics: [], acks: {}, lastReport: null };
window.adfd = { state, stats: view.stats, t0, send: (m) => worker.postMessage(m) };
let worker;
let built;  // resolves once the controls exist (built from the schema in the main thread's wasm)
let lastHeard = performance.now();
// Controls set by hand or by the current link: a change of problem or precision moves
// every other setting to adfd's defaults for the new pair, and leaves these alone.
let touched = new Set();
const STUCK_MS = 2500;  // a worker silent this long while running is inside one long step

// The status line, from the snapshot's fields (src/web/snapshot.rs).
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
  parts.push(snap.finished ? 'done' : (state.running ? 'running…' : 'paused'));
  status.textContent = parts.join(' · ');
}

function setRunning(on) {
  state.running = on;
  runButton.textContent = on ? 'Pause' : 'Run';
}

function onMessage({ data }) {
  switch (data.type) {
    case 'ready':
      setRunning(true);
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
        apply({ restart: true });  // a restarted worker takes the settings the controls show now
      }
      break;
    case 'snapshot':
      state.lastSnap = data.snap;
      state.finished = data.snap.finished;
      setRunning(data.running);
      view.show(data.snap);
      if (data.snap.error) document.getElementById('general-error').textContent = data.snap.error;
      describe(data.snap);
      break;
    case 'finished': setRunning(false); break;
    case 'ok':
      setRunning(data.running);
      state.acks[data.request] = (state.acks[data.request] || 0) + 1;
      if (data.request === 'configure') {
        controls.clearErrors({ keepGeneral: true });
        if (state.linkPending && state.linkAction === 'sweep') worker.postMessage({ type: 'sweep' });
        state.linkPending = false;
        state.linkAction = null;
      }
      break;
    case 'report': state.lastReport = data; share.onReport(data); break;
    case 'seed': controls.write({ seed: String(data.seed) }); controls.toHash(controls.read()); break;
    case 'error':
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
    case 'panic':
      state.panics.push(data.message);
      document.getElementById('general-error').textContent =
        'The computation crashed (' + data.message + '). It was restarted with the settings shown.';
      startWorker();
      break;
  }
}

function apply({ restart = false, keepHash = false } = {}) {
  if (!restart) document.getElementById('general-error').textContent = '';
  const form = controls.read();
  if (!keepHash) controls.toHash(form);
  if (state.running && performance.now() - lastHeard > STUCK_MS) {
    // The worker cannot read messages until its current step ends (a huge setting,
    // say): start a fresh one, which takes the new settings when it is ready.
    status.textContent = 'restarting the computation with the new settings…';
    startWorker();
    return;
  }
  worker.postMessage({ type: 'configure', form });
}

// Settings from the URL hash (a shared link or a lesson): checked, written into the
// controls over the defaults, then sent to the worker, which validates every value.
function loadLink(hash = location.hash) {
  const link = controls.readLink(hash);
  controls.cancelChange();
  controls.unlockAll();
  controls.clearErrors();
  state.defaults = defaultsFor(link.values.problem ?? '', link.values.precision ?? '');
  touched = new Set(Object.keys(link.values));
  document.getElementById('defaults-note').textContent = '';
  controls.write({ ...state.defaults, ...link.values });
  linkMessage(link.problems);
  state.linkPending = true;
  state.linkAction = link.action;
  apply({ restart: true });
}

// A hand-made change: remember the control; after a change of problem or precision,
// move the untouched settings to adfd's defaults for the new pair and say so.
function onControlChange(e) {
  const key = (e.target.name || '').replace(/_slider$/, '');
  if (!key) return;
  touched.add(key);
  if (key !== 'problem' && key !== 'precision') return;
  const now = controls.read();
  const d = defaultsFor(now.problem, now.precision);
  const moved = Object.keys(d).filter((k) => !touched.has(k) && now[k] !== d[k]);
  controls.write(Object.fromEntries(moved.map((k) => [k, d[k]])));
  document.getElementById('defaults-note').textContent = moved.length
    ? `Moved ${moved.join(', ')} to adfd's defaults for ${now.problem} in ${now.precision}; settings you changed stay.`
    : '';
}

function linkMessage(lines) {
  // textContent only: a hostile link's text never becomes markup.
  document.getElementById('general-error').textContent = lines.join(' ');
}

function startWorker() {
  if (worker) worker.terminate();
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker = w;
  lastHeard = performance.now();
  // Messages still queued from a replaced worker are dropped; the rest wait (in order)
  // until the controls exist.
  const take = (data) => built.then(() => { if (w === worker) onMessage({ data }); });
  w.onmessage = (e) => { if (w === worker) { lastHeard = performance.now(); take(e.data); } };
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
  runButton.addEventListener('click', () => worker.postMessage({ type: state.running ? 'pause' : 'resume' }));
  const send = (type) => () => worker.postMessage({ type });
  document.getElementById('step').addEventListener('click', send('step'));
  document.getElementById('reset').addEventListener('click', send('reset'));
  document.getElementById('newseed').addEventListener('click', send('newSeed'));
  document.getElementById('sweep').addEventListener('click', send('sweep'));
  if (window.matchMedia('(max-width: 700px)').matches) document.getElementById('controls-box').open = false;
  lessons.render(document.getElementById('lesson-list'));
  annotate();
  claims.render(document.getElementById('claims-table'), document.getElementById('claims-caption'));
  share.init({ send: (m) => worker.postMessage(m), state, setTextScale: view.setTextScale,
    link: () => { controls.toHash(controls.read()); return location.href; } });
  // A settings link (a lesson, a pasted link) loads; an in-page anchor (#about) does not.
  // The event's newURL, not location: a pending debounced apply may already have
  // rewritten the address bar with the previous settings.
  window.addEventListener('hashchange', (e) => {
    const hash = new URL(e.newURL).hash;
    if (state.ready && controls.isSettingsLink(hash)) loadLink(hash);
  });
}

main().catch((e) => { status.textContent = 'This page needs WebAssembly and module workers: ' + e; });
