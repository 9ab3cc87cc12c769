// The page tests' one way to open a page and to ask its worker what it runs. Every
// test file opens pages through `open`, which installs the listeners that count a
// console error, an uncaught exception or a dialog as a problem, and waits until the
// page is ready in the test's own sense.
//
// Functions, never strings, go to the page: its CSP (rightly) forbids evaluating
// strings, and browser.mjs's Firefox side runs functions from the privileged side.

/** How long a test waits for the page by default (`PAGE_TIMEOUT_MS` overrides). */
export const LONG = Number(process.env.PAGE_TIMEOUT_MS || 180_000);

/**
 * Opens `url` in a new page of `browser` (from browser.mjs's `launch`) and returns it
 * once `ready(page)` resolves (by default: the page has started, `state.ready`).
 * Console errors, uncaught exceptions and dialogs are pushed onto `problems`, each
 * prefixed with `where`; `viewport` and `options` go to `newPage`.
 */
export async function open(browser, url, {
  problems,
  where = url.slice(url.indexOf('#')).slice(0, 60) || 'default',
  viewport = { width: 1280, height: 900 },
  options = {},
  ready = (page) => page.waitForFunction(() => window.adfd?.state.ready, null, { timeout: LONG }),
  before = null,
} = {}) {
  const page = await browser.newPage({ viewport, ...options });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${where} console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${where} uncaught: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`${where} a dialog opened: ${d.message()}`); d.dismiss(); });
  if (before) await before(page);
  await page.goto(url);
  await ready(page);
  return page;
}

/**
 * The config the page's worker runs: its answer to a `config` request, which sets
 * nothing up (so it answers at once, even for a held heavy run) and is handled after
 * every settings change sent before it.
 */
export async function workerConfig(page, timeout = LONG) {
  await page.evaluate(() => { window.adfd.state.lastConfig = null; window.adfd.send({ type: 'config' }); });
  await page.waitForFunction(() => window.adfd.state.lastConfig, null, { timeout });
  return page.evaluate(() => window.adfd.state.lastConfig);
}

/**
 * Opens `base + query + hash` at 1100 × 800 and returns the page once its worker said
 * which build it runs on how many threads (`state.threads`): for the tests that compare
 * builds and thread counts.
 */
export const openThreaded = (browser, problems, base, query, hash = '') => open(browser, base + query + hash, {
  problems,
  where: query + hash,
  viewport: { width: 1100, height: 800 },
  ready: (page) => page.waitForFunction(() => window.adfd?.state.threads, null, { timeout: LONG }),
});

/** Drops what depends on the machine's speed from a report (wall times, steps per second). */
export function withoutTimes(report) {
  delete report.time_ms;  // an RFM comparison's wall time
  for (const run of report.runs) {
    delete run.time_ms;
    if (run.speed) delete run.speed.steps_per_second;
  }
  return report;
}

/** The finished run's report (asked of the worker), without its times. */
export async function finishedReport(page) {
  await page.waitForFunction(() => window.adfd.state.finished, null, { timeout: LONG });
  await page.evaluate(() => { window.adfd.state.lastReport = null; window.adfd.send({ type: 'report' }); });
  await page.waitForFunction(() => window.adfd.state.lastReport, null, { timeout: LONG });
  return withoutTimes(JSON.parse(await page.evaluate(() => window.adfd.state.lastReport.json)));
}

// Small but complete runs of each kind of parallel work, for the tests that compare
// builds and thread counts (threads, fma): RFM assembly (columns) and SVD; the
// networks' loss, gradient, Jacobian and LM solve (row blocks).
export const SMALL_RUNS = {
  rfm: '#model=rfm&m=200&n=200',
  'two-layer': '#model=two-layer&width=40&n=60&steps=120&every=40',
  mlp: '#model=mlp&layers=2&width=12&n=40&steps=60&every=30',
};
// What each of SMALL_RUNS must have set up (the report's config), so a rejected link
// cannot pass by comparing the defaults.
export const SMALL_RUNS_EXPECT = {
  rfm: (c) => c.model === 'rfm' && c.rfm.m === 200 && c.n === 200,
  'two-layer': (c) => c.model === 'network' && c.net.layers === 1 && c.net.width === 40 && c.train.steps === 120,
  mlp: (c) => c.model === 'network' && c.net.layers === 2 && c.net.width === 12 && c.train.steps === 60,
};
