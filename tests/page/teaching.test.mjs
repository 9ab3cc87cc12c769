// Teaching and sharing, in a real headless browser (BROWSER=chromium, the default:
// Debian's Chromium through playwright-core; BROWSER=firefox: Firefox ESR over WebDriver
// BiDi; see browser.mjs):
// a lesson link reproduces the same numbers as the same settings entered through the
// controls; key_hide hides its control; hostile or absurd link values give a clear
// message and the defaults (no hang, no injected markup); the exported JSON re-runs
// natively through the CLI (target/release/adfd) to the same numbers; keyboard alone
// reaches and operates Run/Pause with a visible focus ring; no request leaves the
// origin; screenshots of the desktop, phone and large-text layouts go to artifacts/
// (artifacts/firefox/ for Firefox).
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import { BROWSER, launch } from './browser.mjs';
import * as harness from './harness.mjs';
import { LESSONS, link } from '../../www/lessons.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const site = join(root, 'site');
const out = join(root, 'artifacts', ...(BROWSER === 'chromium' ? [] : [BROWSER]));
const CLI = process.env.ADFD_CLI || join(root, 'target', 'release', 'adfd');
const { LONG } = harness;
const problems = [];
const offsite = [];
const step = (name) => console.log(`teaching test (${BROWSER}): ${name}`);
const lesson = (title) => {
  const l = LESSONS.find((x) => x.title === title);
  assert.ok(l, `lesson "${title}" exists`);
  return link(l);
};

const server = await serve(site);
const base = `http://127.0.0.1:${server.address().port}/`;
await mkdir(out, { recursive: true });
const browser = await launch();

// The RFM comparison at adfd's defaults (a first visit without a link trains a network).
const RFM = '#model=rfm';

const open = (hash = RFM, options = {}) => harness.open(browser, base + hash, {
  problems,
  options: { acceptDownloads: true, ...options },
  before: (page) => page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith('data:') && !u.startsWith('blob:' + base.slice(0, -1))) offsite.push(u);
  }),
});
// Waits for a finished comparison whose snapshot matches `want` (field: value). A
// function, not a string: the page's CSP (rightly) forbids evaluating strings.
const finished = (page, want = {}) => page.waitForFunction((want) => {
  const s = window.adfd.state.lastSnap;
  return !!s && s.finished && window.adfd.state.linkPending !== true
    && Object.entries(want).every(([k, v]) => (k === 'runs' ? s.runs.length : k === 'total' ? s.progress.total : s[k]) === v);
}, want, { timeout: LONG });
const finals = (page) => page.evaluate(() => window.adfd.state.lastSnap.runs.map((m) => ({ label: m.label, loss: m.residualSystem, truth: m.residualTrue, entropy: m.spectrum?.entropy })));

// Floats agree to `rel` (plus `abs` of the scale): the browser's wasm and the native
// build use different libm's, so last bits may differ (tests/common/parity.rs).
function close(a, b, rel, abs = 0) {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= rel * Math.abs(b) + abs;
}

