// The page in a real headless browser (BROWSER=chromium, the default: Debian's Chromium
// through playwright-core; BROWSER=firefox: Firefox ESR over WebDriver BiDi; see
// browser.mjs): serves the release build in site/, waits for the default result
// without a click, runs it again with a new seed, checks every chart canvas has drawn,
// changes a control mid-run, shows an invalid value's message beside its control,
// pauses and resumes, runs a sweep, trains a network,
// and fails on any console error or uncaught exception. Saves screenshots (desktop
// and a 390-px phone) and the browser benchmarks to artifacts/ (artifacts/firefox/ for
// Firefox).
import { mkdir, writeFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import { BROWSER, launch, postFromWorker } from './browser.mjs';
import * as harness from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const site = join(root, 'site');
const out = join(root, 'artifacts', ...(BROWSER === 'chromium' ? [] : [BROWSER]));
const { LONG } = harness;

const problems = [];
let current = null;  // the page under test, for a state dump on failure
const step = (name) => console.log(`page test (${BROWSER}): ${name}`);

function watch(page, where) {
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${where} console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${where} uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`${where} request failed: ${r.url()}`));
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`${where} left the site: ${r.url()}`); });
}

const snap = (page) => page.evaluate(() => {
  const s = window.adfd.state.lastSnap;
  return s && { model: s.model, problem: s.problem, finished: s.finished, done: s.progress.done, total: s.progress.total,
    runs: s.runs.length, sweep: s.sweep && { done: s.sweep.progress.done, total: s.sweep.progress.total }, running: window.adfd.state.running };
});

// Every chart canvas has pixels that are not the white background.
async function assertDrawn(page) {
  const counts = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('canvas[data-chart]')].map((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) n++;
    return [c.dataset.chart, n];
  })));
  for (const [chart, n] of Object.entries(counts)) assert.ok(n > 300, `chart ${chart} drew only ${n} pixels`);
  return counts;
}

