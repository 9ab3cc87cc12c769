// Page-level fuzzing of settings links, in a real headless Chromium (Debian's, driven
// by playwright-core as in links.test.mjs). FUZZ_LINKS random links (default 200) from
// a seeded PRNG (the seed is printed; FUZZ_SEED=<n> replays a run): random keys (the
// schema's, key_hide, run, prototype names, garbage, repeated keys) with random values
// (huge, negative, NaN/Infinity, 1e308, percent-encoded, '+', unicode, markup). Most
// are applied by setting location.hash on a live page, some by a fresh navigation.
// After each one:
//   * the page answers a key event within 200 ms (measured while the worker takes the
//     new settings, and again once it has): the browser acknowledges a key event only
//     once the page's main thread has handled it, after the task it is running, as a
//     visitor's key would be. A late answer is the page's fault when the page itself
//     ran a task that long since the previous link (Long Tasks API); one without such a
//     task was held up outside the page (the driver, the browser process, this shared
//     machine) and is reported, not counted;
//   * no uncaught exception, no console error, no worker panic;
//   * the controls show exactly the config the worker runs (its report, with a timeout);
//   * no markup from a payload exists anywhere in the document (the payloads use the
//     distinctive tag names adfd-x / adfd-y and attribute data-adfd-inj), and the
//     page's set of element tag names is the one it had before the link.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import * as harness from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const site = process.env.SITE || join(root, 'site');  // SITE=<dir>: fuzz another build
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const LINKS = Number(process.env.FUZZ_LINKS || 200);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32);
const ANSWER_MS = 200;   // the page must answer a key event this fast
const SETTLE_MS = 20_000;  // a link must be taken (and the worker report) within this
const FRESH = 0.15;      // the share of links opened by a fresh navigation
const MAX_SEED = 9007199254740991;
const step = (name) => console.log(`fuzz test: ${name}`);
console.log(`fuzz test: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${LINKS} links`);

// mulberry32: a small seeded PRNG, so a failing link can be replayed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const pick = (list) => list[Math.floor(random() * list.length)];
const chance = (p) => random() < p;

// Markup payloads: distinctive names, so an injected element is unmistakable.
const MARKUP = [
  '<adfd-x data-adfd-inj=1>',
  '"><adfd-y data-adfd-inj=1 onload=alert(1)>',
  "'><img src=x onerror=alert(1) data-adfd-inj=1>",
  '</small><adfd-x data-adfd-inj=1>x</adfd-x>',
  '<svg><adfd-y data-adfd-inj=1 /></svg>',
  '${alert(1)}<adfd-x data-adfd-inj=1>',
];
const PROTO = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype',
  'isPrototypeOf', '__defineGetter__', 'length', 'item', 'namedItem', 'elements', 'submit'];
const WILD = ['', ' ', 'NaN', '-NaN', 'Infinity', '-Infinity', 'inf', '-inf', '1e308', '1e309', '-1e308',
  '5e-324', '1e-400', '-0', '0', '-1', '-5', '+7', '0x10', '1_0', '1,5', '١٢', '１２', '1e', '.', 'auto',
  '99999999999999999999999', '18446744073709551615', '9007199254740992', '4294967297', 'null',
  'undefined', 'true', '[]', '{}', '\u202e1', '\u0000', '😀', 'é', '\t3\n', '%', '%%', '%zz', '%E0%A4%A'];

// A value beyond a whole-number control's cap (invalid), or a small valid one. Valid
// values stay small: a link that passes validation yet makes the worker compute for
// seconds (m = 20000, n = 20000, width = 5000, steps = 10⁶) is kept out for now.
// Most links start from a light baseline (LIGHT keeps valid sizes small); one in
// HEAVY_SHARE starts from a valid but heavy one (a 2-D RFM of ~1.4 GB), which the page
// must hold, with what it needs, without setting anything up.
const HEAVY = 'problem=poisson2d&model=rfm&m=12000&n=2500';
const HEAVY_SHARE = 0.06;
const LIGHT = { m: [1, 60], n: [1, 60], width: [1, 12], layers: [1, 3], steps: [1, 40] };
function wholeValue(c) {
  if (chance(0.3)) return String(pick([c.max + 1, c.max * 10, 1e9, 2 ** 53, '99999999999999999999', c.min - 1]));
  const [lo, hi] = LIGHT[c.key] || [c.min, Math.min(c.max, c.key === 'seed' ? MAX_SEED : c.max)];
  return String(int(lo, hi));
}

