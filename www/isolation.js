// Cross-origin isolation for the threaded build (see coi-sw.js). adfd's own servers
// send COOP/COEP themselves, so there this does nothing. On a host that cannot, it
// registers coi-sw.js and reloads the page once, so that the service worker serves it
// with the headers. It never reloads twice in a tab session, nor a page the service
// worker already served: if the page is still not isolated after that (service
// workers off, a private window that refuses them, an old browser), the worker runs
// the single-threaded build and the status line says so. Resolves true when a reload
// is under way (the caller then starts nothing).
const RELOADED = 'adfd-isolation-reload';

export async function ensureIsolation() {
  if (self.crossOriginIsolated || !('serviceWorker' in navigator) || !window.isSecureContext) return false;
  if (sessionStorage.getItem(RELOADED)) return false;  // tried once this session: stay single-threaded
  // Served through the service worker already and still not isolated (a browser that
  // will not isolate this way): another reload cannot help, in this tab or a new one.
  if (navigator.serviceWorker.controller) return false;
  try {
    const registration = await navigator.serviceWorker.register(new URL('./coi-sw.js', import.meta.url));
    const worker = registration.installing || registration.waiting || registration.active;
    if (worker && worker.state !== 'activated') {
      await new Promise((resolve) => worker.addEventListener('statechange', () => {
        if (worker.state === 'activated' || worker.state === 'redundant') resolve();
      }));
    }
    if (!registration.active) return false;
  } catch {
    return false;  // no service worker here (coi-sw.js missing, refused): single-threaded
  }
  sessionStorage.setItem(RELOADED, '1');
  location.reload();
  return true;
}
