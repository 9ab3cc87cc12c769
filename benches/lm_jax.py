#!/usr/bin/env python3
"""JAX baseline (jit, float64, CPU) for adfd's Levenberg-Marquardt training of the
two-layer tanh network u(x) = (1/sqrt(m)) sum_k a_k tanh(w_k . x + b_k) on the PDE
residual (model, operators, points and loss weights: benches/pinn_jax.py).

One LM step (Nielsen's damping rule; Madsen, Nielsen & Tingleff 2004, sec. 3.2), all in
one jitted function: the scaled residual r~(theta), its Jacobian J = dr~/dtheta
(jax.jacrev, or jax.jacfwd with --jac fwd, of each row, vmapped over the rows' points:
a row depends on its own point only, while jacrev of the whole vector would run every
row's backward pass once per row), L = ||r~||^2, then trials at the same theta, reusing
r~ and J, until one is accepted:

  delta = J^T (J J^T + mu I)^-1 r~    if rows <= parameters, else
  delta = (J^T J + mu I)^-1 J^T r~    (Cholesky solve; the Gram matrix is formed once),
  P = L - ||r~ - J delta||^2,  L' = L(theta - delta),  rho = (L - L') / P;
  accept if L' < L and rho > 0:  theta <- theta - delta,
                                 mu <- mu max(1/3, 1 - (2 rho - 1)^3),  nu <- 2;
  reject otherwise:              mu <- mu nu,  nu <- 2 nu,  and try again,
  until mu > mu_max = 1e8, when the step fails ("no decrease").

mu starts at 1e-3, nu at 2. A step is one accepted update; its rejected trials (a
lax.while_loop) cost one Cholesky solve and one loss each, not a new J.

Speed rows: median seconds per step over --repeats, each repeat k steps chained from the
initial state (k calibrated to take >= --min-time / 4), after compilation. Cases:
biharmonic1d (m = 100, n = 100), poisson2d (m = 100, n = 196 = 14 x 14),
poisson2d and biharmonic2d (m = 200, n = 400 = 20 x 20), poisson2d with 2 hidden layers
of width 100 (n = 400; "m" is the first layer's width), AD and FD (order-2 stencil, --h).

Time-to-accuracy rows (AD): LM steps from the initial state, the relative L2 error
||u - u*|| / ||u*|| on adfd's test points computed after every step inside the same
jitted call, until it is <= target: biharmonic1d (m = 100, n = 100) to 1e-6 and
poisson2d (m = 100, n = 196) to 1e-4. Each repeat clears JAX's caches and runs twice:
"seconds_with_compile" includes tracing and XLA compilation, "seconds" is the second
run, compiled; both are medians over --accuracy-repeats.

Init and points: adfd's, from training reports given by --reports (`adfd train
--problem P --width M --n N --h 0.1 --steps 1 --json`), matched by problem, width and n;
a case without a report uses adfd's grid points and a seeded init ("init": "seed").

Prints one JSON object per line:
  speed:    {"problem", "m", "n", "layers", "mode", "h", "optimizer": "lm", "jac", "rows",
             "params", "laplacian", "init", "steps_per_second", "median_s",
             "trials_per_step", "accepted"}  (the last two over the k timed steps;
             laplacian: how AD takes the trace of the Hessian, null for FD)
  accuracy: the same keys without steps_per_second/median_s/trials_per_step, and
            {"target", "steps", "trials", "seconds", "seconds_with_compile",
             "final_error_l2", "stopped": "target" | "no decrease" | "max steps"}
            and with --trace "trace": [[step, loss, mu, trials so far, error_l2], ...]
            after every step (an untimed extra run), to follow adfd step by step

--check REPORT.json [...] instead checks this JAX code at the report's init and points,
one line per run and quantity ({"check", "problem", "m", "n", "layers", "mode", "h",
"adfd", "jax", "relative_difference", "tolerance"}), and exits 1 if any relative
difference exceeds its tolerance: the loss against adfd's loss[0][1] and the AD true
residual on the test points against loss[0][2] (--check-tol); J v against a central
difference of r~ along a random v, and the two solve formulas for delta against each
other at mu = 1e-3 (1e-6 each).

Usage: lm_jax.py [--reports R.json ...] [--parts speed,accuracy] [--jac rev|fwd]
                 [--laplacian jvp|hessian] [--h 0.1] [--repeats 5] [--min-time 1.0]
                 [--accuracy-repeats 3] [--max-steps 2000] [--trace]
       lm_jax.py --check R.json [...] [--check-tol 1e-12]
"""
import argparse
import json
import sys
import time
from typing import NamedTuple

