// The page's wiring: the worker computes (Rust, in its own wasm), the charts draw
// (view.js), and the control plane decides (src/web/plane/: which phase the page is
// in, what to send the worker, when to hold heavy settings, when to replace a worker
// that crashed, went silent or never started, which snapshots to draw). This file only
// turns the DOM's and the worker's events into the plane's events and carries out its
// commands. window.adfd exposes the state for the page tests and the benchmarks.
import init, { installPanicHook, controlSchema, ControlPlane } from './pkg/adfd.js';
import * as controls from './controls.js';
import * as view from './view.js';
import * as lessons from './lessons.js';
import * as share from './share.js';
import { annotate } from './explain.js';
import { ensureIsolation } from './isolation.js';
import * as claims from './claims.js';
import * as pool from './pool.js';

const t0 = performance.now();
const el = (id) => document.getElementById(id);
const runButton = el('run');
// What the tests read: the plane's view (copied after every event) and the page's own
// records of what the worker sent.
const state = { lastSnap: null, lastReport: null, lastConfig: null, errors: [], panics: [], announced: [], acks: {} };
const request = (type) => dispatch({ request: { request: type } });
window.adfd = { state, stats: view.stats, t0, send: (message) => request(message.type) };

let plane = null;
let worker = null;
let incoming = null;  // the snapshot the plane is asked about
let built;            // resolves once the controls exist and the plane has its Init

// Hands `event` to the plane and carries out its commands. Events are externally
// tagged: `{ ready: { … } }`, or a bare name for those without fields (`'tick'`).
function dispatch(event) {
  const commands = JSON.parse(plane.handle(JSON.stringify(event), performance.now()));
  for (const c of commands) act[c.do](c);
  Object.assign(state, JSON.parse(plane.view()));
}

const act = {
  post: ({ message }) => worker.postMessage(message),
  startWorker: ({ threads }) => startWorker(threads),
  writeControls: ({ values }) => controls.write(values),
  toHash: () => controls.toHash(controls.read()),
  clearErrors: ({ keepGeneral }) => controls.clearErrors({ keepGeneral }),
  showError: ({ field, message }) => controls.showError(field, message),
  generalError: ({ text }) => { el('general-error').textContent = text; },
  defaultsNote: ({ text }) => { el('defaults-note').textContent = text; },
  budgetNote: ({ text }) => {
    el('budget-note').hidden = text === null;
    if (text !== null) el('budget-text').textContent = text;
  },
  running: ({ running }) => { runButton.textContent = running ? 'Pause' : 'Run'; },
  // Updated with every snapshot drawn, so not a live region; `announce` is.
  status: ({ text }) => { el('status').textContent = text; },
  announce: ({ text }) => { el('announce').textContent = text; state.announced.push(text); },
  draw: () => { state.lastSnap = incoming; view.show(incoming); },
};

// What the plane needs of a snapshot (the snapshot itself stays here, for drawing).
function summary(snap) {
  const frames = view.stats.frames;
  return { generation: snap.generation, model: snap.model, problem: snap.problem, seed: snap.seed,
    done: snap.progress.done, total: snap.progress.total, setUp: snap.setUp, finished: snap.finished,
    optimizer: snap.training?.optimizer ?? null, lr: snap.training?.lr ?? null, msPerUnit: snap.msPerUnit ?? null,
    sweep: snap.sweep ? [snap.sweep.progress.done, snap.sweep.progress.total] : null, error: snap.error ?? null,
    drawnMs: frames.length ? frames[frames.length - 1] : null };
}

// The worker's messages, as the plane's events (exports and configs are the page's).
function onMessage(data) {
  switch (data.type) {
    case 'ready': dispatch({ ready: { threads: data.threads, form: controls.read() } }); break;
    case 'snapshot':
      incoming = data.snap;
      dispatch({ snapshot: { running: data.running, summary: summary(data.snap) } });
      break;
    case 'finished': dispatch('finished'); break;
    case 'rates': dispatch({ rates: { rates: data.rates } }); break;
    case 'ok': dispatch({ ok: { request: data.request, running: data.running, generation: data.generation } }); break;
    case 'error':
      state.errors.push(data);
      dispatch({ error: { request: data.request, field: data.field || '', message: data.message } });
      break;
    case 'panic': state.panics.push(data.message); dispatch({ panic: { message: data.message } }); break;
    case 'report': state.lastReport = data; share.onReport(data); break;
    case 'config': state.lastConfig = JSON.parse(data.json); break;
    case 'seed': dispatch({ seed: { seed: data.seed } }); break;
  }
}

