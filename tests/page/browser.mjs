// One small browser layer for the page tests: `launch()` starts the browser named by
// BROWSER (chromium, the default, or firefox) and returns { name, newPage(options),
// profile(options) (whose newPage()s share storage and service workers), close() }.
//
// Chromium: Debian's /usr/bin/chromium through playwright-core, as the tests always did;
// its pages are Playwright pages, unchanged.
//
// Firefox: Playwright can only drive its own patched Firefox build (no downloads here),
// so the stock Firefox ESR is driven over WebDriver BiDi: geckodriver starts it (a
// session with `webSocketUrl: true`), and every command below goes over that session's
// WebSocket. FirefoxPage implements the part of Playwright's page API the tests use,
// with the same names and meaning, so a test runs unchanged in either browser:
//   goto, evaluate(fn, arg), waitForFunction(fn, arg, { timeout }), waitForTimeout,
//   fill / selectOption / click / dispatchEvent / focus / textContent / inputValue /
//   isVisible on a selector (CSS, plus Playwright's `:text-is("…")` at its end),
//   keyboard.press, screenshot({ path, fullPage }), waitForEvent('download')
//   (suggestedFilename, saveAs, path), close, and
//   on('console' | 'pageerror' | 'request' | 'requestfailed' | 'dialog', handler)
//   fed by BiDi's log.entryAdded, network.beforeRequestSent / fetchError and
//   browsingContext.userPromptOpened events.
// Functions, never strings, go to the page: script.callFunction runs them from the
// browser's privileged side, which the page's CSP (no string eval) does not govern.
// Playwright's worker.evaluate has no Firefox counterpart yet; postFromWorker below is
// the one thing the tests do with a worker, in both browsers. In Firefox a preload
// script wraps Worker.prototype.postMessage to find the page's worker (nothing else
// of the page is touched).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/** The browser the tests run in: `BROWSER=firefox node tests/page/page.test.mjs`. */
export const BROWSER = (process.env.BROWSER || 'chromium').toLowerCase();

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const GECKODRIVER = process.env.GECKODRIVER || join(process.env.HOME || '/root', '.cargo', 'bin', 'geckodriver');

/** Starts the browser `name` ('chromium' or 'firefox'). */
export async function launch(name = BROWSER) {
  if (name === 'chromium') {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    // profile(): pages that share storage and service workers, as tabs of one browser
    // profile do (each browser.newPage is a fresh context of its own).
    return { name, newPage: (options) => browser.newPage(options), profile: (options) => browser.newContext(options),
      close: () => browser.close() };
  }
  if (name === 'firefox') return Firefox.launch();
  throw new Error(`BROWSER must be chromium or firefox, not "${name}"`);
}

/**
 * Makes the page's worker appear to post `message` (as the Rust panic hook in
 * src/web/js.rs does). Chromium: the worker itself posts it (Playwright evaluates in the
 * worker). Firefox 153's BiDi lists worker realms but cannot run scripts in them
 * ("Realm … not found"), so there the same MessageEvent is dispatched on the page's
 * Worker object (the last one the page posted to, recorded by a preload script): the
 * page's onmessage handler sees the same data either way.
 */
export async function postFromWorker(page, message) {
  if (page instanceof FirefoxPage) {
    const ok = await page.evaluate((m) => {
      const w = window[Symbol.for('adfd-test-worker')];
      if (!w) return false;
      w.dispatchEvent(new MessageEvent('message', { data: m }));
      return true;
    }, message);
    if (!ok) throw new Error('postFromWorker: the page has posted to no worker yet');
    return;
  }
  // The page's own worker (the newest: a replaced one may still be listed), not the
  // threaded build's rayon pool workers it starts.
  const own = page.workers().filter((w) => /\/worker\.js(\?|$)/.test(w.url()));
  if (!own.length) throw new Error('postFromWorker: the page has no worker yet');
  await own.at(-1).evaluate((m) => self.postMessage(m), message);
}

