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