// A fresh worker in place of the current one (and its pool of threads): only the plane
// asks for one, but for the first, which starts at once so that it loads its wasm
// while the page loads its own. Messages of a replaced worker are dropped; the rest
// wait, in order, until the plane exists.
function startWorker(threads) {
  if (worker) worker.terminate();
  pool.stop();
  const url = new URL('./worker.js', import.meta.url);
  if (threads) url.searchParams.set('threads', threads);
  // `?fma=off`: the threaded build without relaxed SIMD (see worker.js).
  const fma = new URLSearchParams(location.search).get('fma');
  if (fma) url.searchParams.set('fma', fma);
  const w = new Worker(url, { type: 'module' });
  worker = w;
  const take = (data) => built.then(() => { if (w === worker) onMessage(data); });
  w.onmessage = (e) => {
    if (w !== worker) return;
    if (pool.isRequest(e.data)) pool.start(w, e.data, (message) => { if (w === worker) take({ type: 'panic', message }); });
    else take(e.data);
  };
  w.onerror = (e) => { if (w === worker) take({ type: 'panic', message: e.message || 'worker error' }); };
}

// A settings link (a lesson, a pasted link) read from `hash`, checked by the controls.
function readLink(hash) {
  const { values, problems, action } = controls.readLink(hash);
  return { values: { ...values }, problems, action };
}

function loadLink(hash) {
  controls.cancelChange();
  controls.unlockAll();
  controls.clearErrors();
  dispatch({ link: readLink(hash) });
}

async function main() {
  const asked = new URLSearchParams(location.search).get('threads');
  startWorker(asked);
  const workerSince = performance.now();
  built = init().then(() => {
    installPanicHook();
    plane = new ControlPlane();
    controls.build(controlSchema(), () => dispatch({ apply: { form: controls.read() } }));
    // Capture: runs before the form's debounced apply reads the controls.
    el('controls').addEventListener('change', (e) => {
      const key = (e.target.name || '').replace(/_slider$/, '');
      if (key) dispatch({ changing: { key, form: controls.read() } });
    }, true);
    // The settings to load first: the link in the address, or with none the first
    // lesson (the first visit trains live); an in-page anchor (#about) keeps its place.
    const hash = location.hash;
    const first = controls.isSettingsLink(hash) ? readLink(hash)
      : hash.length <= 1 ? readLink(lessons.link(lessons.LESSONS[0])) : null;
    dispatch({ init: { first, isolated: self.crossOriginIsolated, threads: asked, workerSince } });
  });
  await built;
  view.start();
  runButton.addEventListener('click', () => dispatch('toggle'));
  el('run-anyway').addEventListener('click', () => dispatch('run'));
  el('stop').addEventListener('click', () => dispatch('stop'));
  for (const [id, type] of [['step', 'step'], ['reset', 'reset'], ['newseed', 'newSeed'], ['sweep', 'sweep']]) {
    el(id).addEventListener('click', () => request(type));
  }
  setInterval(() => dispatch('tick'), 500);
  if (window.matchMedia('(max-width: 700px)').matches) el('controls-box').open = false;
  share.init({ send: window.adfd.send, state, setTextScale: view.setTextScale,
    link: () => { controls.toHash(controls.read()); return location.href; } });
  // A settings link loads; an in-page anchor does not. The event's newURL, not location:
  // a pending debounced apply may already have rewritten the address with the previous
  // settings.
  window.addEventListener('hashchange', (e) => {
    const hash = new URL(e.newURL).hash;
    if (state.ready && controls.isSettingsLink(hash)) loadLink(hash);
  });
  // The static texts below the charts, each in a task of its own, so the page answers
  // (and the worker's first messages are taken) between them.
  for (const render of [
    () => lessons.render(el('lesson-list')),
    annotate,
    () => claims.render(el('claims-table'), el('claims-caption')),
  ]) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    render();
  }
}

ensureIsolation()
  .then((reloading) => reloading || main())
  .catch((e) => { el('status').textContent = 'This page needs WebAssembly and module workers: ' + e; });
