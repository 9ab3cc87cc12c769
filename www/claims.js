// The About section's claims table: docs/claims.json (written by ./scripts/claims from
// the native `adfd claims --json`, copied into the site by scripts/build-site), with
// one sentence per claim on what it means for a student. Text only, never markup.

const MEANING = {
  '1': 'FD and AD see the same big picture: the largest singular values agree, and closer as h shrinks.',
  '2': 'FD loses the fine detail: fewer directions of the model survive above the threshold.',
  '3a': 'So FD\u2019s spectrum is less even: lower truncated entropy, fewer effective modes.',
  '3b': 'A smaller h brings FD closer to AD\u2026',
  '3c': '\u2026until round-off noise (\u03b5/h\u1d56) is counted as modes: K jumps.',
  '3d': 'Deep below the floor the noise even raises FD\u2019s entropy above AD\u2019s \u2014 entropy counts noise too, so watch the true residual.',
  '4a': 'For random features, more entropy means a smaller true PDE residual.',
  '4b': 'For networks, more initial entropy should mean faster training (steps to a 100-fold loss drop).',
  '4c': 'The same, measured as the loss drop after a fixed budget.',
  '4d': 'Whatever FD\u2019s own loss does, its true PDE residual after training is compared with AD\u2019s.',
  '5': 'Higher-order PDEs widen the gap: the biharmonic problem suffers more than Poisson.',
};

const fmt = (v) => (v === null || v === undefined || Number.isNaN(v)) ? '\u2013'
  : (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0)) ? v.toExponential(2) : v.toPrecision(3);

function cell(row, text, tag = 'td') {
  const c = document.createElement(tag);
  c.textContent = text;
  row.append(c);
}

export async function render(table, caption) {
  let doc;
  try {
    const res = await fetch('claims.json');
    if (!res.ok) throw new Error(res.status);
    doc = await res.json();
  } catch (e) {
    caption.textContent = 'The claims table (claims.json) could not be loaded: ' + e.message;
    return;
  }
  caption.textContent = `Measured by \u201c${doc.command}\u201d on ${doc.date} (${doc.machine}). ${doc.report.settings}.`;
  const head = document.createElement('tr');
  for (const h of ['claim', 'problem', 'what it means', 'holds on', 'effect: median [10 %, 90 %]']) cell(head, h, 'th');
  const body = document.createElement('tbody');
  for (const r of doc.report.rows) {
    const tr = document.createElement('tr');
    cell(tr, r.claim);
    cell(tr, r.problem);
    cell(tr, (MEANING[r.claim] || '') + ' Tested: ' + r.statement + ' (' + r.setting + ').');
    cell(tr, `${r.holds}/${r.seeds} seeds`);
    cell(tr, `${r.effect}: ${fmt(r.median)} [${fmt(r.p10)}, ${fmt(r.p90)}]`);
    body.append(tr);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  table.replaceChildren(thead, body);
}
