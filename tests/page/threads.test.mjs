// Threads in the browser (BROWSER=chromium or firefox, see browser.mjs):
// 1. Served with COOP/COEP (as ./scripts/demo serves it), the worker runs the threaded
//    build on the threads asked for (?threads=1, 2, 4, with ?fma=off: the plain
//    threaded build even where the browser has relaxed SIMD) and the single-threaded
//    build on ?threads=off, and an RFM comparison, a two-layer training and an MLP
//    training give the same bits in all four: the exported reports are equal once their
//    timing fields are dropped. The status line says how many threads run. (The FMA
//    build, which rounds differently, has the same check of its own in fma.test.mjs.)
//    Sections 2, 5 and 7 run whichever threaded build the browser picks (the FMA build
//    where it has relaxed SIMD, see www/fma.js).
// 2. A static host without headers (GitHub Pages): coi-sw.js makes the page
//    cross-origin isolated after exactly one reload, and it runs threaded.
// 3. The same host where the service worker cannot help (coi-sw.js missing): the page
//    runs single-threaded, says why in the status line, and does not reload-loop.
// 4. A service worker that cannot isolate: one reload in the first tab, none in a
//    new tab it already serves.
// 5. Threads that never start: after 15 s the page runs single-threaded, saying why.
// 6. The pool's workers (started by the page, see www/pool.js) go with the worker that
//    asked for them: after Stop the page has one worker and its threads, not two sets.
//    Chromium only: its pages list their workers (Playwright's page.workers()).
// 7. A pool thread that panics and dies while running (a stand-in workerHelpers.js
//    for the first pool, whose threads post the panic hook's message and then throw
//    instead of serving rayon, as a Rust panic does: hook, then trap): the work
//    waiting on it would wait forever, so the page shows the crash and restarts with
//    a fresh pool, which then runs.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import { BROWSER, launch } from './browser.mjs';
import * as harness from './harness.mjs';

const site = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'site');
const { LONG } = harness;
const step = (name) => console.log(`threads test (${BROWSER}): ${name}`);
const problems = [];

const CONFIGS = harness.SMALL_RUNS;
const EXPECT = harness.SMALL_RUNS_EXPECT;
const THREADS = ['1', '2', '4', 'off'];
const query = (threads) => (threads === 'off' ? '?threads=off' : `?threads=${threads}&fma=off`);

const browser = await launch();

// The page with `query` and `hash`, once its worker said how many threads it runs.
const open = (base, query, hash) => harness.openThreaded(browser, problems, base, query, hash);
const { finishedReport } = harness;

// The server paths of wasm-bindgen-rayon's workerHelpers.js in the threaded builds
// (one per snippet directory, plain and FMA), for the stand-ins of sections 5 and 7.
const helperPaths = async () => (await Promise.all(['pkg-threads', 'pkg-relaxed'].map(async (pkg) => (await readdir(join(site, pkg, 'snippets')))
  .map((d) => `/${pkg}/snippets/${d}/src/workerHelpers.js`)))).flat();

const threadsOf = (page) => page.evaluate(() => ({ ...window.adfd.state.threads,
  isolated: window.crossOriginIsolated, status: document.getElementById('status').textContent }));

// The threaded build this browser runs when the link does not say ?fma=off.
const THREADED = await (async () => {
  const server = await serve(site);
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.goto(`http://127.0.0.1:${server.address().port}/?threads=off`);
  const relaxed = await page.evaluate(async () => (await import('/fma.js')).hasRelaxedSimd());
  await page.close();
  server.close();
  return relaxed ? 'threaded+fma' : 'threaded';
})();

