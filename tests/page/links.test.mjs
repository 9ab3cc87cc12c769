// Settings links, in a real headless browser (BROWSER=chromium, the default: Debian's
// Chromium through playwright-core; BROWSER=firefox: Firefox ESR over WebDriver BiDi;
// see browser.mjs):
// the form is built from Rust's control schema; every value the page writes into the
// address bar reads back to the same settings (a seed of 2^53 − 1, every threshold
// slider position, '+' and '%' in values); in-page anchors (#about, #lessons, the skip
// link) leave the settings and a locked lesson alone; keys like constructor or
// __proto__ are unknown settings, not crashes; a repeated key has one rule (the last
// counts) and says so; and a link rejected on a hash change ends with the worker
// running exactly what the controls show.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import { BROWSER, launch } from './browser.mjs';
import * as harness from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const site = join(root, 'site');
const { LONG } = harness;
const MAX_SEED = '9007199254740991';  // 2^53 − 1
const problems = [];
const step = (name) => console.log(`links test (${BROWSER}): ${name}`);

const server = await serve(site);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();

// The RFM at adfd's defaults (a first visit without a link trains a network instead).
// A link's page, once its settings were applied.
const open = (hash = '#model=rfm') => harness.open(browser, base + hash, {
  problems,
  ready: (page) => page.waitForFunction(() => window.adfd?.state.ready && !window.adfd.state.linkPending, null, { timeout: LONG }),
});

// Functions, not strings, for the page: its CSP (rightly) forbids evaluating strings.
const controlsOf = (page) => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#controls [name]')]
  .filter((el) => !el.name.endsWith('_slider')).map((el) => [el.name, el.value])));
const message = (page) => page.evaluate(() => document.getElementById('general-error').textContent);
const hashValues = (page) => page.evaluate(() => Object.fromEntries(location.hash.slice(1).split('&')
  .map((kv) => kv.split('=').map(decodeURIComponent))));
const setHash = (page, hash) => page.evaluate((h) => { location.hash = h; }, hash);
const until = (page, fn, arg) => page.waitForFunction(fn, arg, { timeout: LONG });

const workerConfig = (page) => harness.workerConfig(page);

// Types `value` into control `key` as a user would (select, or fill + change).
async function enter(page, key, value) {
  const tag = await page.evaluate((k) => document.querySelector(`#controls [name="${k}"]`).tagName, key);
  if (tag === 'SELECT') await page.selectOption(`#controls select[name="${key}"]`, value);
  else { await page.fill(`#controls input[name="${key}"]`, value); await page.dispatchEvent(`#controls input[name="${key}"]`, 'change'); }
}

