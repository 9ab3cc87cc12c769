#!/usr/bin/env python3
"""JAX baseline (jit, float64, CPU) of one full-batch GD training step in 2-D, the rows
benches/train_jax.py has in 1-D: theta <- theta - lr grad L (lr = 1e-9, as there) with
L = ||r~||^2 = mean_i r_i^2 + lambda mean_l r_b,l^2, the residual of
benches/pinn_jax.py (AD by the trace of the Hessian, the bilaplacian as the Laplacian of
the Laplacian; FD by the order-2 5-point and 13-point stencils of step --h) on a
20 x 20 interior grid (n = 400) with 4 ceil(sqrt(n)) = 80 boundary points.

Rows: poisson2d and biharmonic2d with the two-layer network of width --width (200),
and poisson2d with L = 2 hidden layers of width --deep-width (100); each AD and FD.
A row's figure is the median seconds per step over --repeats, each repeat k steps chained
from the initial theta (k calibrated to take >= --min-time / 4), after compilation.

Init and points: adfd's, from training reports given by --reports (`adfd train
--problem P --width M [--layers 2] --n 400 --steps 1 --json`), matched by problem,
widths and n; otherwise adfd's grid points and a seeded init ("init": "seed"). The step
time does not depend on the init; --check in benches/lm_jax.py checks this loss against
adfd's on such reports.

Prints one JSON object per line, the keys of train_jax.py plus n, laplacian and init:
  {"problem", "m", "n", "layers", "mode", "h", "laplacian", "init", "steps_per_second",
   "median_s", "flops"}
where "flops" is XLA's count for one compiled step (cost_analysis) and "laplacian" how AD
takes the trace of the Hessian (benches/pinn_jax.py; null for FD).

Usage: train2d_jax.py [--reports R.json ...] [--n 400] [--width 200] [--deep-width 100]
                      [--h 0.1] [--laplacian jvp|hessian] [--repeats 5] [--min-time 1.0]
"""
import argparse
import json

from pinn_jax import jax, load_reports, median_seconds, setup_for

LR = 1e-9


def xla_flops(step, theta):
    """XLA's flop count of the compiled step, or None where cost analysis is missing."""
    try:
        ca = step.lower(theta).compile().cost_analysis()
        ca = ca[0] if isinstance(ca, list) else ca
        return float(ca.get("flops", 0.0)) or None
    except Exception:  # cost analysis is best effort
        return None


def gd_row(setup, mode, h, repeats, min_time):
    grad = jax.grad(setup.loss(mode, h))
    step = jax.jit(lambda theta: theta - LR * grad(theta))
    med, _, _ = median_seconds(step, setup.theta0, repeats, min_time)
    return {"problem": setup.problem, "m": setup.widths[0], "n": setup.n,
            "layers": len(setup.widths), "mode": mode, "h": h if mode == "fd" else None,
            "laplacian": setup.laplacian_by if mode == "ad" else None, "init": setup.init,
            "steps_per_second": 1.0 / med, "median_s": med,
            "flops": xla_flops(step, setup.theta0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", nargs="*", default=[], help="adfd training reports (--json)")
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--width", type=int, default=200)
    ap.add_argument("--deep-width", type=int, default=100)
    ap.add_argument("--h", type=float, default=0.1)
    ap.add_argument("--laplacian", choices=["jvp", "hessian"], default="jvp")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=1.0)
    args = ap.parse_args()
    reports = load_reports(args.reports, args.laplacian)
    cases = [("poisson2d", [args.width]), ("biharmonic2d", [args.width]),
             ("poisson2d", [args.deep_width] * 2)]
    for problem, widths in cases:
        setup = setup_for(reports, problem, widths, args.n, args.laplacian)
        for mode in ["ad", "fd"]:
            print(json.dumps(gd_row(setup, mode, args.h, args.repeats, args.min_time)), flush=True)


if __name__ == "__main__":
    main()
