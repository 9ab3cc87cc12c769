// "Things to try": presets that are nothing but URL hashes, each with what to watch and
// one checked statement about its own link. tests/lessons.rs runs every lesson's
// settings natively through the same Config path the page uses and asserts its
// `checks` on the seeds named in `claim`; a lesson whose statement stops holding fails
// the tests. A lesson link sets its controls (unlisted ones take adfd's defaults for
// its problem and precision), so opening it later gives the same numbers. A key ending
// in _hide locks that control (see the last lesson); run=sweep starts a sweep over h
// once the comparison is done.
//
// The array is strict JSON (tests/lessons.rs parses it): double quotes, no trailing
// commas. Check kinds are documented in tests/lessons.rs.

export const LESSONS = [
  {
    "title": "Watch AD and FD solve the biharmonic equation",
    "hash": "problem=biharmonic1d&model=two-layer&width=150&n=100&net_scale=5&optimizer=lm&mu0=1e-3&steps=200&every=10&h=5e-2, 1e-1, 2e-1",
    "text": "A two-layer network trained on u\u2032\u2032\u2032\u2032 = f by Levenberg\u2013Marquardt (damped Gauss\u2013Newton steps) from one initialization, once with the AD residual and once per FD step size. Watch the lower half of the loss panel, the error of each solution: AD\u2019s falls below 10\u207b\u2076, while each FD network converges to the solution of its own stencil and its error flattens at that stencil\u2019s truncation error, which falls like h\u00b2 \u2014 though its own loss keeps falling.",
    "claim": "On seeds 0\u20132: AD\u2019s relative L2 error falls below 10\u207b\u2076; halving h divides each FD run\u2019s final error by 3 to 5.5 (its stencil\u2019s h\u00b2); FD h = 0.2\u2019s own loss falls below 10\u207b\u2075 while its error stays above 10\u207b\u00b2.",
    "seeds": [0, 1, 2],
    "checks": [
      { "kind": "error_below", "at_most": 1e-6 },
      { "kind": "error_halving", "between": [3, 5.5] },
      { "kind": "own_loss_below", "h": 0.2, "at_most": 1e-5 },
      { "kind": "error_above", "h": 0.2, "at_least": 1e-2 }
    ]
  },
  {
    "title": "Gradient descent: the paper\u2019s training-speed experiment",
    "hash": "problem=biharmonic1d&model=two-layer&width=100&n=100&net_scale=5&optimizer=gd&lr=auto&lr_scale=0.5&steps=2000&every=50&h=5e-2, 1e-1, 2e-1",
    "text": "The same comparison trained by gradient descent at one shared learning rate c/\u03bb_max of the AD kernel, the setting of the paper\u2019s theory. The runs with the highest initial truncated entropy H\u2080 of J fall fastest \u2014 but after 2000 steps no network has learned the solution: for a fourth-order operator \u03bb_max/\u03bb_min of the kernel is astronomically large. A training-speed lesson, not a solver.",
    "claim": "On seeds 0\u20132: H\u2080 falls as h grows (AD highest), AD reaches 10\u207b\u00b2 of its initial loss first and FD h = 0.2 last, after 2000 steps FD h = 0.2\u2019s true residual is at least 30\u00d7 AD\u2019s, and AD\u2019s relative L2 error is still above 0.1.",
    "seeds": [0, 1, 2],
    "checks": [
      { "kind": "entropy_falls_with_h" },
      { "kind": "ad_fastest_coarsest_slowest" },
      { "kind": "true_residual_ratio_over_ad", "h": 0.2, "at_least": 30 },
      { "kind": "error_above", "at_least": 0.1 }
    ]
  },
  {
    "title": "Watch the true residual, not the loss",
    "hash": "problem=biharmonic1d&model=two-layer&width=100&n=100&net_scale=5&optimizer=adam&lr=1e-2&steps=2000&every=50&h=5e-2, 1e-1, 2e-1",
    "text": "The same networks trained with Adam. FD h = 0.2 drives its own loss lowest \u2014 but its loss is built on a damped operator, and the true PDE residual (dashed) tells another story.",
    "claim": "On seeds 0\u20132: after 2000 steps FD h = 0.2's own loss is below AD's, while its true residual is at least 300\u00d7 AD's.",
    "seeds": [0, 1, 2],
    "checks": [
      { "kind": "lower_loss_worse_truth", "h": 0.2, "at_least": 300 }
    ]
  },
  {
    "title": "When FD is good enough",
    "hash": "problem=poisson1d&model=two-layer&width=150&n=100&optimizer=lm&steps=200&every=10&h=1e-2, 1e-3, 1e-4",
    "text": "Under Levenberg\u2013Marquardt an FD network converges to the solution of its own stencil, whose error falls like h\u00b2: a hundredfold per decade of h. For Poisson in f64 the round-off \u03b5/h\u00b2 is still small at h = 10\u207b\u2074, where FD\u2019s network is as accurate as AD\u2019s: FD is good enough, at three network evaluations per point. Now switch the problem to biharmonic1d: there round-off grows like \u03b5/h\u2074, FD stalls near 10\u207b\u2075 at h = 10\u207b\u00b3 and fails at 10\u207b\u2074, while AD reaches 10\u207b\u2077.",
    "claim": "On seeds 0\u20132: FD\u2019s error falls at least 50-fold from h = 10\u207b\u00b2 to 10\u207b\u00b3, and at h = 10\u207b\u2074 it is within 3\u00d7 of AD\u2019s (below 10\u207b\u2077).",
    "seeds": [0, 1, 2],
    "checks": [
      { "kind": "error_ratio", "h": 0.01, "over": 0.001, "at_least": 50 },
      { "kind": "error_near_ad", "h": 0.0001, "within": 3 },
      { "kind": "error_below", "h": 0.0001, "at_most": 1e-7 }
    ]
  },
  {
    "title": "AD vs FD on Poisson (random features)",
    "hash": "problem=poisson1d&model=rfm&h=1e-1, 1e-2, 1e-3",
    "text": "The spectra of A agree at the top; FD\u2019s tail drops away sooner, most for the largest h. Compare K, exp H and the true residual in the readouts.",
    "claim": "On seeds 0\u20134: FD h = 0.1 keeps fewer spectral modes than AD (K_FD < K_AD), and every FD run's true residual is worse than AD's.",
    "seeds": [0, 1, 2, 3, 4],
    "checks": [
      { "kind": "fewer_modes", "h": [0.1] },
      { "kind": "worse_true_residual", "h": [0.1, 0.01, 0.001] }
    ]
  },
  {
    "title": "Biharmonic widens the gap",
    "hash": "problem=biharmonic1d&model=rfm&h=1e-1, 3e-2, 1e-2",
    "text": "A fourth-order operator: the FD stencil\u2019s error grows with the derivative order, so fewer FD modes survive and the entropy gap to AD is wider than on Poisson.",
    "claim": "On seeds 0\u20134: K_FD < K_AD at h = 0.1 and 0.03 (at 0.01 FD has nearly caught up), and H_AD \u2212 H_FD at h = 0.1 exceeds the same gap on Poisson (same seed, same settings otherwise).",
    "seeds": [0, 1, 2, 3, 4],
    "checks": [
      { "kind": "fewer_modes", "h": [0.1, 0.03] },
      { "kind": "wider_entropy_gap_than", "problem": "poisson1d", "h": 0.1 }
    ]
  },
  {
    "title": "The round-off floor in f32",
    "hash": "problem=poisson1d&model=rfm&precision=f32&threshold=1e-5&h=1e-1, 1e-2, 1e-3, 1e-4",
    "text": "In f32 FD\u2019s round-off \u03b5/h\u00b2 lifts its small singular values above the threshold from h = 10\u207b\u00b2 on (K exceeds AD\u2019s: noise counted as modes), and by h = 10\u207b\u00b3 it ruins the fit. Press \u201cSweep h\u201d for the whole V; in f64 the floor moves to h \u2248 10\u207b\u2075.",
    "claim": "On seeds 0\u20134: K_FD > K_AD at h = 10\u207b\u00b2 and 10\u207b\u00b3, and the true residual at h = 10\u207b\u00b3 is at least 1000\u00d7 that at 10\u207b\u00b2.",
    "seeds": [0, 1, 2, 3, 4],
    "checks": [
      { "kind": "more_modes", "h": [0.01, 0.001] },
      { "kind": "true_residual_ratio", "h": 0.001, "over": 0.01, "at_least": 1000 }
    ]
  },
  {
    "title": "Lower the threshold and count noise as signal",
    "hash": "problem=poisson1d&model=rfm&h=1e-2, 1e-5&threshold=1e-14",
    "text": "With a below FD\u2019s round-off floor, K counts noise singular values as modes, while H, weighted by the singular values, barely moves. In the spectrum panel the shaded band of each FD step size is its estimated round-off floor: here the threshold line runs inside FD h = 10\u207b\u2075\u2019s band. Watch the \u201cmodes kept vs threshold\u201d panel, then drag the threshold slider back up.",
    "claim": "On seeds 0\u20134: FD h = 10\u207b\u2075 keeps more \u201cmodes\u201d than AD (K_FD > K_AD), yet its H differs from AD\u2019s by less than 0.01.",
    "seeds": [0, 1, 2, 3, 4],
    "checks": [
      { "kind": "more_modes", "h": [0.00001] },
      { "kind": "entropy_close", "h": 0.00001, "within": 0.01 }
    ]
  },
  {
    "title": "A deeper network",
    "hash": "problem=poisson1d&model=mlp&layers=3&width=30&optimizer=lm&steps=200&every=10&h=1e-1, 1e-2, 1e-3",
    "text": "Three hidden layers (beyond the paper\u2019s theory), trained by Levenberg\u2013Marquardt: compare the spectra of J and the error curves of AD and FD runs that start from the same parameters. Depth does not change the picture: AD learns the solution, each FD network its stencil\u2019s.",
    "claim": "On seeds 0\u20134: at initialization AD\u2019s J has the highest truncated entropy H\u2080, and FD\u2019s H\u2080 approaches it as h shrinks; after training AD\u2019s relative L2 error is below 10\u207b\u2075 and FD h = 0.1\u2019s above 10\u207b\u00b3.",
    "seeds": [0, 1, 2, 3, 4],
    "checks": [
      { "kind": "entropy_falls_with_h" },
      { "kind": "error_below", "at_most": 1e-5 },
      { "kind": "error_above", "h": 0.1, "at_least": 1e-3 }
    ]
  },
  {
    "title": "2-D Poisson",
    "hash": "problem=poisson2d&model=rfm&scale=2&h=2e-1, 1e-1, 5e-2",
    "text": "The 5-point Laplacian on (\u22121,1)\u00b2: heatmaps of the fitted u and of the error; pick the FD step size shown beside the solution panel\u2019s title. The feature scale is R = 2, adfd\u2019s 2-D default: with R = 10, 400 features oscillate faster than a 20\u00d720 grid resolves and every run fits poorly.",
    "claim": "On seeds 0\u20134: AD fits to a relative L2 error below 10\u207b\u00b3, and H_FD < H_AD at every h.",
    "seeds": [0, 1, 2, 3, 4],
    "checks": [
      { "kind": "error_below", "at_most": 0.001 },
      { "kind": "entropy_falls_with_h" }
    ]
  },
  {
    "title": "A locked-down lesson",
    "hash": "problem=biharmonic1d&model=rfm&h=1e-1, 3e-2, 1e-2&problem_hide=1&model_hide=1&precision_hide=1",
    "text": "Keys ending in _hide hide a control: students can vary h and the threshold but not the problem, the model or the precision.",
    "claim": "On seeds 0\u20134: K_FD < K_AD at h = 0.1 and 0.03.",
    "seeds": [0, 1, 2, 3, 4],
    "checks": [
      { "kind": "fewer_modes", "h": [0.1, 0.03] }
    ]
  }
];

// A lesson's link: each key and value percent-encoded, as the page's own links are (a
// space is %20, never '+').
export const link = (lesson) => '#' + lesson.hash.split('&').map((kv) => kv.split('=').map(encodeURIComponent).join('=')).join('&');

export function render(list) {
  for (const l of LESSONS) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = link(l);
    a.textContent = l.title;
    a.className = 'lesson';
    const p = document.createElement('span');
    p.textContent = ' \u2014 ' + l.text + ' ';
    const claim = document.createElement('em');
    claim.className = 'claim';
    claim.textContent = 'Checked: ' + l.claim;
    li.append(a, p, claim);
    list.append(li);
  }
}
