// The settings form, built from the controls' schema that Rust exports (controlSchema:
// keys, labels, kinds, choices, ranges, defaults; see src/web/controls.rs), read as
// {key: text}, errors shown beside their control, state mirrored in the URL hash.
// No numerics and no copied choices or ranges: Rust parses and checks every value.

const form = document.getElementById('controls');
let schema = [];
let byKey = new Map();
let timer;  // a change waiting out the debounce

// The element of control `key`, or null (namedItem: never a property like "length").
const element = (key) => (byKey.has(key) ? form.elements.namedItem(key) : null);
const wrapper = (key) => (byKey.has(key) ? form.querySelector(`[data-key="${CSS.escape(key)}"]`) : null);

function field(c) {
  const wrap = document.createElement('label');
  wrap.className = 'control';
  wrap.dataset.key = c.key;
  if (c.only) wrap.dataset.only = c.only;
  const name = document.createElement('span');
  name.textContent = c.label;
  wrap.append(name);
  let input;
  if (c.kind === 'choice') {
    input = document.createElement('select');
    for (const o of c.choices) input.append(new Option(o, o));
  } else {
    input = document.createElement('input');
    input.type = c.kind === 'whole' ? 'number' : 'text';
    if (c.kind === 'whole') Object.assign(input, { min: c.min, max: c.max, step: 1 });
    if (c.kind === 'number') input.inputMode = 'decimal';
  }
  if (c.kind === 'log') {
    // A slider over the exponent, with the value as text beside it. The slider writes
    // a plain number with 3 significant digits (10^-7.5 → 3.16e-8), which Rust reads
    // back to the same value and the slider to the same position.
    input.className = 'log-value';
    input.setAttribute('aria-label', c.label);
    const slider = document.createElement('input');
    Object.assign(slider, { type: 'range', min: c.min, max: c.max, step: c.step, className: 'log-slider', name: c.key + '_slider' });
    slider.setAttribute('aria-label', c.label + ' (log₁₀)');
    slider.addEventListener('input', () => {
      input.value = String(Number((10 ** Number(slider.value)).toPrecision(3)));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    input.addEventListener('sync', () => {
      const e = Math.log10(Number(input.value));
      if (Number.isFinite(e)) slider.value = e;
    });
    wrap.append(slider);
  }
  input.name = c.key;
  wrap.append(input);
  const err = document.createElement('small');
  err.className = 'err';
  err.dataset.for = c.key;
  err.setAttribute('role', 'alert');
  wrap.append(err);
  return wrap;
}

// Builds the form from `controls` (the array controlSchema() returns).
export function build(controls, onChange) {
  schema = controls;
  byKey = new Map(schema.map((c) => [c.key, c]));
  for (const c of schema) form.append(field(c));
  form.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(onChange, 150); });
  form.addEventListener('submit', (e) => e.preventDefault());
  for (const key of new Set(['model', ...schema.filter((c) => c.narrow).map((c) => c.narrow.key)])) {
    element(key)?.addEventListener('change', showModel);
  }
}

// Drops a change still waiting out the debounce (a link is about to set every control).
export const cancelChange = () => clearTimeout(timer);

// Every control's default text, as {key: text}.
export function defaults() {
  return Object.fromEntries(schema.map((c) => [c.key, c.default]));
}

// Show only the controls that apply to the chosen model, and narrow a slider's range
// while another control asks for it (a relative threshold stays below 1).
function showModel() {
  for (const c of schema.filter((c) => c.narrow)) {
    const slider = form.elements.namedItem(c.key + '_slider');
    if (!slider) continue;
    slider.max = element(c.narrow.key)?.value === c.narrow.value ? c.narrow.max : c.max;
    element(c.key).dispatchEvent(new Event('sync'));  // the position the new range allows
  }
  const model = element('model')?.value;
  for (const el of form.querySelectorAll('[data-only]')) {
    const only = el.dataset.only;
    el.hidden = !(only === model || (only === 'net' && model !== 'rfm'));
  }
}

export function read() {
  return Object.fromEntries(schema.map((c) => [c.key, String(element(c.key).value)]));
}

// Writes {key: text} into the controls; "key_hide" (a teacher's locked-down lesson)
// hides that control unless its value is 0. Keys that are not controls are ignored.
export function write(values) {
  for (const [k, v] of Object.entries(values)) {
    if (k.endsWith('_hide')) {
      wrapper(k.slice(0, -5))?.classList.toggle('locked', v !== '0');
      continue;
    }
    const el = element(k);
    if (!el) continue;
    el.value = v;
    el.dispatchEvent(new Event('sync'));
  }
  showModel();
}