try {
  // 1. The form is the Rust schema: one control per entry, its choices and defaults;
  // controls.js itself names no choice and no range.
  const page = await open();
  const schema = await page.evaluate(async () => (await import(new URL('pkg/adfd.js', location.href).href)).controlSchema());
  const shown = await controlsOf(page);
  assert.deepEqual(Object.keys(shown), schema.map((c) => c.key), 'one control per schema entry, in order');
  for (const c of schema) {
    assert.equal(shown[c.key], c.default, `${c.key} shows its default`);
    if (c.kind === 'choice') {
      const options = await page.evaluate((k) => [...document.querySelector(`#controls select[name="${k}"]`).options].map((o) => o.value), c.key);
      assert.deepEqual(options, c.choices, `${c.key}'s menu is the schema's`);
    }
  }
  assert.deepEqual(schema.find((c) => c.key === 'problem').choices, ['poisson1d', 'biharmonic1d', 'poisson2d', 'biharmonic2d']);
  assert.equal(schema.find((c) => c.key === 'seed').max, Number(MAX_SEED));
  const js = await readFile(join(root, 'www', 'controls.js'), 'utf8');
  for (const copied of ['poisson1d', 'uniform', 'adam', 'f32', 'relu', 'two-layer', 'absolute', '20000']) {
    assert.ok(!js.includes(copied), `controls.js copies "${copied}" from Rust`);
  }
  const defaults = await workerConfig(page);
  assert.deepEqual(await hashValues(page), shown, 'the first hash is the defaults');
  step(`${schema.length} controls built from controlSchema(); their menus and defaults are Rust's`);

  // 2. Values the page writes read back to the same settings: a 16-digit seed, a
  // half-decade slider position, '+' in values, a list with spaces.
  await enter(page, 'seed', MAX_SEED);
  await page.evaluate(() => {
    const s = document.querySelector('#controls [name=threshold_slider]');
    s.value = -7.5;
    s.dispatchEvent(new Event('input'));
  });
  await enter(page, 'scale', '5e+0');
  await enter(page, 'h', '1e-1, 1e-2');
  await until(page, (seed) => {
    const h = decodeURIComponent(location.hash);
    return h.includes(`seed=${seed}`) && h.includes('scale=5e+0') && h.includes('h=1e-1, 1e-2') && h.includes('threshold=3.16e-8');
  }, MAX_SEED);
  const written = await controlsOf(page);
  assert.equal(written.threshold, '3.16e-8', 'the slider writes a plain number');
  assert.equal(await message(page), '', 'no error for the written values');
  const config = await workerConfig(page);
  assert.equal(config.seed, Number(MAX_SEED));
  assert.deepEqual(config.threshold, { kind: 'relative', a: 3.16e-8 });
  assert.equal(config.rfm.scale, 5);
  const link = await page.evaluate(() => location.hash);
  const reread = await open(link);
  assert.deepEqual(await controlsOf(reread), written, 'the link shows the same controls');
  assert.deepEqual(await workerConfig(reread), config, 'the link runs the same config');
  assert.equal(await message(reread), '', 'the link raises no complaint');
  assert.equal(await reread.evaluate(() => document.querySelector('#controls [name=threshold_slider]').value), '-7.5');
  await reread.close();
  step(`seed ${MAX_SEED}, threshold slider -7.5 (→ 3.16e-8), scale 5e+0 and h "1e-1, 1e-2" read back from ${link.length}-character link`);

  // Every slider position, relative and absolute, writes text that Rust accepts and
  // that puts the slider back where it was.
  for (const kind of ['relative', 'absolute']) {
    await setHash(page, `#threshold_kind=${kind}`);
    await until(page, (kind) => document.querySelector('#controls [name=threshold_kind]').value === kind
      && !window.adfd.state.linkPending, kind);
    const answered = () => page.evaluate(() => (window.adfd.state.acks.configure || 0) + window.adfd.state.errors.length);
    const answers = (n) => until(page, (n) => (window.adfd.state.acks.configure || 0) + window.adfd.state.errors.length >= n, n);
    const errorsBefore = await page.evaluate(() => window.adfd.state.errors.length);
    let before = await answered();
    const positions = await page.evaluate(() => {
      const s = document.querySelector('#controls [name=threshold_slider]');
      const t = document.querySelector('#controls [name=threshold]');
      const out = [];
      for (let p = Number(s.min); p <= Number(s.max) + 1e-9; p += Number(s.step)) {
        s.value = p;
        s.dispatchEvent(new Event('input'));
        out.push([s.value, t.value]);
      }
      return out;
    });
    assert.equal(positions.length, kind === 'relative' ? 32 : 41, `${kind} slider positions`);
    await answers(before + 1);  // the slider's last position, sent once the debounce ends
    before = await answered();
    for (const [position, text] of positions) {
      await setHash(page, `#threshold_kind=${kind}&threshold=${encodeURIComponent(text)}`);
      const back = await page.waitForFunction((text) => {
        const t = document.querySelector('#controls [name=threshold]');
        return t.value === text && document.querySelector('#controls [name=threshold_slider]').value;
      }, text, { timeout: LONG });
      assert.equal(await back.jsonValue(), position, `${kind} ${text} puts the slider back at ${position}`);
    }
    await answers(before + positions.length);  // one configure per link
    const errors = await page.evaluate((n) => window.adfd.state.errors.slice(n), errorsBefore);
    assert.deepEqual(errors, [], `every ${kind} slider text is accepted by Rust`);
    step(`${kind} threshold: all ${positions.length} slider positions (${positions[0][1]} … ${positions.at(-1)[1]}) accepted and read back`);
  }
  await page.close();

  // '+' stays '+' (URLSearchParams would make it a space); '%' is %25; a bare '%' is
  // reported, not thrown.
  const plus = await open('#model=two-layer&steps=5&lr=1e+3');
  assert.equal((await controlsOf(plus)).lr, '1e+3');
  assert.equal((await workerConfig(plus)).train.lr, 1000);
  await plus.close();
  const percent = await open('#model=two-layer&steps=5&lr=50%25');
  await until(percent, () => document.getElementById('general-error').textContent.includes('rejected'));
  assert.match(await message(percent), /lr.*"50%"/, 'the rejected value is shown decoded');
  await percent.close();
  const bare = await open('#seed=5&lr=50%');
  assert.match(await message(bare), /not valid URL encoding.*lr=50%/);
  assert.equal((await controlsOf(bare)).seed, '5', 'the rest of the link still applies');
  await bare.close();
  step("'+' and '%' in values survive; a malformed escape is named and skipped");

  // 3. Keys are own properties only: Object.prototype's names are unknown settings.
  const proto = await open('#constructor=1&toString=1&__proto__=1&hasOwnProperty_hide=1&seed=3');
  assert.match(await message(proto), /Unknown settings in the link were ignored: constructor, toString, __proto__, hasOwnProperty_hide\./);
  assert.equal((await workerConfig(proto)).seed, 3);
  await proto.close();
  step('#constructor, #toString, #__proto__ are unknown settings, not controls');

  // 4. A repeated key: the last one counts, and the message says so.
  const twice = await open('#seed=5&seed=7');
  assert.equal((await controlsOf(twice)).seed, '7');
  assert.equal((await workerConfig(twice)).seed, 7);
  assert.match(await message(twice), /seed more than once; only the last one counts/);
  await setHash(twice, '#seed=7&seed=x');
  await until(twice, () => document.getElementById('general-error').textContent.includes('whole number'));
  assert.equal((await controlsOf(twice)).seed, defaults.seed.toString(), 'an invalid last value gives the default');
  assert.match(await message(twice), /seed "x" is not a whole number; its default is used.*only the last one counts/);
  await twice.close();
  step('seed=5&seed=7 runs seed 7; seed=7&seed=x runs the default, each with a message');

  // 5. In-page anchors leave the settings, and a locked lesson, alone.
  const locked = await open('#problem=biharmonic1d&model=rfm&seed=4&problem_hide=1');
  const lockedControls = await controlsOf(locked);
  const lockedConfig = await workerConfig(locked);
  const acks = await locked.evaluate(() => window.adfd.state.acks.configure);
  for (const [what, selector] of [['About', 'nav a[href="#about"]'], ['Things to try', 'nav a[href="#lessons"]'], ['skip link', 'a.skip']]) {
    await locked.evaluate((s) => document.querySelector(s).click(), selector);
    await locked.waitForTimeout(300);
    assert.deepEqual(await controlsOf(locked), lockedControls, `${what} changed the controls`);
    assert.equal(await locked.isVisible('[data-key="problem"]'), false, `${what} unlocked the lesson`);
    assert.equal(await locked.evaluate(() => window.adfd.state.acks.configure), acks, `${what} reconfigured the worker`);
    assert.equal(await message(locked), '');
  }
  assert.deepEqual(await workerConfig(locked), lockedConfig);
  await enter(locked, 'seed', '6');  // the next link still carries the lock
  await until(locked, () => location.hash.includes('seed=6'));
  assert.equal((await hashValues(locked)).problem_hide, '1', 'the lock stays in the link');
  await locked.close();
  const anchor = await open('#about');
  assert.equal(await anchor.evaluate(() => location.hash), '#about', 'the anchor is kept');
  assert.equal(await message(anchor), '', 'an anchor is not a settings link');
  assert.deepEqual(await workerConfig(anchor), defaults);
  await anchor.close();
  step('#about, #lessons and the skip link kept the settings and the lock; a page opened at #about runs the defaults');

  // 6. A link rejected on a hash change: the controls show the defaults and the
  // worker runs them (not the settings before the link).
  const change = await open('#model=two-layer&width=7&steps=30');
  assert.equal((await workerConfig(change)).net.width, 7);
  await setHash(change, '#m=0');
  await until(change, () => document.getElementById('general-error').textContent.includes('rejected'));
  assert.match(await message(change), /This link's m was rejected/);
  assert.equal((await controlsOf(change)).model, 'rfm', 'the controls show the defaults');
  assert.deepEqual(await workerConfig(change), defaults, 'the worker runs the defaults the controls show');
  await change.close();
  step('a rejected #m=0 after a two-layer link leaves the worker on the defaults the controls show');
} catch (e) {
  console.error('links test failed; problems so far:\n' + problems.join('\n'));
  throw e;
} finally {
  await browser.close();
  server.close();
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`links test (${BROWSER}): passed`);