// Firefox preload script: remembers the Worker the page last posted to (see postFromWorker).
const RECORD_WORKER = `() => {
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (...args) {
    window[Symbol.for('adfd-test-worker')] = this;
    return post.apply(this, args);
  };
}`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A deadline for Promise.race that does not keep node alive once the race is decided.
const deadline = (ms) => new Promise((r) => setTimeout(r, ms).unref());

// --- BiDi values: a JS value to a LocalValue argument, a RemoteValue result back. ---

function toLocal(v) {
  if (v === undefined) return { type: 'undefined' };
  if (v === null) return { type: 'null' };
  switch (typeof v) {
    case 'string': return { type: 'string', value: v };
    case 'boolean': return { type: 'boolean', value: v };
    case 'bigint': return { type: 'bigint', value: String(v) };
    case 'number':
      if (Number.isNaN(v)) return { type: 'number', value: 'NaN' };
      if (Object.is(v, -0)) return { type: 'number', value: '-0' };
      if (!Number.isFinite(v)) return { type: 'number', value: v > 0 ? 'Infinity' : '-Infinity' };
      return { type: 'number', value: v };
    default:
      if (Array.isArray(v)) return { type: 'array', value: v.map(toLocal) };
      return { type: 'object', value: Object.entries(v).map(([k, x]) => [k, toLocal(x)]) };
  }
}

function fromRemote(r) {
  switch (r.type) {
    case 'undefined': return undefined;
    case 'null': return null;
    case 'string': case 'boolean': return r.value;
    case 'bigint': return BigInt(r.value);
    case 'number': return typeof r.value === 'number' ? r.value : { NaN, '-0': -0, Infinity, '-Infinity': -Infinity }[r.value];
    case 'array': case 'set': return (r.value || []).map(fromRemote);
    case 'object': case 'map':
      return Object.fromEntries((r.value || []).map(([k, v]) => [typeof k === 'string' ? k : fromRemote(k), fromRemote(v)]));
    case 'date': return new Date(r.value);
    case 'regexp': return new RegExp(r.value.pattern, r.value.flags);
    default: return { bidi: r.type, sharedId: r.sharedId };  // a node, window, function...: a handle
  }
}

// Functions that run in the page (passed as source text of a function, never evaluated
// from a string there): find an element by selector, with Playwright's `:text-is("…")`.
const FIND = `function find(selector) {
  const m = /^(.*):text-is\\("((?:[^"\\\\]|\\\\.)*)"\\)$/.exec(selector);
  if (!m) return document.querySelector(selector);
  const text = JSON.parse('"' + m[2] + '"');
  return [...document.querySelectorAll(m[1])].find((el) => el.textContent.trim().replace(/\\s+/g, ' ') === text) || null;
}`;
const VISIBLE = `function visible(el) {
  if (!el || !el.isConnected) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
}`;

// WebDriver key values for the names the tests press (Playwright's names).
const KEYS = { Tab: '\uE004', Enter: '\uE007', Space: ' ', Escape: '\uE00C', Backspace: '\uE003',
  ArrowLeft: '\uE012', ArrowUp: '\uE013', ArrowRight: '\uE014', ArrowDown: '\uE015', Shift: '\uE008' };

