// "Things to try": presets that are nothing but URL hashes, each with a sentence or two
// on what to watch. A lesson link sets every control (unlisted ones take the library's
// defaults), so opening it later, or on another machine, gives the same numbers.
// A key ending in _hide locks that control (see the last lesson); run=sweep also
// starts a sweep over h once the comparison is done.

export const LESSONS = [
  { title: 'AD vs FD on Poisson', hash: 'problem=poisson1d&model=rfm&h=1e-1, 1e-2, 1e-3',
    text: 'The spectra agree at the top; FD\u2019s tail drops away sooner, most for the largest h. Compare K, exp H and the true residual in the readouts.' },
  { title: 'Biharmonic widens the gap', hash: 'problem=biharmonic1d&model=rfm&h=1e-1, 1e-2, 1e-3',
    text: 'A fourth-order operator: the FD stencil\u2019s error grows with the derivative order, so fewer FD modes survive and the residual gap to AD is wider than on Poisson.' },
  { title: 'The round-off floor at tiny h (and in f32)', hash: 'problem=poisson1d&model=rfm&precision=f32&h=1e-1, 1e-2, 1e-3, 1e-4',
    text: 'In f32 the FD round-off error \u03b5/h\u00b2 overtakes the truncation error near h = 10\u207b\u00b2: at 10\u207b\u00b3 and 10\u207b\u2074 the true residual explodes while K and exp H rise \u2014 noise has lifted the small singular values. Press \u201cSweep h\u201d for the whole V; in f64 the floor moves to h \u2248 10\u207b\u2074.' },
  { title: 'Lower the threshold and count noise as signal', hash: 'problem=poisson1d&model=rfm&h=1e-2, 1e-5&threshold=1e-14',
    text: 'With a below FD\u2019s round-off floor, K counts noise singular values as modes: FD h = 10\u207b\u2075 ends up with more \u201cmodes\u201d than AD, while H barely moves. Watch the \u201cmodes kept vs threshold\u201d panel, then drag the threshold slider back up.' },
  { title: 'Entropy predicts training speed (sweep)', hash: 'problem=poisson1d&model=two-layer&width=60&steps=300&h=1e-1, 1e-2&run=sweep',
    text: 'Trains a two-layer network for each h at one shared learning rate. In the scatter, runs with higher truncated entropy should reach a smaller loss ratio.' },
  { title: 'A deeper network', hash: 'problem=poisson1d&model=mlp&layers=3&width=30&steps=400&h=1e-1, 1e-2, 1e-3',
    text: 'Three hidden layers (beyond the paper\u2019s theory): compare the spectra of J and the loss curves of AD and FD runs that start from the same parameters.' },
  { title: '2-D Poisson', hash: 'problem=poisson2d&model=rfm&scale=3&h=1e-1, 1e-2, 1e-3',
    text: 'The 5-point Laplacian on (\u22121,1)\u00b2: heatmaps of the fitted u and of the error; pick the FD step shown beside the solution panel\u2019s title. The feature scale is R = 3 here: with R = 10, 400 features oscillate faster than a 20\u00d720 grid resolves, and every mode fits poorly.' },
  { title: 'A locked-down lesson', hash: 'problem=biharmonic1d&model=rfm&problem_hide=1&model_hide=1&precision_hide=1',
    text: 'Keys ending in _hide hide a control: students can vary h and the threshold but not the problem, the model or the precision.' },
];

export function render(list) {
  for (const l of LESSONS) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    // Each key and value percent-encoded, as the page's own links are (a space is %20, never '+').
    a.href = '#' + l.hash.split('&').map((kv) => kv.split('=').map(encodeURIComponent).join('=')).join('&');
    a.textContent = l.title;
    a.className = 'lesson';
    const p = document.createElement('span');
    p.textContent = ' \u2014 ' + l.text;
    li.append(a, p);
    list.append(li);
  }
}