const server = await serve(site);
// PAGE_QUERY='?threads=off' runs the whole test on the single-threaded build,
// '?threads=2&fma=off' on the plain threaded one (scripts/bench-web measures all
// three); by default the page picks its build (see www/worker.js).
const QUERY = process.env.PAGE_QUERY || '';
const origin = `http://127.0.0.1:${server.address().port}/`;
const base = origin + QUERY;
await mkdir(out, { recursive: true });
const browser = await launch();
const bench = {};
try {
  // First visit, no link: a two-layer network trains live (the first lesson), and the
  // loss panel's curves grow while it runs.
  const first = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  current = first;
  watch(first, 'first visit');
  await first.goto(base);
  const curve = () => first.evaluate(() => {
    const s = window.adfd.state.lastSnap;
    return s && s.model === 'network' ? { done: s.progress.done, points: s.runs[0].training.lossStep.length,
      ms: performance.now() - window.adfd.t0, loss: window.adfd.stats.drawn.loss ?? null } : null;
  });
  await first.waitForFunction(() => window.adfd.state.lastSnap?.model === 'network' && window.adfd.state.lastSnap.progress.done >= 20, null, { timeout: LONG });
  const early = await curve();
  await first.waitForTimeout(1500);
  const later = await curve();
  assert.ok(later.done > early.done && later.points > early.points, `the loss curves grow: ${JSON.stringify([early, later])}`);
  assert.ok(/two-layer/.test(await first.inputValue('select[name=model]')), 'the controls show the network lesson');
  const lossInk = await first.evaluate(() => {
    const c = document.querySelector('canvas[data-chart=loss]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) n++;
    return n;
  });
  assert.ok(lossInk > 300, `the loss panel is drawn (${lossInk} pixels)`);
  bench.first_visit_steps_after_ms = [later.ms, later.done];
  step(`first visit trains live: step ${early.done} → ${later.done}, ${later.done} steps after ${later.ms.toFixed(0)} ms`);
  // The first visit's point (issue 23): under Levenberg–Marquardt AD's solution error
  // falls below 1e-5 (1e-6 soon after), while FD h = 0.2's flattens at its stencil's
  // truncation error, above 1e-3. The error curves are the snapshot's (src/web/snapshot.rs).
  await first.waitForFunction(() => Math.min(...(window.adfd.state.lastSnap?.runs[0].training?.errorL2 ?? [1])) <= 1e-6, null, { timeout: LONG });
  bench.first_visit_ad_error_1e6_ms = await first.evaluate(() => performance.now() - window.adfd.t0);
  await first.waitForFunction(() => window.adfd.state.finished, null, { timeout: LONG });
  const errors = await first.evaluate(() => window.adfd.state.lastSnap.runs.map((r) => ({ h: r.h ?? null, error: r.training.errorL2 })));
  const ad = errors.find((r) => r.h === null), coarse = errors.find((r) => r.h === 0.2);
  assert.ok(Math.min(...ad.error) < 1e-5, `AD's error falls below 1e-5: ${ad.error}`);
  assert.ok(coarse.error.slice(1).every((e) => e > 1e-3), `FD h = 0.2's error stays above 1e-3: ${coarse.error}`);
  step(`first visit: AD's error ≤ 1e-6 after ${bench.first_visit_ad_error_1e6_ms.toFixed(0)} ms (page load included), ends at ${ad.error.at(-1).toExponential(1)}; FD h = 0.2 ends at ${coarse.error.at(-1).toExponential(1)}`);
  await first.screenshot({ path: join(out, 'page-first-visit.png'), fullPage: false });
  await first.close();

  // Desktop: the RFM comparison at adfd's defaults appears without a click.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  current = page;
  watch(page, 'desktop');
  await page.goto(base + '#model=rfm');
  await page.waitForFunction(() => window.adfd?.stats.firstResultMs !== null && window.adfd?.state.finished, null, { timeout: LONG });
  bench.first_result_ms = await page.evaluate(() => window.adfd.stats.firstResultMs);
  step(`default result after ${bench.first_result_ms.toFixed(0)} ms`);
  let s = await snap(page);
  assert.equal(s.model, 'rfm');
  assert.equal(s.runs, 4, 'AD + three FD step sizes by default');
  const rfmTimes = () => page.evaluate(() => {
    const s = window.adfd.state.lastSnap;
    return { seed: s.seed, perMode: s.runs.map((m) => m.timeMs), wallPerMode: s.msPerUnit };
  });
  const cold = await rfmTimes();
  bench.rfm_default_ms_per_mode = cold.perMode;
  bench.rfm_default_wall_ms_per_mode = cold.wallPerMode;
  bench.threads = await page.evaluate(() => window.adfd.state.threads);
  // New seed, five times: the same comparison again, V8 having optimized the module's
  // code by now (the first comparison after load pays for that). The bench takes the
  // median wall time per mode of the five, as it does of five native runs.
  const next = [];
  for (let i = 0; i < 5; i++) {
    const { seed } = next.at(-1) ?? cold;
    await page.click('#newseed');
    await page.waitForFunction((seed) => { const s = window.adfd.state.lastSnap; return s.seed !== seed && s.finished && s.runs.length === 4; }, seed, { timeout: LONG });
    const warm = await rfmTimes();
    assert.ok(warm.wallPerMode > 0 && warm.perMode.every((t) => t > 0), `timed: ${JSON.stringify(warm)}`);
    next.push(warm);
  }
  const median = next.map((w) => w.wallPerMode).sort((a, b) => a - b)[2];
  const warm = next.find((w) => w.wallPerMode === median);
  bench.rfm_next_ms_per_mode = warm.perMode;
  bench.rfm_next_wall_ms_per_mode = median;
  step(`RFM ms per mode: first ${cold.perMode.map((t) => t.toFixed(0))}, next seeds' median ${warm.perMode.map((t) => t.toFixed(0))} (comparison wall ${cold.wallPerMode.toFixed(0)} → ${next.map((w) => w.wallPerMode.toFixed(0)).join(', ')} per mode)`);
  await assertDrawn(page);
  await page.screenshot({ path: join(out, 'page-desktop.png'), fullPage: true });

  // An invalid value shows the library's message beside its field and changes nothing.
  await page.fill('input[name=m]', '0');
  await page.dispatchEvent('input[name=m]', 'change');
  await page.waitForFunction(() => document.querySelector('small.err[data-for="m"]').textContent.length > 0, null, { timeout: LONG });
  const message = await page.textContent('small.err[data-for="m"]');
  assert.match(message, /m/);
  step(`invalid m shows: ${message}`);
  assert.deepEqual(await snap(page), s, 'an invalid value changed the run');
  await page.fill('input[name=m]', '400');

  // Change a control in the middle of a run: the run restarts with the new setting.
  await page.selectOption('select[name=problem]', 'biharmonic1d');
  await page.waitForFunction(() => window.adfd.state.lastSnap?.problem === 'biharmonic1d' && !window.adfd.state.lastSnap.finished, null, { timeout: LONG });
  await page.fill('input[name=h]', '1e-1, 1e-2');
  await page.dispatchEvent('input[name=h]', 'change');
  await page.waitForFunction(() => { const s = window.adfd.state.lastSnap; return s.finished && s.progress.total === 3 && s.problem === 'biharmonic1d'; }, null, { timeout: LONG });
  step('changed problem and h mid-run');
  assert.equal(await page.textContent('small.err[data-for="m"]'), '', 'the error cleared once the value was valid');

  // A sweep, paused and resumed on the way.
  await page.click('#sweep');
  await page.waitForFunction(() => (window.adfd.state.lastSnap.sweep?.progress.done ?? 0) >= 2, null, { timeout: LONG });
  await page.click('#run');
  await page.waitForFunction(() => !window.adfd.state.running, null, { timeout: LONG });
  const paused = (await snap(page)).sweep.done;
  await page.waitForTimeout(800);
  assert.equal((await snap(page)).sweep.done, paused, 'the sweep advanced while paused');
  assert.ok(paused < 13, 'paused before the end of the sweep');
  step(`paused the sweep at ${paused}/13`);
  // One unit of work: the next runs' fits, one per thread of the worker's pool.
  await page.click('#step');
  await page.waitForFunction((p) => {
    const { done, total } = window.adfd.state.lastSnap.sweep.progress;
    return done === p + Math.min(window.adfd.state.threads.count, total - p);
  }, paused, { timeout: LONG });
  await page.click('#run');
  await page.waitForFunction(() => { const s = window.adfd.state.lastSnap; return s.finished && s.sweep.progress.done === s.sweep.progress.total; }, null, { timeout: LONG });
  step('resumed and finished the sweep');
  await assertDrawn(page);

  // A network: loss curves and kernel spectra while training; frame times measured.
  await page.evaluate(() => { window.adfd.stats.frames.length = 0; });
  await page.selectOption('select[name=problem]', 'poisson1d');
  await page.fill('input[name=h]', '1e-1, 1e-2, 1e-3');
  await page.selectOption('select[name=model]', 'two-layer');
  await page.waitForFunction(() => { const s = window.adfd.state.lastSnap; return s.model === 'network' && s.progress.done >= 20; }, null, { timeout: LONG });
  await assertDrawn(page);
  step('network training draws');
  // Change a control in the middle of training: fewer steps restart the runs.
  await page.fill('input[name=steps]', '400');
  await page.dispatchEvent('input[name=steps]', 'change');
  await page.waitForFunction(() => { const s = window.adfd.state.lastSnap; return s.model === 'network' && s.progress.total === 400 && s.finished; }, null, { timeout: LONG });
  const t = await page.evaluate(() => ({ frames: [...window.adfd.stats.frames], ms: window.adfd.state.lastSnap.msPerUnit,
    runs: window.adfd.state.lastSnap.runs.length, perRun: window.adfd.state.lastSnap.runs.map((m) => m.timeMs) }));
  bench.net_ms_per_step_per_run = t.perRun;
  t.frames.sort((a, b) => a - b);
  bench.frame_ms_p95 = t.frames[Math.floor(0.95 * (t.frames.length - 1))];
  bench.frames = t.frames.length;
  bench.net_ms_per_step_all_runs = t.ms;
  bench.net_runs = t.runs;
  step(`trained: ${t.ms.toFixed(1)} ms per step of ${t.runs} runs, draw p95 ${bench.frame_ms_p95.toFixed(1)} ms over ${t.frames.length} frames`);
  // The trained config, for scripts/bench-web's native run of the same settings.
  await page.evaluate(() => { window.adfd.state.lastReport = null; window.adfd.send({ type: 'report' }); });
  await page.waitForFunction(() => window.adfd.state.lastReport, null, { timeout: LONG });
  bench.net_config = JSON.parse(await page.evaluate(() => window.adfd.state.lastReport.json)).config;
  await page.screenshot({ path: join(out, 'page-desktop-network.png'), fullPage: true });

  // A Rust panic in the worker shows as a message and the page recovers: the worker
  // posts what its panic hook (src/web/js.rs) posts on a panic.
  await postFromWorker(page, { type: 'panic', message: 'adfd panicked: a simulated panic' });
  await page.waitForFunction(() => /crashed/.test(document.getElementById('general-error').textContent), null, { timeout: LONG });
  step('a panic shows: ' + await page.textContent('#general-error'));
  await page.fill('input[name=steps]', '50');
  await page.dispatchEvent('input[name=steps]', 'change');
  await page.waitForFunction(() => { const s = window.adfd.state.lastSnap; return s.model === 'network' && s.progress.total === 50 && s.finished; }, null, { timeout: LONG });
  step('recovered after the panic');
  await page.close();

  // Phone: 390 px wide, the default result still appears and every chart draws.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  watch(phone, 'phone');
  await phone.goto(base + '#model=rfm');
  await phone.waitForFunction(() => window.adfd?.state.finished && window.adfd.stats.draws > 0, null, { timeout: LONG });
  await assertDrawn(phone);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the phone page scrolls sideways by ${overflow} px`);
  await phone.screenshot({ path: join(out, 'page-phone.png'), fullPage: true });
  await phone.close();
} catch (e) {
  console.error('page test failed; console problems so far:\n' + problems.join('\n'));
  if (current) console.error('state:', await current.evaluate(() => JSON.stringify({ ...window.adfd.state, lastSnap: undefined,
    snap: window.adfd.state.lastSnap && { model: window.adfd.state.lastSnap.model, progress: window.adfd.state.lastSnap.progress, finished: window.adfd.state.lastSnap.finished },
    status: document.getElementById('status').textContent, hash: location.hash })).catch((e) => String(e)));
  throw e;
} finally {
  await browser.close();
  server.close();
}

bench.query = QUERY;
bench.wasm_bytes = (await stat(join(site, 'pkg', 'adfd_bg.wasm'))).size;
bench.wasm_threads_bytes = (await stat(join(site, 'pkg-threads', 'adfd_bg.wasm'))).size;
bench.wasm_relaxed_bytes = (await stat(join(site, 'pkg-relaxed', 'adfd_bg.wasm'))).size;
await writeFile(join(out, process.env.PAGE_BENCH_OUT || 'page-bench.json'), JSON.stringify(bench, null, 2) + '\n');
console.log(`page test (${BROWSER}): benchmarks`, JSON.stringify(bench));
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`page test (${BROWSER}): passed; screenshots in ${out}/`);