try {
  // 1. The default page: lessons, explanations in MathML, a CSP, exports present.
  const page = await open();
  await finished(page);
  const facts = await page.evaluate(() => ({
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content || '',
    lessons: [...document.querySelectorAll('#lesson-list a')].map((a) => a.textContent),
    maths: document.querySelectorAll('math').length,
    explained: document.querySelectorAll('figure details.explain').length,
    unlabelled: [...document.querySelectorAll('input, select, button')].filter((el) => !el.hidden && el.type !== 'hidden'
      && !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !(el.textContent || '').trim()).map((el) => el.outerHTML.slice(0, 80)),
  }));
  assert.match(facts.csp, /default-src 'self'/);
  assert.match(facts.csp, /'wasm-unsafe-eval'/);
  assert.deepEqual(facts.lessons, LESSONS.map((l) => l.title), 'every lesson listed, in order');
  assert.ok(facts.maths >= 5, `formulas in MathML (${facts.maths})`);
  assert.equal(facts.explained, 5, 'every chart panel has an explanation');
  assert.deepEqual(facts.unlabelled, [], 'every control is labelled');
  step(`default page: ${facts.lessons.length} lessons, ${facts.maths} MathML formulas, CSP set, every control labelled`);
  await page.screenshot({ path: join(out, 'teach-desktop.png'), fullPage: false });

  // 2. Exports of the default RFM run: JSON re-runs natively to the same numbers; CSV; PNG.
  const grab = async (p, name) => {
    const [dl] = await Promise.all([p.waitForEvent('download', { timeout: LONG }), p.click(`#share button:text-is("${name}")`)]);
    const path = join(out, `export-${dl.suggestedFilename()}`);
    await dl.saveAs(path);
    return path;
  };
  const jsonPath = await grab(page, 'JSON');
  const exported = JSON.parse(await readFile(jsonPath, 'utf8'));
  assert.ok(exported.config && exported.runs && exported.features, 'the JSON is an RFM report');
  const native = JSON.parse(execFileSync(CLI, ['rfm', '--config', jsonPath, '--json'], { maxBuffer: 1 << 28 }).toString());
  assert.deepEqual(native.config, exported.config, 'same config');
  assert.equal(native.runs.length, exported.runs.length);
  for (const [w, n] of exported.runs.map((r, i) => [r, native.runs[i]])) {
    const s1 = n.singular_values[0];
    assert.equal(w.h, n.h);
    assert.equal(w.cutoff, n.cutoff, `K of ${w.h}`);
    w.singular_values.forEach((s, i) => assert.ok(close(s, n.singular_values[i], 1e-9, 1e-11 * s1), `s_${i} of h=${w.h}: ${s} vs ${n.singular_values[i]}`));
    for (const k of ['entropy', 'effective_modes']) assert.ok(close(w[k], n[k], 1e-9), `${k} of h=${w.h}: ${w[k]} vs ${n[k]}`);
    // Fit quality goes through a pseudo-inverse cut at rcond = 1e-13, which amplifies
    // last-bit differences of the SVD: relative agreement, down to round-off floors
    // (AD's residuals sit near 1e-22, where only the order of magnitude means anything).
    for (const [k, rel, abs] of [['error_l2', 1e-3, 1e-12], ['error_max', 1e-3, 1e-12], ['residual_true', 1e-2, 1e-18], ['residual_system', 1e-2, 1e-20]]) {
      assert.ok(close(w[k], n[k], rel, abs), `${k} of h=${w.h}: ${w[k]} vs ${n[k]}`);
    }
  }
  step(`exported RFM JSON re-ran natively with the same spectra, K, H and residuals (${jsonPath})`);
  const csv = (await readFile(await grab(page, 'CSV'), 'utf8')).trim().split('\n');
  assert.match(csv[0], /^mode,h,cutoff,entropy/);
  assert.equal(csv.length, 1 + exported.runs.length, 'one CSV row per run');
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('figure:has(#chart-spectrum) button.png')]);
  const pngBytes = await readFile(await png.path());
  assert.equal(pngBytes.subarray(1, 4).toString(), 'PNG', 'a PNG file');
  step(`CSV (${csv.length - 1} rows) and a ${pngBytes.length}-byte PNG downloaded`);

  // Copy link: to the clipboard, or (no permission, as headless) shown selected.
  await page.click('#share button:text-is("Copy link")');
  await page.waitForFunction(() => document.getElementById('share-status').textContent.length > 0);
  const copied = await page.evaluate(() => ({ say: document.getElementById('share-status').textContent,
    shown: !document.getElementById('share-link').hidden, value: document.getElementById('share-link').value, href: location.href }));
  assert.ok(copied.say === 'link copied' || (copied.shown && copied.value === copied.href), `copy link: ${JSON.stringify(copied)}`);
  assert.match(copied.href, /seed=1/, 'the link holds the seed');
  // Reset replays the same initialization; New seed draws another, into the link.
  const before = await finals(page);
  await page.evaluate(() => { window.adfd.state.lastSnap = null; });  // wait for the worker's next snapshot
  await page.click('#reset');
  await finished(page, { seed: 1 });
  assert.deepEqual(await finals(page), before, 'reset gives the same numbers');
  await page.evaluate(() => { window.adfd.state.lastSnap = null; });
  await page.click('#newseed');
  await page.waitForFunction(() => window.adfd.state.lastSnap?.seed !== 1 && window.adfd.state.lastSnap?.finished, null, { timeout: LONG });
  const seed = await page.evaluate(() => window.adfd.state.lastSnap.seed);
  assert.ok(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get('seed') === String(seed), 'the new seed is in the link');
  assert.notDeepEqual(await finals(page), before, 'a new seed gives other numbers');
  step(`copy link (${copied.say}); reset reproduced the run; new seed ${seed} went into the link`);

  await page.close();

  // 3. Keyboard only, from a fresh page: Tab reaches Run/Pause, with a visible focus
  // ring; Enter and Space operate it.
  const kb = await open();
  await finished(kb);
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await kb.keyboard.press('Tab');
    reached = await kb.evaluate(() => document.activeElement?.id === 'run');
  }
  assert.ok(reached, 'Tab reaches the Run/Pause button');
  const ring = await kb.evaluate(() => { const s = getComputedStyle(document.activeElement); return `${s.outlineStyle} ${s.outlineWidth}`; });
  assert.ok(!ring.startsWith('none') && !ring.endsWith(' 0px'), `a visible focus ring (${ring})`);
  await kb.selectOption('select[name=model]', 'two-layer');  // a long run to pause
  await kb.waitForFunction(() => window.adfd.state.lastSnap?.model === 'network' && window.adfd.state.running, null, { timeout: LONG });
  await kb.focus('#run');
  await kb.keyboard.press('Enter');
  await kb.waitForFunction(() => !window.adfd.state.running, null, { timeout: LONG });
  await kb.keyboard.press('Space');
  await kb.waitForFunction(() => window.adfd.state.running, null, { timeout: LONG });
  step(`keyboard: Tab reached Run/Pause (focus ring ${ring}); Enter paused, Space resumed`);
  await kb.close();

  // 4. A lesson link gives exactly the numbers of the same settings entered by hand.
  const deep = lesson('A deeper network');
  const viaLink = await open(deep);
  await finished(viaLink, { model: 'network' });
  const linkResult = await finals(viaLink);
  const linkJson = await grab(viaLink, 'JSON');
  await viaLink.close();
  const byHand = await open();
  await finished(byHand);
  const settings = Object.fromEntries(new URLSearchParams(deep.slice(1)));
  for (const [k, v] of Object.entries(settings)) {
    const tag = await byHand.evaluate((k) => document.querySelector(`#controls [name="${k}"]`).tagName, k);
    if (tag === 'SELECT') await byHand.selectOption(`#controls select[name="${k}"]`, v);
    else { await byHand.fill(`#controls input[name="${k}"]`, v); await byHand.dispatchEvent(`#controls input[name="${k}"]`, 'change'); }
  }
  await finished(byHand, { model: 'network', total: Number(settings.steps), runs: 4 });
  const handResult = await finals(byHand);
  assert.deepEqual(handResult, linkResult, 'the lesson link and the same settings by hand give the same numbers');
  step(`lesson "A deeper network" reproduced by hand: final losses ${linkResult.map((r) => r.loss.toExponential(4)).join(', ')}`);
  // The same run's JSON re-runs natively through `adfd train --config`.
  const tj = JSON.parse(await readFile(linkJson, 'utf8'));
  const tn = JSON.parse(execFileSync(CLI, ['train', '--config', linkJson, '--json'], { maxBuffer: 1 << 28 }).toString());
  assert.deepEqual(tn.config, tj.config);
  assert.ok(close(tj.lr, tn.lr, 1e-9), 'same learning rate');
  tj.runs.forEach((r, i) => {
    const n = tn.runs[i];
    // wasm and native differ in the last bits of sin/exp; an FD stencil amplifies such
    // differences by ~1/h² (the round-off floor) and training carries them on: AD's
    // losses agree to ~1e-10 here, FD h=1e-3's to ~1e-5. Once Levenberg–Marquardt has
    // driven a loss ten decades down, those bits are all that is left of it: there the
    // losses agree to 1e-12 of the initial loss instead.
    const rel = Math.max(1e-8, r.h ? 1e5 * 2.2e-16 / (r.h * r.h) : 0);
    const abs = 1e-12 * n.loss[0][1];
    assert.equal(r.loss.length, n.loss.length, 'same number of steps');
    r.loss.forEach((p, j) => assert.ok(close(p[1], n.loss[j][1], rel, abs), `loss at step ${p[0]} of run ${i}: ${p[1]} vs ${n.loss[j][1]}`));
    assert.ok(close(r.speed.final_loss, n.speed.final_loss, rel, abs));
    assert.ok(close(r.error_l2, n.error_l2, 1e-3), `L2 error of run ${i}: ${r.error_l2} vs ${n.error_l2}`);
    assert.equal(r.speed.steps_to_target, n.speed.steps_to_target);
    assert.equal(r.kernel[0].cutoff, n.kernel[0].cutoff, 'K of J at step 0');
    assert.ok(close(r.kernel[0].entropy, n.kernel[0].entropy, 1e-9), 'H of J at step 0');
  });
  step('exported training JSON re-ran natively through adfd train with the same loss curves');
  await byHand.close();

  // 5. key_hide hides its control; a new link shows it again.
  const locked = await open(lesson('A locked-down lesson'));
  await finished(locked, { problem: 'biharmonic1d' });
  assert.equal(await locked.isVisible('[data-key="problem"]'), false, 'problem_hide hides the problem');
  assert.equal(await locked.isVisible('[data-key="model"]'), false);
  assert.equal(await locked.isVisible('[data-key="h"]'), true, 'h stays visible');
  await locked.evaluate(() => { location.hash = 'problem=poisson1d'; });
  await finished(locked, { problem: 'poisson1d' });
  assert.equal(await locked.isVisible('[data-key="problem"]'), true, 'a link without _hide shows the control again');
  step('problem_hide and model_hide hid their controls; a plain link showed them again');
  await locked.close();

  // 6. Hostile and absurd links: a clear message, the defaults, no hang, no markup.
  const hostile = [
    'm=99999999999&n=NaN',
    'm=-5',
    'n=20000&m=20000',
    'threshold=NaN',
    'h=1e-1,NaN',
    'seed=1e400',
    'k=1e308&lambda=Infinity',
    'problem=<script id=pwned>alert(1)</script>',
    'h=' + encodeURIComponent('<img id=pwned src=x onerror=alert(1)>'),
    'scale=' + encodeURIComponent('<b id=pwned>bold</b>'),
    'evil_key=<b id=pwned>bold</b>&' + '%3Cscript%3E=1',
    'h=' + '1'.repeat(5000),
    'width=100000&model=two-layer',
    'steps=1e9&model=two-layer',
  ];
  for (const h of hostile) {
    const p = await open('#' + h);
    await finished(p);
    const r = await p.evaluate(() => ({
      message: document.getElementById('general-error').textContent,
      m: document.querySelector('#controls [name=m]').value,
      problem: document.querySelector('#controls [name=problem]').value,
      snap: { problem: window.adfd.state.lastSnap.problem, runs: window.adfd.state.lastSnap.runs.length },
      scripts: document.scripts.length,
      injected: document.querySelectorAll('#general-error *, #pwned, img[src=x]').length,
    }));
    assert.ok(r.message.length > 10, `a message for #${h.slice(0, 50)}`);
    assert.equal(r.m, '400', 'the default m is shown');
    assert.equal(r.problem, 'poisson1d', 'the default problem is shown');
    assert.deepEqual(r.snap, { problem: 'poisson1d', runs: 4 }, 'the default comparison ran');
    assert.equal(r.scripts, 1, 'no script injected');
    assert.equal(r.injected, 0, 'no markup injected');
    step(`#${h.slice(0, 40)}… → “${r.message.slice(0, 110)}”`);
    await p.close();
  }

  // 7. Layouts: a phone (panels stack, no sideways scroll) and large text for a projector.
  const phone = await open(RFM, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await finished(phone);
  await phone.waitForFunction(() => window.adfd.stats.draws > 0);
  const lay = await phone.evaluate(() => {
    const [a, b] = [...document.querySelectorAll('.panel')].map((p) => p.getBoundingClientRect());
    return { overflow: document.documentElement.scrollWidth - window.innerWidth, stacked: b.top >= a.bottom };
  });
  assert.ok(lay.overflow <= 0, `the phone page scrolls sideways by ${lay.overflow} px`);
  assert.ok(lay.stacked, 'panels stack on a phone');
  await phone.screenshot({ path: join(out, 'teach-phone.png'), fullPage: true });
  await phone.close();
  const big = await open(RFM, { viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
  await finished(big);
  await big.click('#large-text');
  await big.waitForTimeout(400);
  const size = await big.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.ok(size >= 19, `large text is large (${size}px)`);
  // Chromium emulates prefers-reduced-motion per page; Firefox's WebDriver cannot (it
  // is a profile-wide pref there, and browser.mjs says it is not emulated), so this
  // check is Chromium's only.
  if (BROWSER === 'chromium') assert.ok(await big.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches), 'reduced motion is emulated');
  await big.screenshot({ path: join(out, 'teach-large-text.png') });
  await big.close();
  step(`phone layout stacks without sideways scroll; large text${BROWSER === 'chromium' ? ' and reduced motion' : ''} work`);
} catch (e) {
  console.error('teaching test failed; problems so far:\n' + problems.join('\n'));
  throw e;
} finally {
  await browser.close();
  server.close();
}

assert.deepEqual(offsite, [], 'no request left the origin');
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
await writeFile(join(out, 'teaching-ok.txt'), new Date().toISOString() + '\n');
console.log(`teaching test (${BROWSER}): passed; screenshots ${out}/teach-{desktop,phone,large-text}.png`);
