// The settings form: built from one table, read as {key: text}, errors shown beside
// their control, state mirrored in the URL hash. No numerics: Rust parses every value.

const ACTIVATIONS = ['tanh', 'sin', 'sigmoid', 'softplus', 'gaussian', 'relu^5'];
export const CONTROLS = [
  { key: 'problem', label: 'problem', options: ['poisson1d', 'biharmonic1d', 'poisson2d', 'biharmonic2d'] },
  { key: 'k', label: 'frequency k', type: 'number', min: 1, max: 16 },
  { key: 'model', label: 'model', options: ['rfm'] },
  { key: 'activation', label: 'activation σ', options: ACTIVATIONS },
  { key: 'm', label: 'features m', type: 'number', min: 1 },
  { key: 'scale', label: 'scale R (w, b ~ U[−R, R])', type: 'text' },
  { key: 'n', label: 'interior points n', type: 'number', min: 1 },
  { key: 'sampling', label: 'points', options: ['grid', 'random'] },
  { key: 'seed', label: 'seed', type: 'number', min: 0 },
  { key: 'h', label: 'FD steps h (list; AD always runs)', type: 'text' },
  { key: 'order', label: 'stencil order', options: ['2', '4'] },
  { key: 'threshold', label: 'threshold a', type: 'log' },
  { key: 'threshold_kind', label: 'threshold is', options: ['relative', 'absolute'] },
  { key: 'precision', label: 'precision', options: ['f64', 'f32'] },
  { key: 'lambda', label: 'boundary weight λ', type: 'text', advanced: true },
  { key: 'init', label: 'feature init', options: ['uniform', 'normal'], advanced: true },
  { key: 'rcond', label: 'least-squares rcond', type: 'text', advanced: true },
];

const form = document.getElementById('controls');

function field(c) {
  const wrap = document.createElement('label');
  wrap.className = 'control' + (c.advanced ? ' advanced' : '');
  wrap.dataset.key = c.key;
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
    const slider = document.createElement('input');
    Object.assign(slider, { type: 'range', min: -16, max: -1, step: 0.5, className: 'log-slider' });
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
}

export function read() {
  const out = {};
  for (const c of CONTROLS) if (c.key !== 'model') out[c.key] = String(form.elements[c.key].value);
  return out;
}

export function write(values) {
  for (const [k, v] of Object.entries(values)) {
    const el = form.elements[k];
    if (!el) continue;
    el.value = v;
    el.dispatchEvent(new Event('sync'));
  }
}

export function showError(field, message) {
  clearErrors();
  const slot = field && form.querySelector(`small.err[data-for="${CSS.escape(field)}"]`);
  if (slot) { slot.textContent = message; slot.parentElement.classList.add('invalid'); }
  else document.getElementById('general-error').textContent = message;
}

export function clearErrors() {
  for (const s of document.querySelectorAll('.err')) s.textContent = '';
  for (const l of form.querySelectorAll('.invalid')) l.classList.remove('invalid');
}

// Settings in the URL hash, so a link reproduces a run.
export function fromHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  return Object.fromEntries(p.entries());
}

export function toHash(values) {
  history.replaceState(null, '', '#' + new URLSearchParams(values).toString());
}
