// Drawing: keeps the latest snapshot (the typed Snapshot of src/web/snapshot.rs, as a
// plain object) and draws it in animation frames with the wasm Charts facade, which
// reads each snapshot once (charts.update) before the panels that changed are drawn.
// A frame draws charts until DRAW_SLICE_MS is spent and leaves the rest to the next frame,
// so the page answers input between charts (a fresh page's first charts also pay for
// compiling their wasm). Fills the readouts table in place and gives every chart a
// text alternative. Records frame times for benchmarks.
import { Charts } from './pkg/adfd.js';

const canvases = [...document.querySelectorAll('canvas[data-chart]')];
const eigen = document.getElementById('eigen');
const fdShown = document.getElementById('fd-shown');
const table = document.getElementById('readouts');
export const stats = { frames: [], drawn: {}, errors: [], firstResultMs: null, draws: 0 };
let charts = null;
let latest = null;
let pending = false;
let read = null;  // the snapshot charts last read (charts.update)
// A frame's drawing budget: past it, the charts still to draw wait for the next frame.
const DRAW_SLICE_MS = 12;

export function start() {
  charts = new Charts((window.devicePixelRatio || 1) * textScale);
  // Each chart is an image with a text alternative: its caption until it has drawn
  // (a held run draws nothing), then a summary of what it shows (see `summary`).
  for (const c of canvases) {
    c.setAttribute('role', 'img');
    const caption = c.closest('figure')?.querySelector('figcaption')?.textContent.trim() || c.dataset.chart;
    c.setAttribute('aria-label', `${caption}: nothing computed yet.`);
  }
  eigen.addEventListener('change', () => schedule());
  fdShown.addEventListener('change', () => schedule());
  // A canvas's pixel size follows its CSS size as the observer reports it after the
  // browser's own layout, so drawing never forces one.
  const resized = new ResizeObserver((entries) => {
    for (const { target, contentRect } of entries) fit(target, contentRect);
    schedule();
  });
  for (const c of canvases) resized.observe(c);
  warm();
}

// At start, while the worker loads its wasm and computes (the main thread has nothing
// else to do then), each panel says what it waits for ("computing the spectra…") and
// the glyphs of every chart font are drawn once off screen (Charts.warm). The drawing
// code is then compiled and the canvases and glyph cache are warm, so the first
// results draw in a few frames instead of one 100–300 ms task. One step per task, so
// the page answers between them; a panel that already shows results keeps them.
function warm() {
  size();
  const steps = canvases.map((c) => () => { if (read === null) charts[c.dataset.chart](c); });
  const scratch = Object.assign(document.createElement('canvas'), { width: 300, height: 200 });
  for (let part = 0; part < Charts.warmParts(); part++) steps.push(() => charts.warm(scratch, part));
  const next = () => {
    steps.shift()();
    if (steps.length) setTimeout(next, 0);
  };
  next();
}

// Sizes every canvas now (at start, before the observer's first report).
function size() {
  for (const c of canvases) fit(c, c.getBoundingClientRect());
}

// A canvas of `width` × `height` CSS px gets that many device pixels; a resized one
// (which the browser has cleared) is drawn again.
function fit(c, { width, height }) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(width * dpr), h = Math.round(height * dpr);
  if (c.width !== w || c.height !== h) { c.width = w; c.height = h; delete c.dataset.sig; }
}

// What each chart shows, as a short key: the snapshot's version of the chart
// (src/web/snapshot.rs, ChartVersions) and the page's own toggles for it. A chart is
// redrawn only when its key changes, so a training frame redraws the loss curves and
// little else.
function signature(chart, snap) {
  const version = snap.charts[chart];
  if (chart === 'spectrum') return version + eigen.checked;
  if (chart === 'solution') return version + fdShown.value;
  return version;
}

export function show(snap) {
  if (snap.generation !== generation) { generation = snap.generation; generationAt = performance.now(); }
  latest = snap;
  schedule();
}

// Chart lettering scale (the large-text toggle): charts draw at dpr × scale.
let textScale = 1;
export function setTextScale(scale) {
  textScale = scale;
  if (!charts) return;
  charts = new Charts((window.devicePixelRatio || 1) * textScale);
  read = null;
  for (const c of canvases) delete c.dataset.sig;
  schedule();
}

