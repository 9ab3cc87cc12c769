// FMA in the browser (BROWSER=chromium or firefox, see browser.mjs): the threaded build
// compiled with relaxed SIMD (site/pkg-relaxed; www/fma.js asks the browser, www/worker.js
// loads it), whose fused multiply-adds round once where the other builds round twice.
// 1. The feature test: www/fma.js's answer in this browser, beside a control module
//    with plain SIMD only (which must validate, so a "no" means no relaxed SIMD, not a
//    broken test). The answer decides what the other sections expect.
// 2. Where the browser has relaxed SIMD, ?threads=1, 2 and 4 run the FMA build
//    (build 'threaded+fma', status "N threads + FMA"), and an RFM comparison, a
//    two-layer training and an MLP training give the same bits on all three.
//    Where it has none, ?threads=2 runs the plain threaded build, saying why.
// 3. ?fma=off (the link's way to ask for the fallback) runs the plain threaded build
//    and says why; its reports, and the native CLI's (target/release/adfd) on the same
//    exported config, agree with the FMA build's to the tolerance below, not to the bit.
// 4. A failed feature test, simulated (fma.js served as a stand-in that says no): the
//    plain threaded build, saying why. A browser that says yes but whose FMA build does
//    not load (pkg-relaxed/adfd_bg.wasm withheld): the plain threaded build, saying why.
//
// The tolerance (docs/page.md, "Which build runs"), with a(h) = ε/h^k the FD stencil's
// amplification of last-bit differences of u (ε = 2^-52, k = 2 for Poisson, 4 for the
// biharmonic; a = 0 for AD):
// - exactly equal: the config, points and features, every run's h, step counts, every
//   cutoff K (RFM and kernels), steps to the loss target, early-stop notes;
// - one evaluation, no iteration (the RFM spectra, H and effective modes; a training's
//   step-0 loss, its step-0 kernel spectrum and H, its learning rate and λ_max):
//   |Δσ_i| ≤ (1e-12 + a)·σ_1, and relative (1e-12 + a) for the others;
// - along a training run (every loss and true residual of the curve, the final loss,
//   every kernel's H): relative max(1e-8, 1e5·a), the rule the teaching test holds the
//   plain build to against native; the model's errors against the exact solution to
//   the same, relative or absolute (the solutions are of order 1: a model trained to
//   an error of 1e-7 has lost the digits that would make that error's own relative
//   difference small); LM's damping μ is not compared;
// - an RFM fit's errors and residuals, through a pseudo-inverse cut at rcond = 1e-13:
//   relative 1e-3 (errors) and 1e-2 (residuals) down to their round-off floors, as the
//   teaching test does.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import { BROWSER, launch } from './browser.mjs';
import * as harness from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const site = join(root, 'site');
const CLI = process.env.ADFD_CLI || join(root, 'target', 'release', 'adfd');
const { LONG } = harness;
const step = (name) => console.log(`fma test (${BROWSER}): ${name}`);
const problems = [];
const out = join(root, 'artifacts', ...(BROWSER === 'chromium' ? [] : [BROWSER]));
const fmaReports = {};

const CONFIGS = harness.SMALL_RUNS;
const EXPECT = harness.SMALL_RUNS_EXPECT;

const browser = await launch();

const open = (base, query, hash = '') => harness.openThreaded(browser, problems, base, query, hash);
const { finishedReport } = harness;

const threadsOf = (page) => page.evaluate(() => ({ ...window.adfd.state.threads,
  status: document.getElementById('status').textContent }));

