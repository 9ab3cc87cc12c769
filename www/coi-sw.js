// adfd's own service worker, for static hosts that cannot send headers (GitHub Pages):
// it re-serves this site's own responses with the headers adfd's servers send
// (headers.json, copied from scripts/headers.json by scripts/build-site), among them
// COOP same-origin + COEP require-corp. With them the page is cross-origin isolated,
// so it has SharedArrayBuffer and the worker can run the threaded build. Nothing from
// another origin is touched (the page loads nothing from elsewhere). isolation.js
// registers it and reloads once; where it cannot work the page stays single-threaded
// and says why.
// Without headers.json (an older deploy, a failed fetch) it still isolates the page:
// a service worker that broke every response would break the site.
const ISOLATION = { all: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } };
const headers = fetch('./headers.json', { cache: 'no-cache' })
  .then((r) => (r.ok ? r.json() : ISOLATION))
  .catch(() => ISOLATION);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

// The policy for a path: every response's, plus the document's or a worker's own
// (headers.json's "paths" say which, by the end of the path; first match wins).
async function policyFor(path) {
  const h = await headers;
  const paths = h.paths || {};
  const key = Object.keys(paths).find((k) => paths[k].some((end) => path.endsWith(end)));
  return { ...h.all, ...(key ? h[key] : {}) };
}

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (url.origin !== self.location.origin) return;
  e.respondWith((async () => {
    const response = await fetch(e.request);
    if (response.status === 0 || response.type === 'opaqueredirect') return response;
    const merged = new Headers(response.headers);
    for (const [k, v] of Object.entries(await policyFor(url.pathname))) merged.set(k, v);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: merged });
  })());
});
