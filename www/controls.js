// The settings form: built from one table, read as {key: text}, errors shown beside
// their control, state mirrored in the URL hash. No numerics: Rust parses every value.

const ACTIVATIONS = ['tanh', 'sin', 'sigmoid', 'softplus', 'gaussian', 'relu^5'];
export const CONTROLS = [
  { key: 'problem', label: 'problem', options: ['poisson1d', 'biharmonic1d', 'poisson2d', 'biharmonic2d'] },
  { key: 'k', label: 'frequency k', type: 'number', min: 1, max: 16 },
  { key: 'model', label: 'model', options: ['rfm', 'two-layer', 'mlp'] },
  { key: 'activation', label: 'activation σ', options: ACTIVATIONS },
  { key: 'm', label: 'features m', type: 'number', min: 1, only: 'rfm' },
  { key: 'scale', label: 'feature scale R', type: 'text', only: 'rfm' },
  { key: 'width', label: 'width', type: 'number', min: 1, only: 'net' },
  { key: 'layers', label: 'hidden layers', type: 'number', min: 1, max: 8, only: 'mlp' },
  { key: 'net_scale', label: 'init scale R', type: 'text', only: 'net' },
  { key: 'optimizer', label: 'optimizer', options: ['gd', 'adam'], only: 'net' },
  { key: 'lr', label: 'learning rate (auto: c/λmax)', type: 'text', only: 'net' },
  { key: 'lr_scale', label: 'c in c/λmax', type: 'text', only: 'net' },
  { key: 'steps', label: 'steps', type: 'number', min: 1, only: 'net' },
  { key: 'n', label: 'interior points n', type: 'number', min: 1 },
  { key: 'sampling', label: 'points', options: ['grid', 'random'] },
  { key: 'seed', label: 'seed', type: 'number', min: 0 },
  { key: 'h', label: 'FD steps h (list; AD always runs)', type: 'text' },
  { key: 'order', label: 'stencil order', options: ['2', '4'] },
  { key: 'threshold', label: 'threshold a', type: 'log' },
  { key: 'threshold_kind', label: 'threshold is', options: ['relative', 'absolute'] },
  { key: 'precision', label: 'precision', options: ['f64', 'f32'] },
  { key: 'lambda', label: 'boundary weight λ', type: 'text', advanced: true },
  { key: 'init', label: 'feature init', options: ['uniform', 'normal'], only: 'rfm' },
  { key: 'rcond', label: 'least-squares rcond', type: 'text', only: 'rfm' },
];

const form = document.getElementById('controls');

function field(c) {
  const wrap = document.createElement('label');
  wrap.className = 'control';
  wrap.dataset.key = c.key;
  if (c.only) wrap.dataset.only = c.only;
  const name = document.createElement('span');
  name.textContent = c.label;
  wrap.append(name);
  let input;
  if (c.options) {
    input = document.createElement('select');
    for (const o of c.options) input.append(new Option(o, o));
  } else if (c.type === 'log') {
    // A log slider over the exponent, with the value as text beside it.
    input = document.createElement('input');
    input.type = 'text';
    input.className = 'log-value';
    input.setAttribute('aria-label', c.label);
    const slider = document.createElement('input');
    Object.assign(slider, { type: 'range', min: -16, max: -0.5, step: 0.5, className: 'log-slider', name: 'threshold_slider' });
    slider.setAttribute('aria-label', c.label + ' (log₁₀)');
    slider.addEventListener('input', () => {
      input.value = '1e' + slider.value;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    input.addEventListener('sync', () => { const m = /e(-?[\d.]+)$/i.exec(input.value); if (m) slider.value = m[1]; });
    wrap.append(slider);
  } else {
    input = document.createElement('input');
    input.type = c.type === 'number' ? 'number' : 'text';
    if (c.min !== undefined) input.min = c.min;
    if (c.max !== undefined) input.max = c.max;
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

export function build(onChange) {
  for (const c of CONTROLS) form.append(field(c));
  let timer;
  form.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(onChange, 150); });
  form.addEventListener('submit', (e) => e.preventDefault());
  form.elements.model.addEventListener('change', showModel);
  form.elements.threshold_kind.addEventListener('change', showModel);
}

// Show only the controls that apply to the chosen model; an absolute threshold may
// exceed 1, a relative one may not.
function showModel() {
  const slider = form.querySelector('.log-slider');
  slider.max = form.elements.threshold_kind.value === 'absolute' ? 4 : -0.5;
  const model = form.elements.model.value;
  for (const el of form.querySelectorAll('[data-only]')) {
    const only = el.dataset.only;
    el.hidden = !(only === model || (only === 'net' && model !== 'rfm'));
  }
}

export function read() {
  const out = {};
  for (const c of CONTROLS) out[c.key] = String(form.elements[c.key].value);
  return out;
}

export function write(values) {
  for (const [k, v] of Object.entries(values)) {
    // "key_hide" in the URL hides that control (a teacher's locked-down lesson).
    if (k.endsWith('_hide')) {
      const label = form.querySelector(`[data-key="${CSS.escape(k.slice(0, -5))}"]`);
      if (label) label.classList.toggle('locked', v !== '0');
      continue;
    }
    const el = form.elements[k];
    if (!el) continue;
    el.value = v;
    el.dispatchEvent(new Event('sync'));
  }
  showModel();
}

export function showError(field, message) {
  clearErrors();
  const slot = field && form.querySelector(`small.err[data-for="${CSS.escape(field)}"]`);
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
// value at most MAX_VALUE, a choice among its control's options, unknown keys
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
  const known = Object.fromEntries(CONTROLS.map((c) => [c.key, c]));
  const ignored = [];
  for (const [k, v] of new URLSearchParams(location.hash.slice(1))) {
    const c = known[k] || (k.endsWith('_hide') && known[k.slice(0, -5)] ? { key: k } : null);
    if (k === 'run') { if (v === 'sweep') action = 'sweep'; continue; }
    if (!c) { ignored.push(k.slice(0, 40)); continue; }
    if (v.length > MAX_VALUE) { problems.push(`The link's ${k} is ${v.length} characters long; its default is used.`); continue; }
    if (c.type === 'number' && !/^\s*\d{1,12}\s*$/.test(v)) { problems.push(`The link's ${k} "${v.slice(0, 40)}" is not a whole number; its default is used.`); continue; }
    if (c.options && !c.options.includes(v)) { problems.push(`The link's ${k} "${v.slice(0, 40)}" is not one of ${c.options.join(', ')}; its default is used.`); continue; }
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
