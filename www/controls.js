// The settings form, built from the controls' schema that Rust exports (controlSchema:
// keys, labels, kinds, choices, ranges, defaults; see src/web/controls.rs), read as
// {key: text}, errors shown beside their control, state mirrored in the URL hash.
// No numerics and no copied choices or ranges: Rust parses and checks every value.

const form = document.getElementById('controls');
let schema = [];
let byKey = new Map();

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
    // A slider over the exponent, with the value as text beside it.
    input.className = 'log-value';
    input.setAttribute('aria-label', c.label);
    const slider = document.createElement('input');
    Object.assign(slider, { type: 'range', min: c.min, max: c.max, step: c.step, className: 'log-slider', name: c.key + '_slider' });
    slider.setAttribute('aria-label', c.label + ' (log₁₀)');
    slider.addEventListener('input', () => {
      input.value = '1e' + slider.value;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    input.addEventListener('sync', () => { const m = /e(-?[\d.]+)$/i.exec(input.value); if (m) slider.value = m[1]; });
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
  let timer;
  form.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(onChange, 150); });
  form.addEventListener('submit', (e) => e.preventDefault());
  for (const key of new Set(['model', ...schema.filter((c) => c.narrow).map((c) => c.narrow.key)])) {
    element(key)?.addEventListener('change', showModel);
  }
}

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

export function showError(field, message) {
  clearErrors();
  const slot = byKey.has(field) && form.querySelector(`small.err[data-for="${CSS.escape(field)}"]`);
  if (slot) { slot.textContent = message; slot.parentElement.classList.add('invalid'); }
  else document.getElementById('general-error').textContent = message;
}

export function clearErrors({ keepGeneral = false } = {}) {
  for (const s of form.querySelectorAll('.err')) s.textContent = '';
  if (!keepGeneral) document.getElementById('general-error').textContent = '';
  for (const l of form.querySelectorAll('.invalid')) l.classList.remove('invalid');
}

// Settings in the URL hash, so a link reproduces a run.
export function fromHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  return Object.fromEntries(p.entries());
}

// A link's settings, checked before anything runs: at most MAX_HASH characters, each
// value at most MAX_VALUE, a choice among its control's choices, unknown keys
// dropped. Values are only ever set as control values (never as markup); Rust then
// validates every number (ranges, memory) before allocating anything.
const MAX_HASH = 4000;
const MAX_VALUE = 200;
export function readLink() {
  const values = {};
  const problems = [];
  let action = null;
  if (location.hash.length > MAX_HASH) {
    problems.push(`This link's settings are too long (${location.hash.length} characters); the defaults are used.`);
    return { values, problems, action };
  }
  const ignored = [];
  for (const [k, v] of new URLSearchParams(location.hash.slice(1))) {
    const c = byKey.get(k) || (k.endsWith('_hide') && byKey.has(k.slice(0, -5)) ? { key: k } : null);
    if (k === 'run') { if (v === 'sweep') action = 'sweep'; continue; }
    if (!c) { ignored.push(k.slice(0, 40)); continue; }
    if (v.length > MAX_VALUE) { problems.push(`The link's ${k} is ${v.length} characters long; its default is used.`); continue; }
    if (c.kind === 'whole' && !/^\s*\d{1,12}\s*$/.test(v)) { problems.push(`The link's ${k} "${v.slice(0, 40)}" is not a whole number; its default is used.`); continue; }
    if (c.kind === 'choice' && !c.choices.includes(v)) { problems.push(`The link's ${k} "${v.slice(0, 40)}" is not one of ${c.choices.join(', ')}; its default is used.`); continue; }
    values[k] = v;
  }
  if (ignored.length) problems.push(`Unknown settings in the link were ignored: ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? '…' : ''}.`);
  return { values, problems, action };
}

// Shows every control again (a new link brings its own _hide keys).
export function unlockAll() {
  for (const l of form.querySelectorAll('.control.locked')) l.classList.remove('locked');
}

export function toHash(values) {
  const hide = Object.fromEntries(Object.entries(fromHash()).filter(([k]) => k.endsWith('_hide')));
  history.replaceState(null, '', '#' + new URLSearchParams({ ...values, ...hide }).toString());
}
