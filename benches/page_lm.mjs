// Browser benchmarks of Levenberg–Marquardt in the page (scripts/bench-web runs this on
// the built site/ beside tests/page/page.test.mjs; bench-only, it asserts nothing about
// the page that page.test.mjs does not):
//
// (a) first_visit_ad_error_1e6_ms: a first visit (no link: the first lesson, LM on
//     biharmonic1d) until the AD run's recorded relative L2 error is ≤ 1e-6, in ms from
//     the page's start (window.adfd.t0); also the step it was recorded at;
// (b) lm2d: the 2-D LM comparison at 20 × 20 points, width 200, AD and FD h = 0.1, for
//     poisson2d and biharmonic2d: each run's ms per step (the run table's time, 1e3 /
//     steps_per_second, what the native CLI's report gives).
//
// Writes artifacts/$PAGE_BENCH_OUT (default page-bench-lm.json). PAGE_QUERY picks the
// build (?threads=off, ?threads=N), as for page.test.mjs.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { serve } from '../tests/page/serve.mjs';
import { launch } from '../tests/page/browser.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'artifacts');
const LONG = Number(process.env.PAGE_TIMEOUT_MS || 300_000);
const QUERY = process.env.PAGE_QUERY || '';

/** The settings of the 2-D rows: native runs the same (scripts/bench-web). */
export const LM2D = { n: 400, width: 200, steps: 20, every: 10, h: '1e-1' };
const link = (problem) => `#problem=${problem}&model=two-layer&width=${LM2D.width}&n=${LM2D.n}` +
  `&optimizer=lm&steps=${LM2D.steps}&every=${LM2D.every}&h=${encodeURIComponent(LM2D.h)}`;

const server = await serve(join(root, 'site'));
const origin = `http://127.0.0.1:${server.address().port}/`;
await mkdir(out, { recursive: true });
const browser = await launch();
const bench = { query: QUERY, lm2d: {} };
const errors = [];
try {
  // (a) First visit: the lesson starts by itself; poll the AD run's recorded error.
  const first = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  first.on('pageerror', (e) => errors.push(e.message));
  await first.goto(origin + QUERY);
  await first.waitForFunction(() => {
    const s = window.adfd?.state.lastSnap;
    if (!s || s.model !== 'network' || !s.runs[0]?.training) return false;
    const t = s.runs[0].training;
    const i = t.errorL2.findIndex((e) => e <= 1e-6);
    if (i >= 0 && window.adfd.reached1e6 === undefined) {
      window.adfd.reached1e6 = { ms: performance.now() - window.adfd.t0, step: t.trueStep[i] };
    }
    return i >= 0 || s.finished;
  }, null, { timeout: LONG, polling: 10 });
  const reached = await first.evaluate(() => ({ reached: window.adfd.reached1e6 ?? null,
    problem: window.adfd.state.lastSnap.problem, steps: window.adfd.state.lastSnap.progress.total }));
  bench.first_visit_ad_error_1e6_ms = reached.reached?.ms ?? null;
  bench.first_visit_ad_error_1e6_step = reached.reached?.step ?? null;
  bench.first_visit_problem = reached.problem;
  console.log(`page_lm: first visit (${reached.problem}) AD error ≤ 1e-6 after`,
    reached.reached ? `${reached.reached.ms.toFixed(0)} ms (step ${reached.reached.step})` : 'never');
  await first.close();

  // (b) The 2-D LM comparison, one page load per problem.
  for (const problem of ['poisson2d', 'biharmonic2d']) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin + QUERY + link(problem));
    await page.waitForFunction((p) => {
      const s = window.adfd?.state.lastSnap;
      return s && s.model === 'network' && s.problem === p && s.finished;
    }, problem, { timeout: LONG });
    const runs = await page.evaluate(() => window.adfd.state.lastSnap.runs.map((r) => ({ label: r.label, ms_per_step: r.timeMs,
      steps: r.training.step, error_l2: r.errorL2 })));
    bench.lm2d[problem] = runs;
    console.log(`page_lm: ${problem} LM ms per step per run:`, runs.map((r) => `${r.label} ${r.ms_per_step.toFixed(2)}`).join(', '));
    await page.close();
  }
  bench.threads = await (async () => {
    const p = await browser.newPage();
    await p.goto(origin + QUERY + '#model=rfm');
    await p.waitForFunction(() => window.adfd?.state.threads, null, { timeout: LONG });
    const t = await p.evaluate(() => window.adfd.state.threads);
    await p.close();
    return t;
  })();
} finally {
  await browser.close();
  server.close();
}
bench.settings = LM2D;
bench.page_errors = errors;
await writeFile(join(out, process.env.PAGE_BENCH_OUT || 'page-bench-lm.json'), JSON.stringify(bench, null, 2) + '\n');
console.log('page_lm:', JSON.stringify(bench));