try {
  // 1. Same bits on every thread count and in both builds.
  {
    const server = await serve(site);
    const base = `http://127.0.0.1:${server.address().port}/`;
    for (const [name, hash] of Object.entries(CONFIGS)) {
      const reports = {};
      for (const threads of THREADS) {
        const page = await open(base, query(threads), hash);
        reports[threads] = await finishedReport(page);
        const t = await threadsOf(page);
        if (threads === 'off') {
          assert.equal(t.build, 'single', `?threads=off: ${JSON.stringify(t)}`);
          assert.match(t.status, /1 thread \(the link asks for the single-threaded build/);
        } else {
          assert.equal(t.build, 'threaded', `?threads=${threads}: ${JSON.stringify(t)}`);
          assert.equal(t.count, Number(threads), `?threads=${threads} runs ${t.count}`);
          assert.match(t.status, new RegExp(`· ${threads} threads? ·`), t.status);
        }
        await page.close();
      }
      assert.ok(EXPECT[name](reports['1'].config), `${name}: ${JSON.stringify(reports['1'].config)}`);
      assert.ok(reports['1'].runs.length >= 2, `${name}: AD and FD runs`);
      for (const threads of THREADS.slice(1)) {
        assert.deepStrictEqual(reports[threads], reports['1'], `${name}: ?threads=${threads} differs from ?threads=1`);
      }
      step(`${name}: identical reports (${reports['1'].runs.length} runs) on 1, 2, 4 threads and the single-threaded build`);
    }
    server.close();
  }

  // 2. No headers, but the service worker: isolated after one reload, threaded.
  {
    const server = await serve(site, 0, { isolated: false });
    const base = `http://127.0.0.1:${server.address().port}/`;
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await page.goto(base + '?threads=2' + CONFIGS.rfm);  // threaded even on a 2-core machine
    await page.waitForFunction(() => window.adfd?.state.finished, null, { timeout: LONG });
    const t = await threadsOf(page);
    const reloads = await page.evaluate(() => sessionStorage.getItem('adfd-isolation-reload'));
    assert.equal(t.isolated, true, `isolated through coi-sw.js: ${JSON.stringify(t)}`);
    assert.equal(t.build, THREADED, JSON.stringify(t));
    assert.equal(reloads, '1', 'reloaded once');
    step(`a host without headers: coi-sw.js isolates the page after one reload; ${t.count} threads`);
    await page.close();
    server.close();
  }

  // 3. No headers and no service worker: single-threaded, saying why, no reload loop.
  {
    const server = await serve(site, 0, { isolated: false, without: ['/coi-sw.js'] });
    const base = `http://127.0.0.1:${server.address().port}/`;
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await page.goto(base + CONFIGS.rfm);
    await page.waitForFunction(() => window.adfd?.state.finished, null, { timeout: LONG });
    const t = await threadsOf(page);
    assert.equal(t.isolated, false);
    assert.equal(t.build, 'single', JSON.stringify(t));
    assert.match(t.status, /1 thread \(this page is not cross-origin isolated/, t.status);
    const navigations = await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.type);
    assert.notEqual(navigations, 'reload', 'the page did not reload');
    step(`a host where the service worker cannot help: "${t.status.split(' · ').at(-2)}"`);
    await page.close();
    server.close();
  }

  // 4. A service worker that cannot isolate (here: one that adds no headers): one
  // reload, then single-threaded; a page it already serves, in a new tab (a new
  // session), is not reloaded again.
  {
    const noop = "self.addEventListener('install', () => self.skipWaiting());\n"
      + "self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));\n"
      + "self.addEventListener('fetch', (e) => e.respondWith(fetch(e.request)));\n";
    const server = await serve(site, 0, { isolated: false, replace: { '/coi-sw.js': noop } });
    const base = `http://127.0.0.1:${server.address().port}/`;
    const profile = await browser.profile({ viewport: { width: 1100, height: 800 } });
    const first = await profile.newPage();
    await first.goto(base + CONFIGS.rfm);
    await first.waitForFunction(() => window.adfd?.state.finished, null, { timeout: LONG });
    let t = await threadsOf(first);
    assert.equal(t.isolated, false);
    assert.equal(t.build, 'single', JSON.stringify(t));
    assert.equal(await first.evaluate(() => sessionStorage.getItem('adfd-isolation-reload')), '1', 'reloaded once');
    const second = await profile.newPage();  // a new tab: a new session, the same service worker
    await second.goto(base + CONFIGS.rfm);
    await second.waitForFunction(() => window.adfd?.state.finished, null, { timeout: LONG });
    t = await threadsOf(second);
    const controlled = await second.evaluate(() => Boolean(navigator.serviceWorker.controller));
    const reloaded = await second.evaluate(() => sessionStorage.getItem('adfd-isolation-reload'));
    assert.ok(controlled, 'the second page is served by the service worker');
    assert.equal(reloaded, null, 'a page the service worker already served is not reloaded');
    assert.equal(t.build, 'single', JSON.stringify(t));
    step('a service worker that cannot isolate: one reload in the first tab, none in the next; single-threaded');
    await first.close();
    await second.close();
    await profile.close();
    server.close();
  }

  // 5. Threads that never start (a stand-in workerHelpers.js whose startWorkers never
  // resolves, as in a browser that stalls starting the pool's workers): after 15 s the
  // page runs the single-threaded build and says why.
  {
    const helpers = await helperPaths();
    const server = await serve(site, 0, { replace: Object.fromEntries(helpers.map((h) => [h, 'export const startWorkers = () => new Promise(() => {});\n'])) });
    const base = `http://127.0.0.1:${server.address().port}/`;
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const t0 = Date.now();
    await page.goto(base + '?threads=2' + CONFIGS.rfm);
    await page.waitForFunction(() => window.adfd?.state.finished, null, { timeout: LONG });
    const t = await threadsOf(page);
    assert.equal(t.build, 'single', JSON.stringify(t));
    assert.match(t.status, /1 thread \(the threaded build did not start within 15 s\)/, t.status);
    step(`threads that never start: single-threaded after ${((Date.now() - t0) / 1000).toFixed(0)} s, saying why`);
    await page.close();
    server.close();
  }

  // 6. Stop twice on two threads: 1 + 2 workers remain, not 1 + 2 × 3.
  if (BROWSER === 'chromium') {
    const server = await serve(site);
    const base = `http://127.0.0.1:${server.address().port}/`;
    const page = await open(base, '?threads=2', CONFIGS.rfm);
    await page.waitForFunction(() => window.adfd.state.finished, null, { timeout: LONG });
    for (let i = 0; i < 2; i++) {
      await page.click('#stop');
      await page.waitForTimeout(500);
    }
    let count = 0;
    for (const until = Date.now() + 10_000; Date.now() < until; await page.waitForTimeout(100)) {
      count = page.workers().length;
      if (count === 3) break;
    }
    assert.equal(count, 3, `after two Stops on ?threads=2 the page has ${count} workers, not the page's worker and its 2 threads`);
    step('after two Stops on 2 threads: 3 workers (the page\'s and its 2 threads)');
    await page.close();
    server.close();
  }

  // 7. Pool threads that panic: the first pool's two threads die, the next pool runs.
  {
    const helpers = await helperPaths();
    const real = await readFile(join(site, helpers[0]), 'utf8');
    const serving = 'pkg.wbg_rayon_start_worker(receiver);';
    assert.ok(real.includes(serving), 'workerHelpers.js serves rayon as the stand-in expects');
    const dying = real.replace(serving, "setTimeout(() => {\n"
      + "    postMessage({ type: 'panic', message: 'adfd panicked: a simulated panic in a pool thread' });\n"
      + "    throw new Error('a simulated trap');\n  }, 500);");
    // The page's worker loads the module once, then each of the 2 pool threads.
    let served = 0;
    const server = await serve(site, 0, { replace: Object.fromEntries(helpers.map((h) => [h, () => (++served <= 3 ? dying : real)])) });
    const base = `http://127.0.0.1:${server.address().port}/`;
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await page.goto(base + '?threads=2' + CONFIGS.rfm);
    await page.waitForFunction(() => window.adfd?.state.panics.length >= 1, null, { timeout: 30_000 });
    const error = await page.evaluate(() => document.getElementById('general-error').textContent);
    assert.match(error, /^The computation crashed \(adfd panicked: a simulated panic in a pool thread\)\. It was restarted/, error);
    // What was finished before the crash does not count (the fresh worker needs far
    // longer than this to load, start its pool and run).
    await page.evaluate(() => { window.adfd.state.finished = false; });
    const report = await finishedReport(page);
    assert.ok(EXPECT.rfm(report.config) && report.runs.length >= 2, `the fresh pool ran the link: ${JSON.stringify(report.config)}`);
    const t = await threadsOf(page);
    assert.equal(t.build, THREADED, JSON.stringify(t));
    assert.equal(t.count, 2, JSON.stringify(t));
    assert.deepEqual(await page.evaluate(() => window.adfd.state.panics), ['adfd panicked: a simulated panic in a pool thread'], 'one crash');
    step(`a pool thread that panics: "${error.slice(0, 72)}…"; the fresh pool finished the run`);
    await page.close();
    server.close();
  }
} finally {
  await browser.close();
}

assert.deepEqual(problems, [], problems.join('\n'));
step('passed');
