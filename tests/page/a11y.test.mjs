// Accessibility checked by a tool nobody here wrote: axe-core (npm, pinned in
// package.json) runs on the built page in the browser named by BROWSER (chromium or
// firefox, see browser.mjs), at a desktop width (1400 px) and a phone width (390 px),
// on the first visit (a network training), a finished RFM comparison and a heavy link
// the page holds. No violation of impact "serious" or "critical" may remain; the
// others are printed. axe is served from the test server under the site's origin and
// loaded with a script element, which the page's CSP (script-src 'self') allows.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { serve } from './serve.mjs';
import { BROWSER, launch } from './browser.mjs';
import * as harness from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'));
const server = await serve(join(root, 'site'), 0, { replace: { '/axe.min.js': axe } });
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();
const problems = [];
const step = (text) => console.log(`a11y test (${BROWSER}): ${text}`);

// What each case waits for before axe looks at the page.
const CASES = [
  ['the first visit', '', () => window.adfd?.state.lastSnap?.model === 'network' && window.adfd.stats.draws > 0],
  ['a finished RFM comparison', '#model=rfm', () => window.adfd?.state.finished && window.adfd.state.lastSnap?.model === 'rfm'],
  ['a held heavy link', '#problem=poisson2d&model=rfm&m=12000&n=2500', () => window.adfd?.state.held === true],
];
const WIDTHS = [[1400, 900], [390, 844]];

let serious = [];
try {
  for (const [name, hash, ready] of CASES) {
    for (const [width, height] of WIDTHS) {
      const page = await harness.open(browser, base + hash, {
        problems,
        where: `${name} at ${width} px`,
        viewport: { width, height },
        ready: (page) => page.waitForFunction(ready, null, { timeout: harness.LONG }),
      });
      await page.evaluate(() => new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = 'axe.min.js';
        s.onload = resolve;
        s.onerror = () => reject(new Error('axe.min.js did not load'));
        document.head.append(s);
      }));
      const violations = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] })
        .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))));
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      const other = violations.filter((v) => !bad.includes(v)).map((v) => `${v.id} (${v.impact})`);
      step(`${name} at ${width} px: ${bad.length} serious or critical${other.length ? `; also ${other.join(', ')}` : ''}`);
      serious = serious.concat(bad.map((v) => `${name} at ${width} px: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.join('; ')}`));
      await page.close();
    }
  }
  assert.deepEqual(serious, [], `axe found:\n${serious.join('\n')}`);
  assert.deepEqual(problems, [], `the page reported:\n${problems.join('\n')}`);
  step('passed');
} finally {
  await browser.close();
  server.close();
}
