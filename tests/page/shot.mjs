// Screenshot helper for people (not a test): node tests/page/shot.mjs '#hash' out.png [width] [height]
// Opens the built site at the link, waits until the comparison is finished, saves a
// full-page PNG. Used to refresh docs/page.png and to look at the page while developing.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { serve } from './serve.mjs';
import { launch } from './browser.mjs';

const [hash = '', out = 'page.png', width = '1400', height = '900'] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const server = await serve(join(root, 'site'));
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
  await page.goto(`http://127.0.0.1:${server.address().port}/${hash}`);
  await page.waitForFunction(() => window.adfd?.state.finished && window.adfd.stats.firstResultMs !== null, null, { timeout: 180_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: out, fullPage: process.env.FULL !== '0' });
} finally {
  await browser.close();
  server.close();
}
