"""Re-check an `adfd rfm --json` report with an independent numpy implementation.

Reads the report's config, features and points, rebuilds A for every run from
closed-form derivatives of the ridge functions phi_j(x) = sigma(w_j.x + b_j)
(AD runs: Lap phi = |w|^2 sigma'', Bilap phi = |w|^4 sigma'''') and from the central
stencils adfd documents (FD runs), then compares singular values, K and H with the
report. Exit code 0 when everything agrees, 1 otherwise.

Usage: adfd rfm ... --json > report.json; python3 recheck.py report.json
"""
import json
import math
import sys

import numpy as np


def tanh_derivatives(z):
    """sigma^(k)(z), k = 0..4, for tanh via polynomials in t = tanh z."""
    t = np.tanh(z)
    s = 1 - t * t
    return [t, s, -2 * t * s, s * (6 * t * t - 2), s * (-24 * t**3 + 16 * t)]


def sin_derivatives(z):
    return [np.sin(z), np.cos(z), -np.sin(z), -np.cos(z), np.sin(z)]


DERIVATIVES = {"tanh": tanh_derivatives, "sin": sin_derivatives}

SECOND = {2: [1, -2, 1], 4: [-1 / 12, 4 / 3, -5 / 2, 4 / 3, -1 / 12]}
FOURTH = {2: [1, -4, 6, -4, 1], 4: [-1 / 6, 2, -13 / 2, 28 / 3, -13 / 2, 2, -1 / 6]}


def stencil(op, dim, order):
    """{offset: weight} for 'lap' or 'bilap' (order 2 gives the classical stencils)."""
    taps = {}

    def add(weights, axis, scale):
        r = len(weights) // 2
        for i, w in enumerate(weights):
            off = [0, 0]
            off[axis] = i - r
            taps[tuple(off)] = taps.get(tuple(off), 0) + scale * w

    if op == "lap":
        for axis in range(dim):
            add(SECOND[order], axis, 1)
    else:
        for axis in range(dim):
            add(FOURTH[order], axis, 1)
        if dim == 2:
            w = SECOND[order]
            r = len(w) // 2
            for i, wi in enumerate(w):
                for j, wj in enumerate(w):
                    key = (i - r, j - r)
                    taps[key] = taps.get(key, 0) + 2 * wi * wj
    return taps


def operator_rows(op, points, W, b, act, mode, h, order):
    """Rows op phi_j(x_i) for all points x_i (n x m)."""
    dim = W.shape[1]
    if op == "value":
        return DERIVATIVES[act](points @ W.T + b)[0]
    p = 2 if op == "lap" else 4
    if mode == "ad":
        z = points @ W.T + b
        return (np.sum(W * W, axis=1) ** (p // 2)) * DERIVATIVES[act](z)[p]
    total = 0
    for off, weight in stencil(op, dim, order).items():
        shifted = points + h * np.array(off[:dim], dtype=float)
        total = total + weight * DERIVATIVES[act](shifted @ W.T + b)[0]
    return total / h**p


def entropy(s, threshold):
    cut = threshold["a"] * s[0] if threshold["kind"] == "relative" else threshold["a"]
    kept = s[(s > cut) & (s > 0)]
    if len(kept) == 0:
        return 0, 0.0
    p = kept / kept.sum()
    return len(kept), float(-(p * np.log(p)).sum())


def main(path):
    report = json.load(open(path))
    cfg = report["config"]
    act = cfg["activation"]
    if act not in DERIVATIVES:
        print(f"recheck supports {sorted(DERIVATIVES)}; report uses {act}")
        return 1
    W = np.array(report["features"]["w"], dtype=float)
    b = np.array(report["features"]["b"], dtype=float)
    interior = np.array(report["points"]["interior"], dtype=float)
    boundary = np.array(report["points"]["boundary"], dtype=float)
    biharmonic = cfg["problem"].startswith("biharmonic")
    interior_op, sign = ("bilap", 1.0) if biharmonic else ("lap", -1.0)
    boundary_ops = ["value", "lap"] if biharmonic else ["value"]
    sqrt_lambda = math.sqrt(cfg["lambda"])
    failures = 0
    for run in report["runs"]:
        mode, h = run["mode"], run["h"]
        blocks = [sign * operator_rows(interior_op, interior, W, b, act, mode, h, cfg["order"])]
        blocks += [sqrt_lambda * operator_rows(op, boundary, W, b, act, mode, h, cfg["order"]) for op in boundary_ops]
        A = np.vstack(blocks)
        s = np.linalg.svd(A, compute_uv=False)
        ours = np.array(run["singular_values"])
        dev = float(np.max(np.abs(s - ours)) / s[0])
        K, H = entropy(s, cfg["threshold"])
        # Singular values are backward stable to ~eps*s_1; FD rows carry extra rounding ~eps/h^p.
        tol = 1e-10 if mode == "ad" else max(1e-10, 1e-15 / h ** (4 if biharmonic else 2))
        ok = dev < tol and abs(H - run["entropy"]) < 1e-6 and abs(K - run["cutoff"]) <= 1
        failures += not ok
        label = "AD" if mode == "ad" else f"FD h={h:g}"
        print(f"{label:>12}: max|ds|/s1 = {dev:.1e} (tol {tol:.0e})  K {K} vs {run['cutoff']}  H {H:.6f} vs {run['entropy']:.6f}  {'ok' if ok else 'MISMATCH'}")
    print(f"recheck: {len(report['runs']) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