from pinn_jax import Setup, jax, jnp, load_reports, median_seconds, np, setup_for
from jax.scipy.linalg import cho_factor, cho_solve

MU0, NU0, MU_MAX = 1e-3, 2.0, 1e8
SPEED_CASES = [("biharmonic1d", [100], 100), ("poisson2d", [100], 196),
               ("poisson2d", [200], 400), ("biharmonic2d", [200], 400),
               ("poisson2d", [100, 100], 400)]
ACCURACY_CASES = [("biharmonic1d", 100, 100, 1e-6), ("poisson2d", 100, 196, 1e-4)]
# --check: a central difference of step 1e-6 |theta| is good to ~1e-8 (truncation and
# round-off); the two solve formulas differ by round-off times cond(J J^T + mu I).
CENTRAL_DIFFERENCE_TOL, SOLVE_TOL = 1e-6, 1e-6


class State(NamedTuple):
    theta: jnp.ndarray
    mu: jnp.ndarray
    nu: jnp.ndarray
    loss: jnp.ndarray  # L(theta)
    trials: jnp.ndarray  # trials so far, accepted or not
    accepted: jnp.ndarray  # accepted steps so far


def initial_state(setup, mode, h):
    theta = setup.theta0
    return State(theta, jnp.float64(MU0), jnp.float64(NU0), setup.loss(mode, h)(theta),
                 jnp.int64(0), jnp.int64(0))


def lm_solver(J, r, gram_of_rows):
    """mu -> delta = J^T (J J^T + mu I)^-1 r (gram_of_rows) or (J^T J + mu I)^-1 J^T r."""
    if gram_of_rows:
        G, eye = J @ J.T, jnp.eye(J.shape[0])
        return lambda mu: J.T @ cho_solve(cho_factor(G + mu * eye), r)
    G, g, eye = J.T @ J, J.T @ r, jnp.eye(J.shape[1])
    return lambda mu: cho_solve(cho_factor(G + mu * eye), g)


def make_step(setup, mode, h, jac):
    """The LM step State -> State (not yet jitted)."""
    residual, jacobian = setup.residual(mode, h), setup.jacobian(mode, h, jac)
    gram_of_rows = setup.rows <= setup.num_params()

    def step(s):
        r, J = residual(s.theta), jacobian(s.theta)
        L = r @ r
        solve = lm_solver(J, r, gram_of_rows)

        def trial(c):
            _, _, _, mu, nu, tries = c
            delta = solve(mu)
            predicted = L - jnp.sum((r - J @ delta) ** 2)
            theta = s.theta - delta
            L_new = jnp.sum(residual(theta) ** 2)
            rho = (L - L_new) / predicted
            ok = (L_new < L) & (rho > 0)
            mu = jnp.where(ok, mu * jnp.maximum(1 / 3, 1 - (2 * rho - 1) ** 3), mu * nu)
            nu = jnp.where(ok, 2.0, 2 * nu)
            return ok, theta, L_new, mu, nu, tries + 1

        keep_trying = lambda c: ~c[0] & (c[3] <= MU_MAX)
        ok, theta, L_new, mu, nu, tries = jax.lax.while_loop(
            keep_trying, trial, (jnp.bool_(False), s.theta, L, s.mu, s.nu, jnp.int64(0)))
        return State(jnp.where(ok, theta, s.theta), mu, nu, jnp.where(ok, L_new, L),
                     s.trials + tries, s.accepted + ok)

    return step


def row(setup, mode, h, jac, **fields):
    return {"problem": setup.problem, "m": setup.widths[0], "n": setup.n,
            "layers": len(setup.widths), "mode": mode, "h": h if mode == "fd" else None,
            "optimizer": "lm", "jac": jac, "rows": setup.rows, "params": setup.num_params(),
            "laplacian": setup.laplacian_by if mode == "ad" else None, "init": setup.init,
            **fields}


def speed(setup, mode, h, jac, repeats, min_time):
    step = jax.jit(make_step(setup, mode, h, jac))
    med, k, last = median_seconds(step, initial_state(setup, mode, h), repeats, min_time)
    return row(setup, mode, h, jac, steps_per_second=1.0 / med, median_s=med,
               trials_per_step=int(last.trials) / k, accepted=f"{int(last.accepted)}/{k}")


