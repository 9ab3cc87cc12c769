// The page stays in the visitor's hands, in a real headless browser (BROWSER=chromium
// or firefox, see browser.mjs): a link whose run needs more than a gigabyte or a
// minute loads held, saying what it needs, until "Run anyway"; Stop abandons a run in
// the middle of one long unit of work within a second and leaves a fresh worker idle
// with the settings kept; a Pause the worker cannot hear is handled by the watchdog;
// a worker that crashes twice on the same settings stays stopped instead of looping;
// no snapshot of old settings is drawn once new ones are sent; and the live region
// announces state changes, not every snapshot. The main thread answers within 200 ms
// throughout.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readdir } from 'node:fs/promises';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import { BROWSER, launch, postFromWorker } from './browser.mjs';
import * as harness from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const site = join(root, 'site');
const { LONG } = harness;
const problems = [];
const step = (name) => console.log(`control test (${BROWSER}): ${name}`);

// A 2-D RFM of about 1.4 GB whose setup alone (the 2500 × 12000 exact test operator)
// takes seconds: one long unit of work.
const HEAVY = '#problem=poisson2d&model=rfm&m=12000&n=2500';

const server = await serve(site);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();

// The threaded build (as on a machine with 3 or more cores), so that Stop and the
// watchdog are tested with rayon's pool running too; ready once settings were sent.
const open = (hash) => harness.open(browser, base + '?threads=2' + hash, {
  problems,
  where: hash,
  ready: (page) => page.waitForFunction(() => window.adfd?.state.ready && window.adfd.state.acks.configure >= 1, null, { timeout: LONG }),
});

const until = (page, fn, arg, timeout = LONG) => page.waitForFunction(fn, arg, { timeout });
const state = (page) => page.evaluate(() => {
  const s = window.adfd.state;
  return { running: s.running, held: s.held, stopped: s.stopped, generation: s.generation, panics: s.panics.length,
    configures: s.acks.configure || 0, setUp: s.lastSnap?.setUp, done: s.lastSnap?.progress.done,
    problem: s.lastSnap?.problem, note: document.getElementById('budget-note').hidden ? '' : document.getElementById('budget-text').textContent,
    error: document.getElementById('general-error').textContent, m: document.querySelector('#controls [name="m"]').value };
});

// The main thread answers a trivial request within 200 ms.
async function responsive(page, where) {
  const t = Date.now();
  await page.evaluate(() => 1);
  const ms = Date.now() - t;
  assert.ok(ms < 200, `${where}: the main thread took ${ms} ms to answer`);
}