// With prefers-reduced-motion, a running computation redraws twice a second instead
// of every frame. An RFM comparison's partial results (the runs fitted so far) wait
// until PARTIAL_MS after its first snapshot and PARTIAL_MS after the last draw: a
// short comparison is drawn once, whole, and its fits keep the cores to themselves
// (each partial draw repaints every chart; on 2 cores those draws cost the
// comparison about 15 % of its wall time). A finished state is drawn at the next frame.
const reduced = window.matchMedia('(prefers-reduced-motion: reduce)');
const CALM_MS = 500;
const PARTIAL_MS = 250;
let lastDraw = 0;
let generation = null;  // the settings' generation of the snapshots shown
let generationAt = 0;   // when its first snapshot arrived
let delayed = null;     // the timer of a draw that waits

function schedule() {
  if (!latest || !charts) return;
  const now = performance.now();
  let wait = 0;
  if (!latest.finished) {
    if (reduced.matches) wait = CALM_MS - (now - lastDraw);
    if (latest.model === 'rfm') wait = Math.max(wait, PARTIAL_MS - (now - Math.max(generationAt, lastDraw)));
  }
  if (wait <= 0 && delayed !== null) { clearTimeout(delayed); delayed = null; pending = false; }
  if (pending) return;
  pending = true;
  if (wait > 0) delayed = setTimeout(() => { delayed = null; requestAnimationFrame(draw); }, wait);
  else requestAnimationFrame(draw);
}

const fmt = (v, d = 3) => (v === null || v === undefined || Number.isNaN(v)) ? '–'
  : (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0)) ? v.toExponential(d - 1) : v.toPrecision(d);

function fdOptions(runs) {
  const labels = runs.slice(1).map((r) => r.label);
  const now = [...fdShown.options].map((o) => o.text);
  if (labels.join() === now.join()) return;
  const keep = fdShown.value;
  fdShown.replaceChildren(...labels.map((l, i) => new Option(l, String(i + 1))));
  if (keep && Number(keep) <= labels.length) fdShown.value = keep;
}

// The readouts table is updated in place: rows and cells are reused and a cell's text
// is only written when it changed, so a screen reader's position and a text selection
// survive the many snapshots of a running computation.
const thead = table.createTHead();
const tbody = table.createTBody();
const notes = document.getElementById('readout-notes');

function fill(row, texts, tag) {
  while (row.cells.length > texts.length) row.lastElementChild.remove();
  while (row.cells.length < texts.length) row.append(document.createElement(tag));
  texts.forEach((t, i) => { if (row.cells[i].textContent !== t) row.cells[i].textContent = t; });
}

function rowsOf(section, n) {
  while (section.rows.length > n) section.lastElementChild.remove();
  while (section.rows.length < n) section.insertRow();
  return [...section.rows];
}

// The run table is built in Rust (src/experiment/report/table.rs), the same the CLI prints: its
// columns, one row per run, and notes that define every column.
function readouts(snap) {
  const t = snap.readouts;
  fill(rowsOf(thead, 1)[0], t.columns, 'th');
  rowsOf(tbody, t.rows.length).forEach((row, i) => fill(row, t.rows[i], 'td'));
  const items = notes.children;
  while (items.length > t.notes.length) notes.lastElementChild.remove();
  while (items.length < t.notes.length) notes.append(document.createElement('li'));
  t.notes.forEach((text, i) => { if (items[i].textContent !== text) items[i].textContent = text; });
}

// Text is written only when it changes (a rewrite would move a reader's place).
function setText(id, text) {
  const el = document.getElementById(id);
  if (el.textContent !== text) el.textContent = text;
}

// Each chart's text alternative: what it shows, in a sentence or two of numbers.
function summary(chart, snap) {
  const runs = snap.runs;
  const each = (f) => runs.map((r) => `${r.label}: ${f(r)}`).join('; ');
  const net = snap.model === 'network';
  switch (chart) {
    case 'spectrum': return `${eigen.checked ? 'Eigenvalues' : 'Singular values'} of ${net ? 'J' : 'A'} by index, log scale. `
      + (runs.length ? each((r) => r.spectrum ? `K = ${r.spectrum.cutoff}, H = ${fmt(r.spectrum.entropy, 4)}` : 'not measured yet') : 'Computing the spectra.');
    case 'solution': return `Exact and fitted solutions${snap.dim === 2 ? ' as heatmaps' : ''} with pointwise errors. `
      + each((r) => `L2 error ${fmt(r.errorL2)}`);
    case 'loss': return net
      ? 'Training loss and true residual (above) and the solution\'s relative L2 error (below) against the step, log scale. ' + each((r) => `loss ${fmt(r.residualSystem)}, L2 error ${fmt(r.errorL2)} at step ${r.training?.step ?? 0}`)
      : `K(a) and exp H(a) of each spectrum against the relative threshold a; chosen ${snap.threshold.kind} a = ${fmt(snap.threshold.a, 2)}.`;
    case 'sweep': { const s = snap.sweep;
      return !s ? 'No sweep yet.' : `exp H and true residual against the FD step size h for ${s.h.length} steps`
        + (s.ad ? `; AD: exp H ${fmt(s.ad.effectiveModes, 4)}, true residual ${fmt(s.ad.residualTrue)}.` : '.'); }
    case 'scatter': return `Truncated entropy against outcome for ${snap.history.entropy.length} finished runs.`;
    default: return '';
  }
}