def time_to_accuracy(setup, jac, target, repeats, max_steps, trace):
    step, error = make_step(setup, "ad", None, jac), setup.error_l2()

    def step_and_error(s):
        s = step(s)
        return s, error(s.theta)

    def run(step_and_error, steps=None):
        s, stopped = initial_state(setup, "ad", None), "max steps"
        t0 = time.perf_counter()
        for i in range(1, max_steps + 1):
            s, e = step_and_error(s)
            e = float(e)
            if steps is not None:
                steps.append([i, float(s.loss), float(s.mu), int(s.trials), e])
            if e <= target:
                stopped = "target"
                break
            if int(s.accepted) < i:
                stopped = "no decrease"
                break
        return time.perf_counter() - t0, int(s.accepted), int(s.trials), e, stopped

    with_compile, compiled = [], []
    for _ in range(repeats):
        jax.clear_caches()
        compiled_step = jax.jit(step_and_error)
        with_compile.append(run(compiled_step)[0])
        seconds, steps, trials, error_l2, stopped = run(compiled_step)
        compiled.append(seconds)
    median = lambda v: sorted(v)[len(v) // 2]
    extra = {}
    if trace:
        extra["trace"] = []
        run(compiled_step, extra["trace"])
    return row(setup, "ad", None, jac, target=target, steps=steps, trials=trials,
               seconds=median(compiled), seconds_with_compile=median(with_compile),
               final_error_l2=error_l2, stopped=stopped, **extra)


def check(path, jac, laplacian, tol):
    """Lines comparing this code with adfd's report at its init; True if all within tol."""
    with open(path) as f:
        report = json.load(f)
    setup = Setup.from_report(report, laplacian)
    theta, ok = setup.theta0, True

    def line(mode, h, quantity, reference, ours, tolerance=tol):
        nonlocal ok
        diff = float(np.max(np.abs(ours - reference)) / np.max(np.abs(reference)))
        ok &= diff <= tolerance
        scalar = np.ndim(ours) == 0
        print(json.dumps({"check": quantity, "problem": setup.problem, "m": setup.widths[0],
                          "n": setup.n, "layers": len(setup.widths), "mode": mode, "h": h,
                          "adfd": reference if scalar else None, "jax": ours if scalar else None,
                          "relative_difference": diff, "tolerance": tolerance}), flush=True)

    v = jnp.asarray(np.random.default_rng(0).standard_normal(theta.shape))
    for run in report["runs"]:
        mode, h = run["mode"], run["h"]
        residual = jax.jit(setup.residual(mode, h))
        r = residual(theta)
        line(mode, h, "loss", run["loss"][0][1], float(r @ r))
        if mode == "ad":
            line(mode, h, "true_residual", run["loss"][0][2], float(setup.true_residual()(theta)))
        J = jax.jit(setup.jacobian(mode, h, jac))(theta)
        eps = 1e-6 * float(jnp.linalg.norm(theta) / jnp.linalg.norm(v))
        central = (residual(theta + eps * v) - residual(theta - eps * v)) / (2 * eps)
        line(mode, h, "jacobian_vs_central_difference", np.asarray(central),
             np.asarray(J @ v), CENTRAL_DIFFERENCE_TOL)
        line(mode, h, "delta_rows_vs_params_formula", np.asarray(lm_solver(J, r, False)(MU0)),
             np.asarray(lm_solver(J, r, True)(MU0)), SOLVE_TOL)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", nargs="*", default=[], help="adfd training reports (--json)")
    ap.add_argument("--parts", default="speed,accuracy")
    ap.add_argument("--jac", choices=["rev", "fwd"], default="rev")
    ap.add_argument("--laplacian", choices=["jvp", "hessian"], default="jvp")
    ap.add_argument("--h", type=float, default=0.1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=1.0)
    ap.add_argument("--accuracy-repeats", type=int, default=3)
    ap.add_argument("--max-steps", type=int, default=2000)
    ap.add_argument("--trace", action="store_true", help="accuracy rows list every step")
    ap.add_argument("--check", nargs="+", metavar="REPORT")
    ap.add_argument("--check-tol", type=float, default=1e-12)
    args = ap.parse_args()
    if args.check:
        sys.exit(0 if all([check(p, args.jac, args.laplacian, args.check_tol)
                            for p in args.check]) else 1)
    reports = load_reports(args.reports, args.laplacian)
    parts = args.parts.split(",")
    if "speed" in parts:
        for problem, widths, n in SPEED_CASES:
            setup = setup_for(reports, problem, widths, n, args.laplacian)
            for mode in ["ad", "fd"]:
                print(json.dumps(speed(setup, mode, args.h, args.jac, args.repeats,
                                       args.min_time)), flush=True)
    if "accuracy" in parts:
        for problem, m, n, target in ACCURACY_CASES:
            setup = setup_for(reports, problem, [m], n, args.laplacian)
            print(json.dumps(time_to_accuracy(setup, args.jac, target, args.accuracy_repeats,
                                              args.max_steps, args.trace)), flush=True)


if __name__ == "__main__":
    main()