// The same config through the native CLI, timing fields dropped as above.
async function nativeReport(report) {
  const dir = await mkdtemp(join(tmpdir(), 'adfd-fma-'));
  try {
    const file = join(dir, 'report.json');
    await writeFile(file, JSON.stringify(report));
    const kind = report.config.model === 'rfm' ? 'rfm' : 'train';
    return harness.withoutTimes(JSON.parse(execFileSync(CLI, [kind, '--config', file, '--json'], { maxBuffer: 1 << 28 }).toString()));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// --- The tolerance (see the header) ---
const EPS = 2 ** -52;
const amp = (config, h) => (h ? EPS / h ** (config.problem.startsWith('biharmonic') ? 4 : 2) : 0);
// |a − b| ≤ rel·|b| + abs; nulls only equal nulls. Returns a message or ''.
function within(what, a, b, rel, abs = 0) {
  if (a === null || b === null || a === undefined || b === undefined) return a === b ? '' : `${what}: ${a} vs ${b}`;
  return Math.abs(a - b) <= rel * Math.abs(b) + abs ? '' : `${what}: ${a} vs ${b} (|Δ| ${Math.abs(a - b).toExponential(2)} > ${(rel * Math.abs(b) + abs).toExponential(2)})`;
}
// Singular values: |Δσ_i| ≤ tol·σ_1, the same count.
function spectrum(what, s, t, tol) {
  if (s.length !== t.length) return [`${what}: ${s.length} singular values vs ${t.length}`];
  return s.map((x, i) => within(`${what} σ_${i}`, x, t[i], 0, tol * t[0])).filter(Boolean);
}

/**
 * Where report `got` (the FMA build's) and `want` (another build's) differ by more
 * than the tolerance: a list of messages, empty when they agree. Every field not
 * compared with a tolerance here must be exactly equal (checked last).
 */
function disagreements(got, want) {
  const out = [];
  const g = structuredClone(got);
  const w = structuredClone(want);
  const c = w.config;
  const start = 1e-12;
  if (g.runs.length !== w.runs.length) return [`${g.runs.length} runs vs ${w.runs.length}`];
  if (c.model === 'rfm') {
    for (const [i, [r, s]] of g.runs.map((r, i) => [r, w.runs[i]]).entries()) {
      const a = amp(c, s.h);
      const at = `run ${i} (h = ${s.h})`;
      out.push(...spectrum(at, r.singular_values, s.singular_values, start + a));
      for (const k of ['entropy', 'effective_modes']) out.push(within(`${at} ${k}`, r[k], s[k], start + a));
      for (const [k, rel, abs] of [['error_l2', 1e-3, 1e-12], ['error_max', 1e-3, 1e-12], ['residual_true', 1e-2, 1e-18], ['residual_system', 1e-2, 1e-20]]) {
        out.push(within(`${at} ${k}`, r[k], s[k], rel, abs));
      }
      for (const x of [r, s]) for (const k of ['singular_values', 'entropy', 'effective_modes', 'error_l2', 'error_max', 'residual_true', 'residual_system']) delete x[k];
    }
  } else {
    for (const k of ['lr', 'lambda_max_ad']) {
      out.push(within(k, g[k], w[k], start));
      delete g[k];
      delete w[k];
    }
    for (const [i, [r, s]] of g.runs.map((r, i) => [r, w.runs[i]]).entries()) {
      const a = amp(c, s.h);
      const along = Math.max(1e-8, 1e5 * a);
      const at = `run ${i} (h = ${s.h})`;
      if (r.loss.length !== s.loss.length || r.kernel.length !== s.kernel.length) {
        out.push(`${at}: ${r.loss.length} steps and ${r.kernel.length} kernels vs ${s.loss.length} and ${s.kernel.length}`);
        continue;
      }
      // The loss curve: [step, loss, true residual or null].
      r.loss.forEach((p, j) => {
        const q = s.loss[j];
        out.push(p[0] === q[0] ? '' : `${at}: step ${p[0]} vs ${q[0]}`);
        out.push(within(`${at} loss at step ${q[0]}`, p[1], q[1], j === 0 ? start + a : along));
        out.push(within(`${at} true residual at step ${q[0]}`, p[2], q[2], j === 0 ? start + a : along));
      });
      r.records.forEach((p, j) => {
        const q = s.records[j];
        out.push(p.step === q.step ? '' : `${at}: record at step ${p.step} vs ${q.step}`);
        for (const k of ['loss', 'true_residual']) out.push(within(`${at} ${k} at step ${q.step}`, p[k], q[k], q.step === 0 ? start + a : along));
        for (const k of ['error_l2', 'error_max']) out.push(within(`${at} ${k} at step ${q.step}`, p[k], q[k], q.step === 0 ? start + a : along, along));
      });
      r.kernel.forEach((kr, j) => {
        const ks = s.kernel[j];
        if (j === 0) out.push(...spectrum(`${at} J at step 0`, kr.singular_values, ks.singular_values, start + a));
        for (const k of ['entropy', 'effective_modes']) out.push(within(`${at} ${k} of J at step ${ks.step}`, kr[k], ks[k], j === 0 ? start + a : along));
        for (const x of [kr, ks]) for (const k of ['singular_values', 'entropy', 'effective_modes']) delete x[k];
      });
      out.push(within(`${at} initial loss`, r.speed.initial_loss, s.speed.initial_loss, start + a));
      for (const k of ['final_loss', 'loss_reduction']) out.push(within(`${at} ${k}`, r.speed[k], s.speed[k], along));
      for (const k of ['error_l2', 'error_max']) out.push(within(`${at} ${k}`, r[k], s[k], along, along));
      for (const x of [r, s]) {
        delete x.loss;
        for (const rec of x.records) for (const k of ['loss', 'true_residual', 'error_l2', 'error_max', 'mu']) delete rec[k];
        for (const k of ['initial_loss', 'final_loss', 'loss_reduction']) delete x.speed[k];
        delete x.error_l2;
        delete x.error_max;
      }
    }
  }
  // Everything else: the same, to the bit.
  try {
    assert.deepStrictEqual(g, w);
  } catch (e) {
    out.push(`exactly equal fields differ: ${e.message.slice(0, 600)}`);
  }
  return out.filter(Boolean);
}

// The tolerance must be able to fail: the FMA build's report against itself with one
// singular value, one loss and one cutoff changed.
function selfTest(report) {
  const r = structuredClone(report);
  const run = r.runs.at(-1);
  if (r.config.model === 'rfm') run.singular_values[0] *= 1 + 1e-9;
  else run.loss[run.loss.length - 1][1] *= 1 + 1e-3;
  assert.ok(disagreements(r, report).length > 0, 'a changed number is caught');
  const k = structuredClone(report);
  const kr = k.runs[0];
  if (k.config.model === 'rfm') kr.cutoff += 1;
  else kr.kernel[0].cutoff += 1;
  assert.ok(disagreements(k, report).length > 0, 'a changed cutoff is caught');
  assert.deepEqual(disagreements(report, report), [], 'a report agrees with itself');
}

// How close the builds came (printed, not asserted): the largest |Δσ_i|/σ_1 over every
// spectrum, and the largest relative difference of any other number, with its place.
function largest(got, want) {
  let worst = { rel: 0, at: '' };
  let sv = 0;
  const walk = (x, y, at) => {
    if (Array.isArray(x) && at.endsWith('singular_values')) {
      x.forEach((v, i) => { sv = Math.max(sv, Math.abs(v - y[i]) / y[0]); });
    } else if (typeof x === 'number' && typeof y === 'number') {
      const rel = x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
      if (rel > worst.rel) worst = { rel, at };
    } else if (x && typeof x === 'object' && y && typeof y === 'object') {
      for (const k of Object.keys(x)) walk(x[k], y[k], `${at}.${k}`);
    }
  };
  walk(got, want, '');
  return `|Δσ|/σ_1 ≤ ${sv.toExponential(1)}, others ≤ ${worst.rel.toExponential(1)}${worst.rel ? ` (${worst.at.slice(1)})` : ''}`;
}

try {
  const server = await serve(site);
  const base = `http://127.0.0.1:${server.address().port}/`;

  // 1. The feature test, and a control that must pass wherever adfd runs.
  const probe = await open(base, '?threads=off');
  const feature = await probe.evaluate(async () => {
    const { hasRelaxedSimd } = await import('/fma.js');
    // (func (param v128 v128 v128) (result v128) (f64x2.add (f64x2.mul (local.get 0) (local.get 1)) (local.get 2)))
    const simd = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0,
      10, 16, 1, 14, 0, 32, 0, 32, 1, 253, 242, 1, 32, 2, 253, 240, 1, 11]);
    return { relaxed: hasRelaxedSimd(), simd: WebAssembly.validate(simd), agent: navigator.userAgent };
  });
  await probe.close();
  assert.equal(feature.simd, true, 'the control module (plain SIMD) validates');
  const relaxed = feature.relaxed;
  const threaded = relaxed ? 'threaded+fma' : 'threaded';
  step(`this browser ${relaxed ? 'has' : 'lacks'} relaxed SIMD (${feature.agent.match(/(Chrome|Firefox)\/[\d.]+/)?.[0] || feature.agent}): ?threads=N runs '${threaded}'`);

  // 2 and 3. Same bits on 1, 2, 4 threads in the FMA build; the tolerance against the
  // plain threaded build and native.
  for (const [name, hash] of Object.entries(CONFIGS)) {
    const reports = {};
    for (const threads of relaxed ? ['1', '2', '4'] : ['2']) {
      const page = await open(base, `?threads=${threads}`, hash);
      reports[threads] = await finishedReport(page);
      const t = await threadsOf(page);
      assert.equal(t.build, threaded, `?threads=${threads}: ${JSON.stringify(t)}`);
      assert.equal(t.count, Number(threads), `?threads=${threads} runs ${t.count}`);
      if (relaxed) {
        assert.equal(t.fma, '', JSON.stringify(t));
        assert.match(t.status, new RegExp(`· ${threads} threads? \\+ FMA ·`), t.status);
      } else {
        assert.equal(t.fma, 'this browser has no relaxed SIMD', JSON.stringify(t));
        assert.match(t.status, /· 2 threads ·/, t.status);
      }
      await page.close();
    }
    const got = reports['2'];
    assert.ok(EXPECT[name](got.config), `${name}: ${JSON.stringify(got.config)}`);
    for (const threads of Object.keys(reports)) {
      assert.deepStrictEqual(reports[threads], got, `${name}: ?threads=${threads} differs from ?threads=2`);
    }
    if (!relaxed) {
      step(`${name}: no relaxed SIMD here, so the plain threaded build ran (the tolerance is not exercised)`);
      continue;
    }
    const page = await open(base, '?threads=2&fma=off', hash);
    const plain = await finishedReport(page);
    const t = await threadsOf(page);
    assert.equal(t.build, 'threaded', JSON.stringify(t));
    assert.equal(t.fma, 'the link asks for the build without FMA: ?fma=off', JSON.stringify(t));
    assert.match(t.status, /· 2 threads ·/, t.status);
    await page.close();
    selfTest(got);
    assert.deepEqual(disagreements(got, plain), [], `${name}: the FMA build against the plain threaded build`);
    const native = await nativeReport(got);
    assert.deepEqual(disagreements(got, native), [], `${name}: the FMA build against native`);
    fmaReports[name] = got;
    const same = JSON.stringify(got) === JSON.stringify(plain);
    step(`${name}: the same bits on 1, 2, 4 threads with FMA; within the tolerance of the plain build (${same ? 'identical' : `largest difference ${largest(got, plain)}`}) and of native (${largest(got, native)})`);
  }
  server.close();
  // The FMA build's reports, to compare between browsers (does each engine fuse?).
  if (relaxed) {
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'fma-reports.json'), JSON.stringify(fmaReports) + '\n');
  }

  // 4. A feature test that says no (fma.js replaced), and an FMA build that does not load.
  {
    const no = 'export const hasRelaxedSimd = () => false;\n';
    const s = await serve(site, 0, { replace: { '/fma.js': no } });
    const page = await open(`http://127.0.0.1:${s.address().port}/`, '?threads=2', CONFIGS.rfm);
    await page.waitForFunction(() => window.adfd.state.finished, null, { timeout: LONG });
    const t = await threadsOf(page);
    assert.equal(t.build, 'threaded', JSON.stringify(t));
    assert.equal(t.fma, 'this browser has no relaxed SIMD', JSON.stringify(t));
    step(`a failed feature test (simulated): '${t.build}', "${t.status.split(' · ').at(-2)}"`);
    await page.close();
    s.close();
  }
  if (relaxed) {
    const before = problems.length;
    const s = await serve(site, 0, { without: ['/pkg-relaxed/adfd_bg.wasm'] });
    const page = await open(`http://127.0.0.1:${s.address().port}/`, '?threads=2', CONFIGS.rfm);
    await page.waitForFunction(() => window.adfd.state.finished, null, { timeout: LONG });
    const t = await threadsOf(page);
    assert.equal(t.build, 'threaded', JSON.stringify(t));
    assert.match(t.fma, /^the FMA build did not start \(/, JSON.stringify(t));
    step(`an FMA build that does not load: '${t.build}', fma: "${t.fma.slice(0, 60)}…"`);
    await page.close();
    s.close();
    // The withheld module's 404 is a console error the browser may log: the one this
    // section causes on purpose.
    for (let i = problems.length - 1; i >= before; i--) if (/404|not found/i.test(problems[i])) problems.splice(i, 1);
  }
} finally {
  await browser.close();
}

assert.deepEqual(problems, [], problems.join('\n'));
step('passed');
