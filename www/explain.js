// Explanations: under each panel, what it shows and what to look for, with the
// formulas in MathML (rendered natively by Chromium and Firefox; no script or font
// from elsewhere). Static text only: nothing here comes from the URL or the user.

const m = (body) => `<math display="block">${body}</math>`;
const mi = (body) => `<math>${body}</math>`;

// K(a) and H(a), adfd's definitions (science.md §5).
export const K_FORMULA = m(`<mrow><mi>K</mi><mo>(</mo><mi>a</mi><mo>)</mo><mo>=</mo>
  <mo>#</mo><mo>{</mo><mi>i</mi><mo>:</mo><msub><mi>s</mi><mi>i</mi></msub><mo>&gt;</mo>
  <mi>a</mi><mo>&#x2062;</mo><msub><mi>s</mi><mn>1</mn></msub><mo>}</mo></mrow>`);
export const H_FORMULA = m(`<mrow><mi>H</mi><mo>(</mo><mi>a</mi><mo>)</mo><mo>=</mo><mo>&#x2212;</mo>
  <munder><mo>&#x2211;</mo><mrow><mi>i</mi><mo>&#x2264;</mo><mi>K</mi></mrow></munder>
  <msub><mi>p</mi><mi>i</mi></msub><mo>&#x2062;</mo><mi>ln</mi><mo>&#x2061;</mo><msub><mi>p</mi><mi>i</mi></msub>
  <mo>,</mo><mspace width="1em"/>
  <msub><mi>p</mi><mi>i</mi></msub><mo>=</mo><mfrac><msub><mi>s</mi><mi>i</mi></msub>
  <mrow><msub><mo>&#x2211;</mo><mrow><mi>j</mi><mo>&#x2264;</mo><mi>K</mi></mrow></msub><msub><mi>s</mi><mi>j</mi></msub></mrow></mfrac></mrow>`);
const OPERATOR = m(`<mrow><mo>&#x2212;</mo><msup><mi>u</mi><mo>&#x2033;</mo></msup><mo>=</mo><mi>f</mi>
  <mspace width="0.6em"/><mtext>or</mtext><mspace width="0.6em"/>
  <msup><mi>u</mi><mrow><mo>(</mo><mn>4</mn><mo>)</mo></mrow></msup><mo>=</mo><mi>f</mi>
  <mspace width="0.6em"/><mtext>on</mtext><mspace width="0.3em"/><mo>(</mo><mo>&#x2212;</mo><mn>1</mn><mo>,</mo><mn>1</mn><mo>)</mo>
  <mo>;</mo><mspace width="0.6em"/><mo>&#x2212;</mo><mi>&#x394;</mi><mi>u</mi><mo>=</mo><mi>f</mi><mo>,</mo>
  <mspace width="0.3em"/><msup><mi>&#x394;</mi><mn>2</mn></msup><mi>u</mi><mo>=</mo><mi>f</mi>
  <mspace width="0.3em"/><mtext>in 2-D</mtext></mrow>`);
const STENCIL = m(`<mrow><msup><mi>u</mi><mo>&#x2033;</mo></msup><mo>(</mo><mi>x</mi><mo>)</mo><mo>&#x2248;</mo>
  <mfrac><mrow><mi>u</mi><mo>(</mo><mi>x</mi><mo>+</mo><mi>h</mi><mo>)</mo><mo>&#x2212;</mo><mn>2</mn><mi>u</mi><mo>(</mo><mi>x</mi><mo>)</mo>
  <mo>+</mo><mi>u</mi><mo>(</mo><mi>x</mi><mo>&#x2212;</mo><mi>h</mi><mo>)</mo></mrow><msup><mi>h</mi><mn>2</mn></msup></mfrac>
  <mo>,</mo><mspace width="0.6em"/><mtext>error</mtext><mspace width="0.3em"/>
  <mo>&#x2248;</mo><mi>C</mi><msup><mi>h</mi><mn>2</mn></msup><mo>+</mo><mfrac><mrow><mi>&#x3b5;</mi><mo>|</mo><mi>u</mi><mo>|</mo></mrow><msup><mi>h</mi><mn>2</mn></msup></mfrac></mrow>`);
