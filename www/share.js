// Sharing and exporting: the run as the CLI's JSON report (re-runs natively with
// `adfd rfm|train --config FILE`) and CSV table, each chart as PNG, and a "copy link"
// button (the URL hash holds every setting and the seed). Also the large-text toggle.
// The numbers come from Rust in the worker; this file only moves them into files.

let pending = null;  // resolves with the worker's {json, csv} report

export function onReport(data) {
  if (pending) { pending(data); pending = null; }
}

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

function button(text, title, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

function stem(snap) {
  return snap ? `adfd-${snap.problem}-${snap.model}-seed${snap.seed}` : 'adfd';
}

// `send` posts a message to the worker; `state` is the page's state (latest snapshot).
export function init({ send, state, setTextScale, link }) {
  const say = document.getElementById('share-status');
  const report = (kind) => async () => {
    const got = new Promise((resolve) => { pending = resolve; });
    send({ type: 'report' });
    const r = await got;
    const snap = state.lastSnap;
    if (kind === 'json') download(stem(snap) + '.json', new Blob([r.json], { type: 'application/json' }));
    else download(stem(snap) + '.csv', new Blob([r.csv], { type: 'text/csv' }));
    say.textContent = `saved the ${kind === 'json' ? 'JSON report' : 'CSV table'}${snap && !snap.finished ? ' (run not finished: partial)' : ''}`;
  };
  const box = document.getElementById('share');
  box.append(
    button('Copy link', 'copy a link that reproduces this run', async () => {
      try {
        await navigator.clipboard.writeText(link());
        say.textContent = 'link copied';
      } catch {
        // No clipboard permission: show the link, selected, to copy by hand.
        const out = document.getElementById('share-link');
        out.hidden = false;
        out.value = link();
        out.select();
        say.textContent = 'copy the selected link';
      }
    }),
    button('JSON', 'the run as the CLI report: adfd rfm|train --config FILE re-runs it', report('json')),
    button('CSV', 'one row per run', report('csv')),
  );
  // A PNG button in each chart's caption.
  for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
    const name = canvas.dataset.chart;
    const b = button('PNG', `download the ${name} chart as PNG`, () => {
      canvas.toBlob((blob) => { if (blob) download(`${stem(state.lastSnap)}-${name}.png`, blob); }, 'image/png');
    });
    b.className = 'png';
    b.setAttribute('aria-label', `Download the ${name} chart as PNG`);
    canvas.closest('figure').querySelector('figcaption').append(b);
  }
  // Large text for projectors: bigger page text and bigger chart lettering, remembered.
  const large = document.getElementById('large-text');
  const apply = (on) => {
    document.documentElement.classList.toggle('large', on);
    large.setAttribute('aria-pressed', String(on));
    setTextScale(on ? 1.5 : 1);
  };
  let on = false;
  try { on = localStorage.getItem('adfd-large') === '1'; } catch { /* storage may be off */ }
  apply(on);
  large.addEventListener('click', () => {
    on = !on;
    try { localStorage.setItem('adfd-large', on ? '1' : '0'); } catch { /* ignore */ }
    apply(on);
  });
}
