// The browser layer itself (browser.mjs), in the browser BROWSER names: the page tests
// pass only if nothing was reported, so this checks that what should be reported is:
// a console error, an uncaught exception (in the page and in a worker), a request that
// leaves the origin, a dialog. And that the page API means what the tests take it to
// mean: values round-trip through evaluate, `:text-is` matches whole text only, fill and
// selectOption fire the events a user's input fires, Tab moves focus, a download keeps
// its name and bytes, postFromWorker reaches the page's onmessage, and the site's CSP
// (no string eval) is in force while functions still run. A fixture page without a CSP
// is served beside the site for the parts that need inline script.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import { BROWSER, launch, postFromWorker } from './browser.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const step = (name) => console.log(`browser test (${BROWSER}): ${name}`);
const TIMEOUT = { timeout: 30_000 };

const fixture = await mkdtemp(join(tmpdir(), 'adfd-browser-test-'));
await writeFile(join(fixture, 'index.html'), `<!doctype html><meta charset="utf-8"><title>fixture</title>
<button id="a">Copy link</button> <button id="b">Copy link again</button> <button id="c" hidden>hidden</button>
<input name="x" value="old"> <select name="s"><option value="p">P</option><option value="q">Q</option></select>
<a id="dl" download="fixture.txt">download</a>
<script src="fixture.js"></script>`);
await writeFile(join(fixture, 'fixture.js'), `window.seen = [];
for (const id of ['a', 'b']) document.getElementById(id).addEventListener('click', () => seen.push('click ' + id));
document.querySelector('[name=x]').addEventListener('input', (e) => seen.push('input ' + e.target.value));
document.querySelector('[name=s]').addEventListener('change', (e) => seen.push('change ' + e.target.value));
document.getElementById('dl').href = URL.createObjectURL(new Blob(['bytes from the page\\n'], { type: 'text/plain' }));
window.worker = new Worker('worker.js');
worker.onmessage = (e) => seen.push('message ' + JSON.stringify(e.data));`);
await writeFile(join(fixture, 'worker.js'), `onmessage = (e) => {
  if (e.data === 'log') console.error('worker says no');
  if (e.data === 'throw') throw new Error('worker threw');
};`);
const site = await serve(join(root, 'site'));
const fix = await serve(fixture, 0, { headers: false });
const siteBase = `http://127.0.0.1:${site.address().port}/`;
const fixBase = `http://127.0.0.1:${fix.address().port}/`;
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  const events = [];
  page.on('console', (m) => events.push(['console', m.type(), m.text()]));
  page.on('pageerror', (e) => events.push(['pageerror', e.message]));
  page.on('request', (r) => events.push(['request', r.url()]));
  page.on('dialog', (d) => { events.push(['dialog', d.message()]); d.dismiss(); });
  await page.goto(fixBase);
  const saw = async (pred, what) => {
    for (let i = 0; i < 100 && !events.some(pred); i++) await page.waitForTimeout(50);
    assert.ok(events.some(pred), `${what} was reported: ${JSON.stringify(events.filter((e) => e[0] !== 'request'))}`);
  };

  // Values round-trip as Playwright's do (NaN, -0, undefined, nesting).
  const v = await page.evaluate((x) => ({ x, nan: NaN, neg: -0, inf: -Infinity, u: undefined, arr: [1, 'two', null] }), { deep: { a: [1.5] } });
  assert.deepEqual(v, { x: { deep: { a: [1.5] } }, nan: NaN, neg: -0, inf: -Infinity, u: undefined, arr: [1, 'two', null] });

  // What the page tests count as problems is reported.
  await page.evaluate(() => { console.error('page says no'); });
  await saw((e) => e[0] === 'console' && e[1] === 'error' && e[2].includes('page says no'), 'console.error');
  await page.evaluate(() => { setTimeout(() => { throw new Error('page threw'); }); });
  await saw((e) => e[0] === 'pageerror' && e[1].includes('page threw'), 'an uncaught exception');
  await page.evaluate(() => { worker.postMessage('log'); });
  await saw((e) => e[0] === 'console' && e[1] === 'error' && e[2].includes('worker says no'), "a worker's console.error");
  await page.evaluate(() => { worker.postMessage('throw'); });
  await saw((e) => e[0] === 'pageerror' && e[1].includes('worker threw'), "a worker's uncaught exception");
  await page.evaluate((url) => { new Image().src = url; }, siteBase + 'elsewhere.png');
  await saw((e) => e[0] === 'request' && e[1] === siteBase + 'elsewhere.png', 'a request to another origin');
  await page.evaluate(() => { setTimeout(() => alert('a dialog')); });
  await saw((e) => e[0] === 'dialog' && e[1] === 'a dialog', 'a dialog');
  assert.equal(await page.evaluate(() => 1 + 1), 2, 'the page goes on after the dialog is dismissed');
  step('console errors, uncaught exceptions (page and worker), offsite requests and dialogs are reported');

  // Selectors and input.
  await page.click('button:text-is("Copy link")');
  assert.equal(await page.isVisible('#c'), false, 'a hidden element is not visible');
  assert.equal(await page.isVisible('#a'), true);
  await page.fill('input[name=x]', 'new');
  await page.selectOption('select[name=s]', 'q');
  assert.equal(await page.inputValue('input[name=x]'), 'new');
  assert.deepEqual(await page.evaluate(() => seen), ['click a', 'input new', 'change q'], ':text-is matched the whole text only; fill and selectOption fired input and change');
  await page.focus('#a');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'b', 'Tab moved the focus');
  await postFromWorker(page, { type: 'hello' });
  await page.waitForFunction(() => seen.includes('message {"type":"hello"}'), null, TIMEOUT);
  step('click on :text-is, fill, selectOption, isVisible, Tab and postFromWorker work');

  // A download keeps its suggested name and its bytes.
  const [dl] = await Promise.all([page.waitForEvent('download', TIMEOUT), page.click('#dl')]);
  assert.equal(dl.suggestedFilename(), 'fixture.txt');
  const saved = join(fixture, 'saved.txt');
  await dl.saveAs(saved);
  assert.equal(await readFile(saved, 'utf8'), 'bytes from the page\n');
  const png = await page.screenshot();
  assert.equal(png.subarray(1, 4).toString(), 'PNG', 'a PNG screenshot');
  step('a download kept its name and bytes; a screenshot is a PNG');
  await page.close();

  // The site's CSP forbids string eval; functions passed by the tests still run.
  const csp = await browser.newPage();
  await csp.goto(siteBase + '#model=rfm');
  await csp.waitForFunction(() => window.adfd?.state.ready, null, { timeout: 120_000 });
  // (A string timer, not eval inside the function: Chromium lets code that DevTools
  // calls eval, whatever the CSP; a timer's string is the page's own.)
  await csp.evaluate(() => {
    document.addEventListener('securitypolicyviolation', (e) => { window.violated = e.violatedDirective; });
    setTimeout('window.stringRan = true');
  });
  await csp.waitForFunction(() => window.violated, null, TIMEOUT);
  const r = await csp.evaluate(() => ({ ran: window.stringRan === true, directive: window.violated }));
  assert.equal(r.ran, false, 'a string timer ran despite the CSP');
  assert.match(r.directive, /script-src|default-src/, 'the violation is of the script policy');
  await csp.close();
  step("the site's CSP blocks string eval; functions still run");
} finally {
  await browser.close();
  site.close();
  fix.close();
  await rm(fixture, { recursive: true, force: true });
}
console.log(`browser test (${BROWSER}): passed`);