const RFM = m(`<mrow><mi>u</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo><munderover><mo>&#x2211;</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow><mi>m</mi></munderover>
  <msub><mi>a</mi><mi>j</mi></msub><mi>&#x3c3;</mi><mo>(</mo><msub><mi>w</mi><mi>j</mi></msub><mo>&#x22c5;</mo><mi>x</mi><mo>+</mo><msub><mi>b</mi><mi>j</mi></msub><mo>)</mo>
  <mo>,</mo><mspace width="0.6em"/><mi>A</mi><mi>a</mi><mo>&#x2248;</mo><mi>F</mi><mo>,</mo><mspace width="0.6em"/>
  <msub><mi>A</mi><mrow><mi>i</mi><mi>j</mi></mrow></msub><mo>=</mo><mo>(</mo><mi>L</mi><msub><mi>&#x3c3;</mi><mi>j</mi></msub><mo>)</mo><mo>(</mo><msub><mi>x</mi><mi>i</mi></msub><mo>)</mo></mrow>`);

export const CAPTIONS = {
  spectrum: `<p>What it shows: the singular values of the matrix that governs fitting — <i>A</i> for the
    random feature model, the Jacobian <i>J</i> = ∂<i>r</i>/∂<i>θ</i> for networks — for AD (solid) and each
    FD step size (dashed, one pattern per <i>h</i>).</p>${RFM}${K_FORMULA}
    <p>Look for: the curves agree at the top (large modes are shared) and part in the tail, where FD
    falls faster. Fewer values above the black threshold line means a smaller <i>K</i>.</p>`,
  solution: `<p>What it shows: the exact solution <i>u*</i> (thick black) and the fitted ones, with the
    error |<i>u</i> − <i>u*</i>| below on a log scale. The operator and the FD stencil:</p>${OPERATOR}${STENCIL}
    <p>Look for: the AD error sits orders of magnitude below FD's for moderate <i>h</i>.</p>`,
  loss: `<p>What it shows: for networks, each run's training loss (on its own AD or FD operator) and
    its true PDE residual; for the RFM, how <i>K</i>(<i>a</i>) and exp <i>H</i>(<i>a</i>) change as the
    threshold <i>a</i> moves.</p>${H_FORMULA}
    <p>Look for: a run's loss can fall while its true residual stays high — FD fits its own,
    distorted problem. Below FD's round-off floor <i>K</i> starts counting noise.</p>`,
  sweep: `<p>What it shows: exp <i>H</i> and the true residual for FD step sizes from 10⁻¹ down to ~10⁻⁷
    (press “Sweep h”), with AD as a level line.</p>
    <p>Look for: a V shape. FD approaches AD as <i>h</i> shrinks (truncation error ~ <i>h</i>²)
    until round-off ε/<i>h</i><sup><i>p</i></sup> takes over and it turns away again.</p>`,
  scatter: `<p>What it shows: every finished run as a point, truncated entropy ${mi('<mi>H</mi>')} across,
    true residual (RFM) or loss ratio after training (networks) up.</p>
    <p>Look for: a downward trend — more, and more even, modes above the cut go with a better fit and
    faster training. That is the paper's claim, tested across many runs, not one pair.</p>`,
};

// Adds a "What to look for" block under each chart panel, and the About formulas.
export function annotate() {
  const about = document.getElementById('about-formulas');
  if (about) about.innerHTML = K_FORMULA + H_FORMULA;  // static text, never user data
  for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
    const html = CAPTIONS[canvas.dataset.chart];
    if (!html) continue;
    const box = document.createElement('details');
    box.className = 'explain';
    const summary = document.createElement('summary');
    summary.textContent = 'What this shows, what to look for';
    const body = document.createElement('div');
    body.innerHTML = html;  // static text above, never user data
    box.append(summary, body);
    canvas.closest('figure').append(box);
  }
}