// An error beside its control; for a control not shown (another model's, or locked by
// a lesson: its value still travels with the settings and is checked), in the general
// error line, named by its label.
export function showError(field, message) {
  clearErrors();
  const slot = byKey.has(field) && form.querySelector(`small.err[data-for="${CSS.escape(field)}"]`);
  const wrap = slot && slot.parentElement;
  if (wrap && !wrap.hidden && !wrap.classList.contains('locked')) { slot.textContent = message; wrap.classList.add('invalid'); }
  else document.getElementById('general-error').textContent = slot ? `${byKey.get(field).label}: ${message}` : message;
}

export function clearErrors({ keepGeneral = false } = {}) {
  for (const s of form.querySelectorAll('.err')) s.textContent = '';
  if (!keepGeneral) document.getElementById('general-error').textContent = '';
  for (const l of form.querySelectorAll('.invalid')) l.classList.remove('invalid');
}

// Settings links: '#key=value&key=value', keys and values each encoded with
// encodeURIComponent (so '+' stays '+', a space is %20 and '%' is %25) and decoded with
// decodeURIComponent. A hash without '=' (#about, #lessons, the skip link) is an
// in-page anchor, not settings.
export const isSettingsLink = (hash) => hash.includes('=');
const encode = (s) => encodeURIComponent(s).replace(/%2C/gi, ',');

// The link's key/value pairs in order; a part that is not valid percent-encoding is
// reported in `bad` instead.
function pairs(hash) {
  const out = [];
  const bad = [];
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    try {
      out.push(eq < 0 ? [decodeURIComponent(part), ''] : [decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))]);
    } catch {
      bad.push(part.slice(0, 40));
    }
  }
  return { out, bad };
}

// A link's settings, checked before anything runs: at most MAX_HASH characters, each
// value at most MAX_VALUE, a choice among its control's choices, a whole number for a
// whole-number control, unknown keys dropped. A key given more than once: the last
// one wins (as if each were typed in turn). Values are only ever set as control
// values (never as markup); Rust then validates every value (ranges, memory) before
// allocating anything.
const MAX_HASH = 4000;
const MAX_VALUE = 200;
export function readLink(hash = location.hash) {
  const values = Object.create(null);
  const problems = [];
  let action = null;
  if (hash.length > MAX_HASH) {
    problems.push(`This link's settings are too long (${hash.length} characters); the defaults are used.`);
    return { values, problems, action };
  }
  const { out, bad } = pairs(hash);
  const ignored = [];
  const seen = new Set();
  const repeated = new Set();
  for (const [k, v] of out) {
    if (k === 'run') { action = v === 'sweep' ? 'sweep' : null; continue; }
    const c = byKey.get(k.endsWith('_hide') ? k.slice(0, -5) : k);
    if (!c) { ignored.push(k.slice(0, 40)); continue; }
    if (seen.has(k)) repeated.add(k);
    seen.add(k);
    delete values[k];
    const shown = `"${v.slice(0, 40)}"`;
    if (v.length > MAX_VALUE) problems.push(`The link's ${k} is ${v.length} characters long; its default is used.`);
    else if (k !== c.key) values[k] = v;  // key_hide
    else if (c.kind === 'whole' && !/^\s*\d+\s*$/.test(v)) problems.push(`The link's ${k} ${shown} is not a whole number; its default is used.`);
    else if (c.kind === 'choice' && !c.choices.includes(v)) problems.push(`The link's ${k} ${shown} is not one of ${c.choices.join(', ')}; its default is used.`);
    else values[k] = v;
  }
  if (repeated.size) problems.push(`This link gives ${[...repeated].join(', ')} more than once; only the last one counts.`);
  if (bad.length) problems.push(`Parts of this link are not valid URL encoding and were ignored: ${bad.slice(0, 3).join(', ')}.`);
  if (ignored.length) problems.push(`Unknown settings in the link were ignored: ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? '…' : ''}.`);
  return { values, problems, action };
}

// Shows every control again (a new link brings its own _hide keys).
export function unlockAll() {
  for (const l of form.querySelectorAll('.control.locked')) l.classList.remove('locked');
}

// Writes `values` and the hidden controls (key_hide=1) into the address bar, so it is
// a link that reproduces this run as the controls show it.
export function toHash(values) {
  const locked = [...form.querySelectorAll('.control.locked')].map((l) => [l.dataset.key + '_hide', '1']);
  const all = [...Object.entries(values), ...locked];
  history.replaceState(null, '', '#' + all.map(([k, v]) => encode(k) + '=' + encode(v)).join('&'));
}
