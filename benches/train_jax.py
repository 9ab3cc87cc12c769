#!/usr/bin/env python3
"""JAX baseline for `cargo bench --bench train`: the same full-batch GD training step
of the two-layer network u(x) = (1/sqrt(m)) sum_k a_k tanh(w_k x + b_k) (and, with
--deep-sizes, of the MLP with L = 2 hidden layers of width m, adfd's model:
h1 = tanh(w x + b), h2 = tanh(W h1 / sqrt(m) + b2), u = a . h2 / sqrt(m)) on poisson1d
(-u'' = f, u(+-1) = g) and biharmonic1d (u'''' = f, u = g and u'' = g2 at +-1), with the
PDE operator by AD (nested jax.grad) or by the order-2 central stencil of step h, and
the loss L = mean_i r_i^2 + lambda mean_l r_b,l^2. jit, float64, CPU.

Prints one JSON object per line:
  {"problem", "m", "n", "layers", "mode", "h", "steps_per_second", "median_s", "flops"}
where "flops" is XLA's own count for one compiled step (cost_analysis), which the Rust
bench also uses as the work of its step to report GFLOP/s.

Usage: train_jax.py [--sizes 100,1000] [--deep-sizes 100] [--repeats 5] [--min-time 1.0]
"""
import argparse
import json
import math
import os
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)

PI = math.pi


def make_step(problem, mode, h, m, n, lr, lam=1.0, layers=1):
    x = jnp.array([-1.0 + 2.0 * (i + 1) / (n + 1) for i in range(n)])
    xb = jnp.array([-1.0, 1.0])
    a2 = PI * PI
    exact = lambda x: jnp.sin(PI * x)
    if problem == "poisson1d":
        f = a2 * exact(x)  # -u'' = pi^2 sin(pi x)
        p = 2
        bops = [(0, exact(xb))]
        coef = -1.0
    else:
        f = a2 * a2 * exact(x)
        p = 4
        bops = [(0, exact(xb)), (2, -a2 * exact(xb))]
        coef = 1.0

    def u(theta, x):
        w, b, *deep, a = theta
        hidden = jnp.tanh(w * x + b)
        for W, b2 in zip(deep[::2], deep[1::2]):
            hidden = jnp.tanh(W @ hidden / jnp.sqrt(m) + b2)
        return jnp.dot(a, hidden) / jnp.sqrt(m)

    def deriv_ad(theta, order):
        g = lambda x: u(theta, x)
        for _ in range(order):
            g = jax.grad(g)
        return jax.vmap(g)

    w2 = [1.0, -2.0, 1.0]
    w4 = [1.0, -4.0, 6.0, -4.0, 1.0]

    def deriv_fd(theta, order, xs):
        if order == 0:
            return jax.vmap(lambda x: u(theta, x))(xs)
        w = w2 if order == 2 else w4
        r = len(w) // 2
        return sum(
            wi * jax.vmap(lambda x: u(theta, x))(xs + (i - r) * h) for i, wi in enumerate(w)
        ) / h**order

    def op(theta, order, xs):
        if mode == "ad":
            return deriv_ad(theta, order)(xs)
        return deriv_fd(theta, order, xs)

    nb = len(bops) * xb.shape[0]

    def loss(theta):
        r = coef * op(theta, p, x) - f
        L = jnp.mean(r**2)
        rb = jnp.concatenate([op(theta, o, xb) - g for o, g in bops])
        return L + lam * jnp.sum(rb**2) / nb

    @jax.jit
    def step(theta):
        g = jax.grad(loss)(theta)
        return tuple(t - lr * gi for t, gi in zip(theta, g))

    key = jax.random.PRNGKey(0)
    keys = jax.random.split(key, 2 * layers + 1)
    uniform = lambda k, shape, r: jax.random.uniform(k, shape, minval=-r, maxval=r, dtype=jnp.float64)
    theta = [uniform(keys[0], (m,), 5.0), uniform(keys[1], (m,), 5.0)]
    for l in range(1, layers):
        theta += [uniform(keys[2 * l], (m, m), 3**0.5), uniform(keys[2 * l + 1], (m,), 3**0.5)]
    theta = tuple(theta + [uniform(keys[-1], (m,), 3**0.5)])
    flops = None
    try:
        ca = step.lower(theta).compile().cost_analysis()
        if isinstance(ca, list):
            ca = ca[0]
        flops = float(ca.get("flops", 0.0)) or None
    except Exception:  # cost analysis is best effort
        pass
    return step, theta, flops


def bench(step, theta, repeats, min_time):
    theta = step(theta)
    jax.block_until_ready(theta)
    # calibrate the number of steps per repeat
    k = 1
    while True:
        t0 = time.perf_counter()
        th = theta
        for _ in range(k):
            th = step(th)
        jax.block_until_ready(th)
        dt = time.perf_counter() - t0
        if dt >= min_time / 4 or k >= 1 << 20:
            break
        k *= 2
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        th = theta
        for _ in range(k):
            th = step(th)
        jax.block_until_ready(th)
        times.append((time.perf_counter() - t0) / k)
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--deep-sizes", default="", help="sizes m = n of the rows with L = 2 hidden layers")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=1.0)
    ap.add_argument("--h", type=float, default=0.1)
    args = ap.parse_args()
    sizes = [(int(s), 1) for s in args.sizes.split(",") if s]
    sizes += [(int(s), 2) for s in args.deep_sizes.split(",") if s]
    for size, layers in sizes:
        for problem in ["poisson1d", "biharmonic1d"]:
            for mode in ["ad", "fd"]:
                step, theta, flops = make_step(problem, mode, args.h, size, size, lr=1e-9, layers=layers)
                med = bench(step, theta, args.repeats, args.min_time)
                print(
                    json.dumps(
                        {
                            "problem": problem,
                            "m": size,
                            "n": size,
                            "layers": layers,
                            "mode": mode,
                            "h": args.h if mode == "fd" else None,
                            "steps_per_second": 1.0 / med,
                            "median_s": med,
                            "flops": flops,
                        }
                    ),
                    flush=True,
                )

if __name__ == "__main__":
    main()
