// The About section's claims table: docs/claims.json (written by ./scripts/claims from
// the native `adfd claims --json`, copied into the site by scripts/build-site); each
// row carries what its claim means for a student (src/experiment/claims/mod.rs). Text only, never
// markup.


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
  // The rows at the claim sizes; a --sizes run's smaller sizes are in docs/claims.md.
  const rows = doc.report.rows.filter((r) => r.at_claim_size !== false);
  const scanned = rows.length < doc.report.rows.length
    ? ' Network claims at the claim sizes; how each changes at smaller sizes is in the repository\u2019s docs/claims.md.' : '';
  caption.textContent = `Measured by \u201c${doc.command}\u201d on ${doc.date} (${doc.machine}). ${doc.report.settings}.${scanned}`;
  const head = document.createElement('tr');
  for (const h of ['claim', 'problem', 'network size', 'what it means', 'holds on', 'effect: median [10 %, 90 %]']) cell(head, h, 'th');
  const body = document.createElement('tbody');
  for (const r of rows) {
    const tr = document.createElement('tr');
    cell(tr, r.claim);
    cell(tr, r.problem);
    cell(tr, r.size || '–');
    cell(tr, (r.meaning || '') + ' Tested: ' + r.statement + ' (' + r.setting + ').');
    cell(tr, `${r.holds}/${r.seeds} seeds`);
    cell(tr, `${r.effect}: ${fmt(r.median)} [${fmt(r.p10)}, ${fmt(r.p90)}]`);
    body.append(tr);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  table.replaceChildren(thead, body);
}