function numberValue() {
  return pick([
    () => String(random() * 10),
    () => (10 ** (random() * 20 - 16)).toExponential(int(0, 4)),
    () => String(-random() * 100),
    () => pick(['1e308', '1e-308', '1e4', '1e8', '100', '1', '0.5', '1e-13', '3.16e-8', '2.5e+0']),
  ])();
}

function valueFor(c) {
  const r = random();
  if (r < 0.12) return pick(WILD);
  if (r < 0.2) return pick(MARKUP);
  if (r < 0.25) return String(pick([1e308, -1e308, Number.MAX_SAFE_INTEGER, -1, 0]));
  if (!c) return pick(WILD);
  switch (c.kind) {
    case 'choice': return chance(0.8) ? pick(c.choices) : pick([...c.choices].map((s) => pick([s.toUpperCase(), ` ${s}`, s + 'x'])));
    case 'whole': return wholeValue(c);
    case 'text': return c.key === 'h'
      ? Array.from({ length: int(0, chance(0.1) ? 15 : 4) }, () => (10 ** -(random() * 4)).toExponential(1)).join(pick([', ', ',', ' ', ';']))
      : pick(['auto', '', numberValue()]);
    default: return numberValue();
  }
}

function garbageKey() {
  const chars = [...'abcxyz_-.[]<>"\'&=%+ é😀\u0000'];  // code points, not UTF-16 halves
  return Array.from({ length: int(0, 10) }, () => pick(chars)).join('');
}

// How a link encodes a key or value: properly, raw, with '+' for spaces, or with
// every character percent-encoded (encodeURIComponent leaves some alone).
function encode(s) {
  const r = random();
  if (r < 0.6) return encodeURIComponent(s);
  if (r < 0.75) return s.replace(/[#&=%]/g, encodeURIComponent);  // raw, except the link's own syntax
  if (r < 0.85) return encodeURIComponent(s).replace(/%20/g, '+');
  return [...new TextEncoder().encode(s)].map((b) => '%' + b.toString(16).padStart(2, '0').toUpperCase()).join('');
}

// A random link: the light baseline (m, n, width, steps small; see LIGHT), then 1–7
// random pairs, which win over the baseline (the last of a repeated key counts).
function link(schema) {
  const baseline = chance(HEAVY_SHARE) ? HEAVY : 'm=40&n=40&width=8&layers=2&steps=20';
  const pairs = [];
  for (let i = int(1, 7); i > 0; i--) {
    const r = random();
    let key;
    if (r < 0.6) key = pick(schema).key;
    else if (r < 0.67) key = pick(schema).key + '_hide';
    else if (r < 0.77) key = pick(PROTO);
    else if (r < 0.85) key = garbageKey();
    else if (r < 0.88) key = 'run';
    else key = pairs.length ? pairs[int(0, pairs.length - 1)][0] : pick(schema).key;  // repeated
    const c = schema.find((s) => s.key === key);
    let value = key === 'run' ? pick(['sweep', 'x', '']) : valueFor(c);
    if (key.endsWith('_hide')) value = pick(['1', '0', '', 'x']);
    pairs.push([key, value]);
  }
  const parts = pairs.map(([k, v]) => (chance(0.05) ? encode(k) : encode(k) + '=' + encode(v)));
  if (chance(0.05)) parts.push('%');  // a malformed escape
  return '#' + [baseline, ...parts].join('&');
}

const problems = [];
const server = await serve(site);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
let current = '';  // the link being tested, for the error messages

async function open(hash) {
  const page = await harness.open(browser, base + hash, {
    problems,
    where: `${current}:`,
    // The page's tasks over 50 ms (Long Tasks API), from its first.
    before: (page) => page.addInitScript(() => {
      window.fuzzLong = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.fuzzLong.push(e.duration); })
        .observe({ type: 'longtask', buffered: true });
    }),
    ready: settled,
  });
  // Loading (a fresh renderer's first layout took 80-170 ms here) is reported apart.
  for (const ms of await page.evaluate(() => window.fuzzLong.splice(0))) loading = Math.max(loading, ms);
  // Counts hash changes (after the page's own listener, so its loadLink has run).
  await page.evaluate(() => { window.fuzzHashes = 0; window.addEventListener('hashchange', () => { window.fuzzHashes++; }); });
  return page;
}

const settled = (page) => page.waitForFunction(() => window.adfd?.state.ready && !window.adfd.state.linkPending,
  null, { timeout: SETTLE_MS });