function draw() {
  pending = false;
  lastDraw = performance.now();
  const snap = latest;
  const t0 = performance.now();
  fdOptions(snap.runs);
  fdShown.hidden = snap.dim !== 2;  // only the 2-D heatmaps show a single FD step size
  const calls = {
    spectrum: (c) => charts.spectrum(c, eigen.checked),
    solution: (c) => charts.solution(c, Number(fdShown.value || 1)),
    loss: (c) => charts.loss(c),
    sweep: (c) => charts.sweep(c),
    scatter: (c) => charts.scatter(c),
  };
  const stale = canvases.map((c) => [c, signature(c.dataset.chart, snap)]).filter(([c, sig]) => c.dataset.sig !== sig);
  let left = stale.length;
  const drawn = [];
  try {
    // Reading a snapshot that took the frame's budget (a fresh page's first) leaves
    // every chart to the next frame.
    let minimum = 1;
    if (stale.length && read !== snap) {
      stats.drawn.update = charts.update(snap);
      read = snap;
      if (performance.now() - t0 > DRAW_SLICE_MS) minimum = 0;
    }
    for (const [c, sig] of stale) {
      // At least `minimum` charts per frame; the rest once this frame's budget is spent.
      if (stale.length - left >= minimum && performance.now() - t0 > DRAW_SLICE_MS) break;
      left--;
      const name = c.dataset.chart;
      try {
        stats.drawn[name] = calls[name](c);
        c.dataset.sig = sig;
      } catch (e) {
        stats.errors.push(`${name}: ${e.message || e}`);  // the other charts still draw
      }
      drawn.push(c);
    }
  } catch (e) {
    stats.errors.push(`snapshot: ${e.message || e}`);
    left = 0;  // an unreadable snapshot is not retried every frame
  }
  // The page's text changes after the charts: plotters measures legend labels in the
  // page, and a page with pending changes would be laid out again for each.
  for (const c of drawn) c.setAttribute('aria-label', summary(c.dataset.chart, snap));
  if (stats.errors.length > 100) stats.errors.splice(0, stats.errors.length - 100);
  readouts(snap);
  const net = snap.model === 'network';
  setText('loss-title', net ? 'Loss, true residual and solution error vs step' : 'Modes kept vs threshold');
  setText('loss-note', net
    ? 'Above: the training loss of each run on its own (AD or FD) operator, solid, and the true PDE residual (exact operator, held-out points), dashed, in the same colour. Below: the relative L2 error of each run\'s solution u against the exact u*, AD solid, each FD dashed. A run\'s own loss can fall to round-off while its solution stops improving: an FD network converges to the solution of its own stencil, whose error falls like h².'
    : 'The RFM is fitted in one least-squares solve, so it has no training curve. Instead: K(a) (solid) and exp H(a) (dashed) of each spectrum as the threshold a moves. Below FD\'s round-off floor noise starts to count as modes in K; H, weighted by the singular values, barely notices. Choose two-layer or mlp to watch training.');
  setText('spec-what', net ? 'J (training Jacobian)' : 'A (RFM least squares)');
  const ms = performance.now() - t0;
  stats.frames.push(ms);
  stats.draws += 1;
  if (stats.frames.length > 2000) stats.frames.shift();
  if (left) {
    // The rest in a later frame, after whatever input or message waits now.
    pending = true;
    setTimeout(() => requestAnimationFrame(draw), 0);
  } else if (snap.finished && stats.firstResultMs === null) stats.firstResultMs = performance.now();
  return ms;
}