class Firefox {
  static async launch() {
    const profiles = await mkdtemp(join(tmpdir(), 'adfd-firefox-'));
    // Port 0: geckodriver and Firefox's BiDi server each take a free port, so several
    // runs (other engineers', CI's) never collide on 4444/9222.
    const driver = spawn(GECKODRIVER, ['--port', '0', '--websocket-port', '0', '--profile-root', profiles],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = [];
    const port = await new Promise((resolve, reject) => {
      const seen = (d) => {
        log.push(String(d));
        const m = /Listening on [\d.]+:(\d+)/.exec(log.join(''));
        if (m) resolve(Number(m[1]));
      };
      driver.stdout.on('data', seen);
      driver.stderr.on('data', seen);
      driver.on('exit', (code) => reject(new Error(`geckodriver (${GECKODRIVER}) exited ${code}:\n${log.join('')}`)));
      driver.on('error', reject);
    });
    const http = `http://127.0.0.1:${port}`;
    const res = await fetch(`${http}/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ capabilities: { alwaysMatch: {
        browserName: 'firefox', webSocketUrl: true, unhandledPromptBehavior: 'ignore',
        'moz:firefoxOptions': { binary: FIREFOX, args: ['-headless'], prefs: {
          // No background requests of the browser's own that could read as the page's.
          'app.update.enabled': false, 'browser.shell.checkDefaultBrowser': false,
        } },
      } } }),
    });
    const body = await res.json();
    if (!res.ok) { driver.kill(); throw new Error(`geckodriver refused a session: ${JSON.stringify(body.value)}`); }
    const { sessionId, capabilities } = body.value;
    const ff = new Firefox(driver, http, sessionId, profiles);
    await ff.connect(capabilities.webSocketUrl);
    console.log(`browser: Firefox ${capabilities.browserVersion} over WebDriver BiDi (geckodriver ${GECKODRIVER})`);
    return ff;
  }

  /** Pages sharing storage and service workers: here every tab shares the one profile. */
  async profile(options) {
    return { newPage: () => this.newPage(options), close: async () => {} };
  }

  constructor(driver, http, sessionId, profiles) {
    Object.assign(this, { name: 'firefox', driver, http, sessionId, profiles });
    this.next = 0;
    this.pending = new Map();
    this.pages = new Map();   // context id → FirefoxPage
    this.realms = new Map();  // realm id → { context, owners }
    this.noted = new Set();
  }

  async connect(url) {
    this.ws = new WebSocket(url);
    await new Promise((resolve, reject) => { this.ws.once('open', resolve); this.ws.once('error', reject); });
    this.ws.on('message', (data) => this.receive(JSON.parse(data)));
    this.ws.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('the BiDi connection to Firefox closed'));
      this.pending.clear();
    });
    await this.send('session.subscribe', { events: ['log.entryAdded', 'network.beforeRequestSent', 'network.fetchError',
      'browsingContext.userPromptOpened', 'browsingContext.downloadWillBegin', 'browsingContext.downloadEnd',
      'script.realmCreated', 'script.realmDestroyed'] });
    for (const r of (await this.send('script.getRealms', {})).realms) this.realms.set(r.realm, r);
  }

  /** One BiDi command; resolves with its result, rejects with its error. */
  send(method, params) {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  receive(m) {
    if (m.id !== undefined) {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'error') p.reject(new Error(`${p.method}: ${m.error}: ${m.message}`));
      else p.resolve(m.result);
      return;
    }
    const e = m.params;
    switch (m.method) {
      case 'script.realmCreated': this.realms.set(e.realm, e); return;
      case 'script.realmDestroyed': this.realms.delete(e.realm); return;
      case 'log.entryAdded': return this.pageOf(e.source?.context, e.source?.realm)?.log(e);
      case 'network.beforeRequestSent': return this.pageOf(e.context)?.emit('request', { url: () => e.request.url });
      case 'network.fetchError': return this.pageOf(e.context)?.emit('requestfailed', { url: () => e.request.url, failure: () => ({ errorText: e.errorText }) });
      case 'browsingContext.userPromptOpened': return this.pageOf(e.context)?.prompt(e);
      case 'browsingContext.downloadWillBegin': case 'browsingContext.downloadEnd': return this.pageOf(e.context)?.download(m.method, e);
      default:
    }
  }

  // The page a context belongs to; a worker's realm leads to its owner's context.
  pageOf(context, realm) {
    for (let i = 0; !context && realm && i < 8; i++) {
      const r = this.realms.get(realm);
      context = r?.context;
      realm = r?.owners?.[0];
    }
    return this.pages.get(context);
  }

  // Says once per option that Firefox's WebDriver cannot emulate it (the checks that
  // follow hold without it: they read layout, not touch or motion).
  note(option) {
    if (this.noted.has(option)) return;
    this.noted.add(option);
    console.log(`browser: Firefox over WebDriver BiDi does not emulate ${option}; pages run without it`);
  }

  /** A new tab, brought to the front (rAF, which draws the charts, runs only there). */
  async newPage(options = {}) {
    const { context } = await this.send('browsingContext.create', { type: 'tab' });
    await this.send('script.addPreloadScript', { functionDeclaration: RECORD_WORKER, contexts: [context] });
    const page = new FirefoxPage(this, context);
    this.pages.set(context, page);
    await this.send('browsingContext.activate', { context });
    const viewport = options.viewport || { width: 1280, height: 720 };
    await this.send('browsingContext.setViewport', { context, viewport, devicePixelRatio: options.deviceScaleFactor ?? null });
    for (const o of ['isMobile', 'hasTouch', 'reducedMotion']) if (options[o]) this.note(o);
    return page;
  }

  async close() {
    try {
      await fetch(`${this.http}/session/${this.sessionId}`, { method: 'DELETE' });
    } finally {
      this.ws?.close();
      const exited = new Promise((r) => this.driver.once('exit', r));
      this.driver.kill();
      await Promise.race([exited, deadline(5000)]);
      await rm(this.profiles, { recursive: true, force: true });
    }
  }
}

class FirefoxPage {
  constructor(ff, context) {
    Object.assign(this, { ff, context });
    this.handlers = new Map();
    this.downloads = new Map();  // navigation id → { begin, end promise, resolve }
    this.downloadWaiters = [];
    this.keyboard = { press: (key) => this.press(key) };
  }

  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(handler);
    return this;
  }

  emit(event, value) {
    for (const h of this.handlers.get(event) || []) h(value);
  }

  // BiDi log entries as Playwright's events: console calls as 'console', uncaught
  // exceptions (type 'javascript') as 'pageerror'.
  log(e) {
    if (e.type === 'javascript') this.emit('pageerror', { message: e.text, stack: e.stackTrace });
    else this.emit('console', { type: () => (e.method === 'warn' ? 'warning' : e.method || e.level), text: () => e.text ?? '' });
  }

  prompt(e) {
    this.emit('dialog', {
      type: () => e.type, message: () => e.message,
      dismiss: () => this.ff.send('browsingContext.handleUserPrompt', { context: this.context, accept: false }).catch(() => {}),
      accept: () => this.ff.send('browsingContext.handleUserPrompt', { context: this.context, accept: true }).catch(() => {}),
    });
  }

  download(method, e) {
    if (method === 'browsingContext.downloadWillBegin') {
      let resolve;
      const end = new Promise((r) => { resolve = r; });
      const d = new FirefoxDownload(this, e, end);
      this.downloads.set(e.navigation, { resolve });
      const w = this.downloadWaiters.shift();
      if (w) w(d);
    } else {
      this.downloads.get(e.navigation)?.resolve(e);
      this.downloads.delete(e.navigation);
    }
  }

  /**
   * Only 'download' (what the tests wait for). Each download goes to a fresh folder
   * (browser.setDownloadBehavior), so the file keeps the page's suggested name: Firefox
   * would name a second file of the same name "name(1).json".
   */
  waitForEvent(event, { timeout = 30_000 } = {}) {
    if (event !== 'download') throw new Error(`FirefoxPage.waitForEvent: only 'download', not '${event}'`);
    const destinationFolder = mkdtempSync(join(this.ff.profiles, 'download-'));
    const allowed = this.ff.send('browser.setDownloadBehavior', { downloadBehavior: { type: 'allowed', destinationFolder } });
    return new Promise((resolve, reject) => {
      allowed.catch(reject);
      const timer = setTimeout(() => {
        this.downloadWaiters = this.downloadWaiters.filter((w) => w !== done);
        reject(new Error(`no download within ${timeout} ms`));
      }, timeout);
      const done = (d) => { clearTimeout(timer); resolve(d); };
      this.downloadWaiters.push(done);
    });
  }

  async goto(url) {
    await this.ff.send('browsingContext.navigate', { context: this.context, url, wait: 'complete' });
  }

  async call(target, fn, args) {
    const r = await this.ff.send('script.callFunction', {
      functionDeclaration: String(fn), awaitPromise: true, target, arguments: args.map(toLocal),
      resultOwnership: 'none', serializationOptions: { maxObjectDepth: 64, maxDomDepth: 0 },
    });
    if (r.type === 'exception') {
      const d = r.exceptionDetails;
      throw new Error(`in the page: ${d.text}${d.stackTrace?.callFrames?.length ? ` (${d.stackTrace.callFrames[0].url}:${d.stackTrace.callFrames[0].lineNumber + 1})` : ''}`);
    }
    return fromRemote(r.result);
  }

  /** Runs `fn(arg)` in the page and returns its (awaited) value. */
  evaluate(fn, arg) {
    if (typeof fn !== 'function') throw new Error('evaluate takes a function: the page\'s CSP forbids strings');
    return this.call({ context: this.context }, fn, [arg]);
  }

  /**
   * Polls `fn(arg)` in the page until it returns a truthy value; returns it as
   * Playwright does, in a handle whose jsonValue() gives the value.
   */
  async waitForFunction(fn, arg, { timeout = 30_000, polling = 50 } = {}) {
    if (typeof fn !== 'function') throw new Error('waitForFunction takes a function: the page\'s CSP forbids strings');
    const until = Date.now() + timeout;
    for (;;) {
      let v;
      try {
        v = await this.evaluate(fn, arg);
      } catch (e) {
        // A navigation in progress destroys the realm mid-call: try again. (Firefox 153
        // reports one such case as "unknown error: TypeError: right-hand side of 'in'
        // should be an object, got null", seen during coi-sw.js's reload.)
        if (!/no such frame|realm|context|destroyed|discarded|right-hand side of 'in'/i.test(e.message) || Date.now() > until) throw e;
      }
      if (v) return { jsonValue: async () => v };
      if (Date.now() > until) throw new Error(`waitForFunction: ${timeout} ms passed: ${String(fn).slice(0, 200)}`);
      await sleep(polling);
    }
  }

  waitForTimeout(ms) { return sleep(ms); }

  // Runs `fn(element, arg)` on the element `selector` names, waiting (as Playwright
  // does) until it exists and, when `visible`, is visible.
  async on$(selector, fn, arg, { visible = false, timeout = 30_000 } = {}) {
    const wrapper = `async (selector, arg, visibleOnly) => {
      ${FIND}
      ${VISIBLE}
      const el = find(selector);
      if (!el || (visibleOnly && !visible(el))) return { missing: true };
      return { value: await (${String(fn)})(el, arg) };
    }`;
    const until = Date.now() + timeout;
    for (;;) {
      const r = await this.call({ context: this.context }, wrapper, [selector, arg, visible]);
      if (!r.missing) return r.value;
      if (Date.now() > until) throw new Error(`no ${visible ? 'visible ' : ''}element matches ${selector} after ${timeout} ms`);
      await sleep(50);
    }
  }

  /** Like Playwright's fill: focus, replace the value, fire `input`. */
  fill(selector, value) {
    return this.on$(selector, (el, v) => {
      el.focus();
      el.value = v;
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    }, String(value), { visible: true });
  }

  /** Like Playwright's selectOption with one value: select it, fire `input` and `change`. */
  async selectOption(selector, value) {
    const ok = await this.on$(selector, (el, v) => {
      const option = [...el.options].find((o) => o.value === v) || [...el.options].find((o) => o.label === v);
      if (!option) return false;
      el.value = option.value;
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    }, value, { visible: true });
    if (!ok) throw new Error(`${selector} has no option ${value}`);
    return [value];
  }

  dispatchEvent(selector, type) {
    return this.on$(selector, (el, t) => { el.dispatchEvent(new Event(t, { bubbles: true, cancelable: true, composed: true })); }, type);
  }

  focus(selector) { return this.on$(selector, (el) => { el.focus(); }); }
  textContent(selector) { return this.on$(selector, (el) => el.textContent); }
  inputValue(selector) { return this.on$(selector, (el) => el.value); }

  async isVisible(selector) {
    const wrapper = `(selector) => { ${FIND} ${VISIBLE} return visible(find(selector)); }`;
    return this.call({ context: this.context }, wrapper, [selector]);
  }

  /** A real (trusted) mouse click at the element's centre, scrolled into view first. */
  async click(selector) {
    const { sharedId } = await this.on$(selector, (el) => {
      el.scrollIntoView({ block: 'center', inline: 'center' });
      return el;
    }, null, { visible: true });
    await this.ff.send('input.performActions', { context: this.context, actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' },
      actions: [{ type: 'pointerMove', x: 0, y: 0, origin: { type: 'element', element: { sharedId } } },
        { type: 'pointerDown', button: 0 }, { type: 'pointerUp', button: 0 }] }] });
  }

  /** A key press (a Playwright key name such as Tab, Enter, Space, or one character). */
  async press(key) {
    const value = KEYS[key] ?? (key.length === 1 ? key : null);
    if (value === null) throw new Error(`keyboard.press: unknown key ${key}`);
    await this.ff.send('input.performActions', { context: this.context, actions: [{ type: 'key', id: 'keyboard',
      actions: [{ type: 'keyDown', value }, { type: 'keyUp', value }] }] });
  }

  /** A PNG of the viewport, or of the whole document with `fullPage` (its top 65 535
   * device pixels: Firefox captures no taller image, and a phone-width page with the
   * About section's tables is taller at 2× pixel density). */
  async screenshot({ path, fullPage = false } = {}) {
    const params = { context: this.context, origin: fullPage ? 'document' : 'viewport' };
    if (fullPage) {
      const [width, height, dpr] = await this.evaluate(() => [document.documentElement.scrollWidth,
        document.documentElement.scrollHeight, window.devicePixelRatio]);
      const most = Math.floor(65535 / dpr);
      if (height > most) params.clip = { type: 'box', x: 0, y: 0, width, height: most };
    }
    const { data } = await this.ff.send('browsingContext.captureScreenshot', params);
    const png = Buffer.from(data, 'base64');
    if (path) await writeFile(path, png);
    return png;
  }

  async close() {
    await this.ff.send('browsingContext.close', { context: this.context, promptUnload: false });
    this.ff.pages.delete(this.context);
  }
}

// A download, as Playwright's: its suggested name, and the file once it has landed.
class FirefoxDownload {
  constructor(page, begin, end) {
    Object.assign(this, { page, begin, end });
  }

  suggestedFilename() { return this.begin.suggestedFilename; }
  url() { return this.begin.url; }

  /** Where the finished download is (throws if it failed). */
  async path() {
    const e = await Promise.race([this.end, deadline(30_000).then(() => null)]);
    if (!e) throw new Error(`download of ${this.suggestedFilename()} did not finish in 30 s`);
    if (e.status !== 'complete') throw new Error(`download of ${this.suggestedFilename()}: ${e.status}`);
    if (!e.filepath) throw new Error(`download of ${this.suggestedFilename()}: Firefox did not say where it went`);
    await stat(e.filepath);
    return e.filepath;
  }

  async saveAs(path) { await copyFile(await this.path(), path); }
}