// How long a key event (Shift down, which does nothing on the page) waits for the page;
// a page that has not answered within FROZEN_MS fails the test there.
const FROZEN_MS = 10_000;
async function answerMs(page) {
  const t = performance.now();
  let timer;
  const frozen = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the page did not answer a key event within ${FROZEN_MS / 1000} s`)), FROZEN_MS);
  });
  await Promise.race([page.keyboard.down('Shift'), frozen]).finally(() => clearTimeout(timer));
  const ms = performance.now() - t;
  await page.keyboard.up('Shift');
  return ms;
}

const workerConfig = (page) => harness.workerConfig(page, SETTLE_MS);

let held = 0;
// A run the page estimates above its budget is held: the note says what it needs, the
// worker is not running and has set nothing up.
async function checkHeld(page) {
  const s = await page.evaluate(() => ({ heavy: window.adfd.state.estimate?.heavy, held: window.adfd.state.held,
    running: window.adfd.state.running, setUp: window.adfd.state.lastSnap?.setUp,
    note: document.getElementById('budget-note').hidden ? '' : document.getElementById('budget-text').textContent }));
  if (!s.heavy) return;
  held++;
  if (!s.held || s.running || s.setUp || !/needs about .* of memory and .* of work/.test(s.note)) {
    problems.push(`${current}: a heavy run was not held: ${JSON.stringify(s)}`);
  }
}

const controlsOf = (page) => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#controls [name]')]
  .filter((el) => !el.name.endsWith('_slider')).map((el) => [el.name, el.value])));

// Injected markup: a payload's element or attribute anywhere, and the page's tag names.
const markup = (page) => page.evaluate(() => ({
  injected: [...document.querySelectorAll('adfd-x, adfd-y, [data-adfd-inj], [onerror], [onload]')].map((e) => e.outerHTML.slice(0, 80)),
  raw: document.documentElement.outerHTML.includes('<adfd-'),
  tags: [...new Set([...document.querySelectorAll('*')].map((e) => e.tagName))].sort(),
}));

// The config value at a control's path ('rfm.m', 'threshold.a').
const at = (config, path) => path.split('.').reduce((o, k) => (o == null ? o : o[k]), config);
const numbersEqual = (text, value) => typeof value === 'number' && text.trim() !== '' && Number(text) === value;

// Where the controls and the worker's config disagree, one line per control.
function differences(schema, shown, config) {
  const out = [];
  for (const c of schema) {
    const text = shown[c.key];
    const value = at(config, c.path);
    let same;
    if (c.key === 'model') same = text === 'rfm' ? value === 'rfm' : value === 'network';
    else if (c.key === 'layers' && shown.model === 'two-layer') same = value === 1;  // two-layer pins it
    else if (c.key === 'lr') same = ['', 'auto'].includes(text.trim()) ? value === null : numbersEqual(text, value);
    else if (c.key === 'h') {
      const steps = text.split(/[,;\s]+/).filter(Boolean).map(Number);
      same = Array.isArray(value) && steps.length === value.length && steps.every((h, i) => h === value[i]);
    } else if (c.kind === 'choice') same = String(value) === text;
    else same = numbersEqual(text, value);
    if (!same) out.push(`${c.key}: controls show ${JSON.stringify(text)}, the worker runs ${JSON.stringify(value)}`);
  }
  return out;
}

const answers = [];
let longest = { ms: 0, link: '' };  // the page's longest task after loading
let loading = 0;  // its longest while loading
let outside = 0;  // late answers without a page task as long
let fresh = 0;
let rejected = 0;
const t0 = performance.now();
try {
  let page = await open('#' + 'm=40&n=40&model=rfm');
  const schema = await page.evaluate(async () => (await import(new URL('pkg/adfd.js', location.href).href)).controlSchema());
  assert.ok(schema.length > 10, 'the schema has the controls');
  const before = await markup(page);
  const tags = new Set(before.tags);
  assert.deepEqual(before.injected, []);
  // The checks can fail: a planted element is found, and a config unlike the
  // controls differs.
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<adfd-x data-adfd-inj=1></adfd-x>'));
  const planted = await markup(page);
  assert.ok(planted.injected.length === 1 && planted.raw && planted.tags.includes('ADFD-X'), 'a planted element is found');
  await page.evaluate(() => document.querySelector('adfd-x').remove());
  const config = await workerConfig(page);
  assert.deepEqual(differences(schema, await controlsOf(page), config), [], 'the first link runs what it shows');
  assert.equal(differences(schema, await controlsOf(page), { ...config, seed: config.seed + 1 }).length, 1, 'a different seed is seen');
  // A planted 400 ms task is seen both ways: a late key event, and the page's task.
  await page.evaluate(() => { window.fuzzLong.splice(0); setTimeout(() => { const t = performance.now(); while (performance.now() - t < 400); }, 50); });
  await page.waitForTimeout(100);
  const held = await answerMs(page);
  await page.waitForTimeout(100);
  const plantedTasks = await page.evaluate(() => window.fuzzLong.splice(0));
  assert.ok(held > ANSWER_MS && plantedTasks.some((ms) => ms > ANSWER_MS),
    `a planted 400 ms task: key event answered in ${held.toFixed(0)} ms, page tasks ${plantedTasks.map(Math.round)}`);
  step(`${schema.length} controls; the page has ${tags.size} tag names before any link; `
    + `a planted 400 ms task held a key event ${held.toFixed(0)} ms`);

  for (let i = 0; i < LINKS; i++) {
    const hash = link(schema);
    current = `link ${i + 1} ${hash.length > 300 ? hash.slice(0, 300) + '…' : hash}`;
    const errorsBefore = problems.length;
    if (chance(FRESH)) {
      fresh++;
      await page.close();
      page = await open(hash);
      answers.push(await answerMs(page));
    } else {
      const seen = await page.evaluate(() => window.fuzzHashes);
      await page.evaluate((h) => { location.hash = h; }, hash);
      answers.push(await answerMs(page));  // while the worker takes the link
      // A hash equal to the address bar's fires no hashchange: nothing to wait for.
      await page.waitForFunction((n) => window.fuzzHashes > n, seen, { timeout: 1000 }).catch(() => {});
      await settled(page);
    }
    const config = await workerConfig(page);
    const shown = await controlsOf(page);
    await checkHeld(page);
    answers.push(await answerMs(page));  // once it has
    const tasks = await page.evaluate(() => window.fuzzLong.splice(0));
    for (const ms of tasks) if (ms > longest.ms) longest = { ms, link: current };
    if (process.env.FUZZ_VERBOSE) console.log(`${current.slice(0, 70)}: ${answers.slice(-2).map((ms) => ms.toFixed(0)).join(', ')} ms`);
    const late = answers.slice(-2).filter((ms) => ms > ANSWER_MS);
    if (late.length) {
      const said = `${current}: a key event was answered in ${late.map((ms) => ms.toFixed(0)).join(', ')} ms (> ${ANSWER_MS})`;
      const long = tasks.filter((ms) => ms > ANSWER_MS);
      if (long.length) problems.push(`${said}; the page ran tasks of ${long.map((ms) => ms.toFixed(0)).join(', ')} ms`);
      else {
        outside++;
        console.log(`${said}, with no page task over 50 ms longer than ${Math.max(0, ...tasks).toFixed(0)} ms: held up outside the page, not counted`);
      }
    }
    const panics = await page.evaluate(() => window.adfd.state.panics.length);
    if (panics) problems.push(`${current}: the worker panicked: ${await page.evaluate(() => window.adfd.state.panics.join('; '))}`);
    for (const d of differences(schema, shown, config)) problems.push(`${current}: ${d}`);
    const m = await markup(page);
    if (m.injected.length || m.raw) problems.push(`${current}: injected markup: ${m.injected.join(' ')}`);
    const extra = m.tags.filter((t) => !tags.has(t));
    if (extra.length) problems.push(`${current}: new element tags ${extra.join(', ')}`);
    if (/rejected/.test(await page.evaluate(() => document.getElementById('general-error').textContent))) rejected++;
    if (problems.length > errorsBefore) console.error(problems.slice(errorsBefore).join('\n'));
    if (problems.length > 20) break;  // enough to go on
    if ((i + 1) % 50 === 0) step(`${i + 1} links (${fresh} by fresh navigation), ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  await page.close();
} catch (e) {
  console.error(`fuzz test failed at ${current}; replay with FUZZ_SEED=${SEED}; problems so far:\n${problems.join('\n')}`);
  throw e;
} finally {
  await browser.close();
  server.close();
}

const sorted = [...answers].sort((a, b) => a - b);
step(`${LINKS} links, ${fresh} by fresh navigation, ${rejected} rejected by Rust, ${held} heavy and held, in ${((performance.now() - t0) / 1000).toFixed(0)} s; `
  + `key events answered in median ${sorted[sorted.length >> 1].toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms; `
  + `${outside} late without a page task as long; the page's longest task ${longest.ms.toFixed(0)} ms `
  + `(${longest.link.slice(0, 80)}), ${loading.toFixed(0)} ms while loading`);
if (problems.length) {
  console.error(`fuzz test: ${problems.length} problems (replay with FUZZ_SEED=${SEED}):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('fuzz test: passed');