try {
  // 0. Policy: the worker's script has its own CSP, the document's forbids framing and
  // form submission, and the page is cross-origin isolated (served as the demo serves it).
  // Rayon's pool workers (the threaded build) get the same policy as the page's worker.
  const helpers = (await readdir(join(site, 'pkg-threads', 'snippets'))).map((d) => `pkg-threads/snippets/${d}/src/workerHelpers.js`);
  assert.equal(helpers.length, 1, 'one wasm-bindgen-rayon snippet');
  for (const path of ['worker.js', ...helpers]) {
    const worker = await fetch(base + path);
    assert.equal(worker.status, 200, path);
    assert.match(worker.headers.get('content-security-policy') || '', /^default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'/, path);
  }
  const doc = (await fetch(base)).headers.get('content-security-policy') || '';
  assert.ok(doc.includes("frame-ancestors 'none'") && doc.includes("form-action 'none'"), doc);
  step('the workers (the page\'s and rayon\'s) have their own CSP; the document forbids framing and form submission');

  // 1. A heavy link loads held: applied, set up nothing, says what it needs.
  const page = await open(HEAVY);
  await until(page, () => window.adfd.state.lastSnap);
  await page.waitForTimeout(500);
  let s = await state(page);
  assert.ok(s.held && !s.running, `held: ${JSON.stringify(s)}`);
  assert.equal(s.setUp, false, 'nothing set up');
  assert.equal(s.m, '12000', "the link's settings are shown");
  assert.match(s.note, /needs about [\d.]+ GB of memory and .+ of work on this machine/);
  await responsive(page, 'held');
  assert.equal(await page.evaluate(() => window.crossOriginIsolated), true, 'cross-origin isolated');
  if (BROWSER === 'chromium') {
    // Chromium-only: Firefox's BiDi cannot run scripts in a worker (see browser.mjs).
    // (The test's own evaluation bypasses CSP, so the checks go through a timer's
    // string and a fetch the worker makes.)
    // The page's own worker (rayon's pool workers of the threaded build sit blocked in
    // Atomics.wait, where no script can be evaluated; their CSP header is checked above).
    const workers = page.workers();
    assert.ok(workers.some((w) => /workerHelpers\.js/.test(w.url())), `rayon's pool runs: ${workers.map((w) => w.url())}`);
    const own = workers.find((w) => /\/worker\.js(\?|$)/.test(w.url()));
    const inWorker = await own.evaluate(() => new Promise((done) => {
      self.stringRan = false;
      try { setTimeout('self.stringRan = true', 0); } catch { /* refused outright */ }
      setTimeout(() => fetch('data:text/plain,x').then(() => done('fetched'), () => done(self.stringRan ? 'string ran' : 'blocked')), 50);
    }));
    assert.equal(inWorker, 'blocked', "the worker's CSP forbids string code and fetches off the site");
  }
  step(`heavy link held: “${s.note}”`);

  // 1b. A heavy link that asks for a sweep (run=sweep) is held too: the sweep waits
  // for Run like the run does.
  const sweepPage = await open(HEAVY + '&run=sweep');
  await until(sweepPage, () => window.adfd.state.lastSnap);
  await sweepPage.waitForTimeout(1500);
  const sw = await sweepPage.evaluate(() => ({ held: window.adfd.state.held, running: window.adfd.state.running,
    sweep: window.adfd.state.lastSnap?.sweep ?? null, setUp: window.adfd.state.lastSnap?.setUp }));
  assert.ok(sw.held && !sw.running && sw.sweep === null && sw.setUp === false, `a heavy sweep link is held: ${JSON.stringify(sw)}`);
  await sweepPage.close();
  step('heavy sweep link held: no sweep starts before Run');

  // 2. Run anyway, then Stop in the middle of the setup: within a second a fresh
  // worker holds the same settings, idle.
  await page.click('#run-anyway');
  await until(page, () => window.adfd.state.running);
  await page.waitForTimeout(1200);  // inside the setup or the first fit (minutes long)
  s = await state(page);
  assert.ok(s.running && !s.done, `inside its first long unit: ${JSON.stringify(s)}`);
  const configures = s.configures;
  const t0 = Date.now();
  await page.click('#stop');
  await until(page, (n) => window.adfd.state.acks.configure > n, configures, 5000);
  const stopMs = Date.now() - t0;
  s = await state(page);
  assert.ok(stopMs < 1000, `a fresh worker held the settings after ${stopMs} ms`);
  assert.ok(s.stopped && !s.running && s.m === '12000', `stopped with the settings kept: ${JSON.stringify(s)}`);
  await page.waitForTimeout(1000);
  s = await state(page);
  assert.ok(!s.running && s.setUp === false, `the fresh worker stays idle: ${JSON.stringify(s)}`);
  await responsive(page, 'stopped');
  step(`Stop during a long setup: fresh idle worker with the settings after ${stopMs} ms`);

  // 3. A Pause the busy worker cannot hear: the watchdog replaces it within ~3.5 s and
  // the page ends stopped, not running.
  await page.click('#run');
  await until(page, () => window.adfd.state.running && window.adfd.state.lastSnap?.setUp);
  await page.waitForTimeout(800);  // inside the first fit (minutes long)
  const t1 = Date.now();
  await page.click('#run');  // Pause
  await until(page, () => window.adfd.state.stopped && !window.adfd.state.running, null, 6000)
    .catch(async (e) => { console.log('state:', JSON.stringify(await state(page)), await page.textContent('#status')); throw e; });
  step(`an unanswered Pause ended stopped after ${Date.now() - t1} ms`);
  await responsive(page, 'after the watchdog');
  await page.close();

  // 3b. The link that crash-looped (13 runs of Adam state on a 2 × 4000 network, ~8 GB
  // against wasm32's 4 GiB): refused beside its control before anything is allocated,
  // the defaults run, and no worker dies.
  const oom = await open('#problem=poisson1d&model=mlp&layers=2&width=4000&n=1&optimizer=adam&h=1e-1,1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,2e-1,2e-2,2e-3,2e-4,2e-5');
  await until(oom, () => /WebAssembly/.test(document.getElementById('general-error').textContent) && window.adfd.state.lastSnap?.setUp);
  await oom.waitForTimeout(1500);
  s = await state(oom);
  assert.equal(s.panics, 0, 'no worker died');
  assert.match(s.error, /width was rejected: .*needs about [\d.]+ GB of memory, more than the [\d.]+ GB a browser tab's WebAssembly can use/);
  step(`the crash-looping link is refused: “${s.error.slice(0, 120)}…”`);
  await oom.close();

  // 4. Two crashes on the same settings: the second leaves the page stopped; no loop.
  const crash = await open('#model=rfm&m=100&n=100');
  await until(crash, () => window.adfd.state.lastSnap?.finished);
  const before = (await state(crash)).configures;
  await postFromWorker(crash, { type: 'panic', message: 'adfd panicked: a simulated crash' });
  await until(crash, () => window.adfd.state.panics.length === 1 && window.adfd.state.lastSnap?.finished);
  s = await state(crash);
  assert.ok(!s.stopped && /restarted/.test(s.error), `first crash restarts: ${JSON.stringify(s)}`);
  await until(crash, (n) => window.adfd.state.acks.configure > n, before);  // the fresh worker has the settings
  await postFromWorker(crash, { type: 'panic', message: 'adfd panicked: a simulated crash' });
  await until(crash, () => window.adfd.state.panics.length === 2 && window.adfd.state.stopped);
  await crash.waitForTimeout(2000);
  s = await state(crash);
  assert.ok(s.stopped && !s.running && s.panics === 2, `stays stopped: ${JSON.stringify(s)}`);
  assert.match(s.error, /crashed again on these settings.*stopped/);
  step(`a second crash on the same settings stays stopped: “${s.error.slice(0, 90)}…”`);
  await crash.close();

  // 5. No stale snapshot is drawn after new settings are sent, and the live region
  // speaks only on state changes.
  const live = await open('#model=two-layer&problem=poisson1d&width=60&n=60&steps=3000&h=1e-1');
  await until(live, () => window.adfd.state.lastSnap?.progress.done > 20);
  await live.evaluate(() => {
    window.__seen = [];
    window.__statusChanges = 0;
    new MutationObserver(() => window.__statusChanges++).observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
    const s = window.adfd.state;
    s.announced.length = 0;
    let last = s.lastSnap;
    setInterval(() => { if (s.lastSnap !== last) { last = s.lastSnap; window.__seen.push(last.problem); } }, 2);
  });
  await live.waitForTimeout(1500);
  await live.selectOption('#controls select[name="problem"]', 'biharmonic1d');
  await live.dispatchEvent('#controls select[name="problem"]', 'change');
  const sent = await live.evaluate(() => window.__seen.length);
  await until(live, () => window.adfd.state.lastSnap?.problem === 'biharmonic1d' && window.adfd.state.lastSnap.progress.done > 10);
  await live.waitForTimeout(1000);
  const { seen, statusChanges, announced } = await live.evaluate(() => ({ seen: window.__seen, statusChanges: window.__statusChanges, announced: window.adfd.state.announced }));
  const after = seen.slice(sent);
  assert.ok(after.length > 0 && after.every((p) => p === 'biharmonic1d'), `drawn after the change: ${after.join(',')}`);
  assert.ok(statusChanges > 20, `the status line follows the run (${statusChanges} changes)`);
  assert.ok(announced.length <= 4, `announced: ${JSON.stringify(announced)}`);
  step(`after the change ${after.length} snapshots drawn, all of the new settings; status changed ${statusChanges}×, announced ${announced.length}×: ${JSON.stringify(announced)}`);
  await responsive(live, 'live');
  await live.close();

  assert.deepEqual(problems, [], 'no console errors or uncaught exceptions');
  step('passed');
} catch (e) {
  console.log('control test failed; problems so far:', problems);
  throw e;
} finally {
  await browser.close();
  server.close();
}
