// A minimal static file server for site/ (the page test's own, so it needs nothing else),
// sending the same headers as the demo's server (scripts/headers.json): the document's
// CSP with frame-ancestors, the worker's own CSP, and cross-origin isolation.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const HEADERS = JSON.parse(readFileSync(fileURLToPath(new URL('../../scripts/headers.json', import.meta.url)), 'utf8'));
// The worker or document policy, by headers.json's "paths" (first match wins).
const own = (path) => {
  const key = Object.keys(HEADERS.paths).find((k) => HEADERS.paths[k].some((end) => path.endsWith(end)));
  return key ? HEADERS[key] : {};
};
const ISOLATION = ['Cross-Origin-Opener-Policy', 'Cross-Origin-Embedder-Policy'];

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.png': 'image/png' };

// `{ headers: false }` serves plain files (the browser layer's fixture pages, which must
// be free to misbehave); `{ isolated: false }` all headers but COOP/COEP, as a static
// host does (the page then needs coi-sw.js for threads); `without` lists paths served
// as 404 (['/coi-sw.js']: a host where the service worker cannot help); `replace`
// maps paths to bodies served instead of their files (or to functions that return
// one, called for each request).
export function serve(root, port = 0, { headers = true, isolated = true, without = [], replace = {} } = {}) {
  const all = Object.fromEntries(Object.entries(HEADERS.all).filter(([k]) => isolated || !ISOLATION.includes(k)));
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      if (without.includes(path)) throw new Error('withheld');
      const body = path in replace ? (typeof replace[path] === 'function' ? replace[path]() : replace[path]) : await readFile(join(root, path.endsWith('/') ? path + 'index.html' : path));
      res.writeHead(200, { ...(headers ? { ...all, ...own(path) } : {}), 'content-type': TYPES[extname(path)] || (path.endsWith('/') ? 'text/html' : 'application/octet-stream') });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
