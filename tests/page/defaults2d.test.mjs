// The 2-D network defaults solve their problem in the page, in time: for poisson2d and
// biharmonic2d with the two-layer network at adfd's defaults for that problem (nothing
// but the problem and the model in the link), the page's comparison finishes within
// 30 s of navigation and AD's final relative L2 error (the page's own report) is at
// most 1e-4 (poisson2d) and 1e-3 (biharmonic2d), the targets tests/defaults.rs holds
// natively on seeds 0–9, while FD at the coarsest h stays at least 10× worse.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import { BROWSER, launch } from './browser.mjs';
import * as harness from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const server = await serve(join(root, 'site'), 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();
const problems = [];
const step = (text) => console.log(`2-D defaults test (${BROWSER}): ${text}`);

const CASES = [['poisson2d', 1e-4], ['biharmonic2d', 1e-3]];
const LIMIT_MS = 30_000;

try {
  for (const [problem, target] of CASES) {
    const t0 = Date.now();
    const page = await harness.open(browser, `${base}#problem=${problem}&model=two-layer`, { problems });
    const report = await harness.finishedReport(page);
    const ms = Date.now() - t0;
    const { config, runs } = report;
    assert.equal(config.problem, problem);
    assert.equal(config.train.optimizer, 'lm', `${problem}: the default optimizer`);
    const ad = runs[0];
    const fd = runs.slice(1).reduce((a, r) => (r.h > a.h ? r : a));
    const [adError, fdError] = [ad.error_l2, fd.error_l2];
    step(`${problem} (width ${config.net.width}, ${config.train.steps} LM steps, ${config.n} points): `
      + `finished in ${(ms / 1e3).toFixed(1)} s; AD's L2 error ${adError.toExponential(2)}, `
      + `FD h = ${fd.h}'s ${fdError.toExponential(2)}`);
    assert.ok(ms <= LIMIT_MS, `${problem}: finished after ${ms} ms, over ${LIMIT_MS}`);
    assert.ok(adError <= target, `${problem}: AD's error ${adError} > ${target}`);
    assert.ok(fdError >= 10 * adError, `${problem}: FD h = ${fd.h}'s error ${fdError} is not 10× AD's ${adError}`);
    await page.close();
  }
  assert.deepEqual(problems, [], `the page reported:\n${problems.join('\n')}`);
  step('passed');
} finally {
  await browser.close();
  server.close();
}
