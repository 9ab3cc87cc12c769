"""Shared JAX model of adfd's network PDE solvers (jit, float64, CPU), used by
benches/lm_jax.py and benches/train2d_jax.py.

Problems (src/problem.rs), exact solution u* = prod_i sin(k pi x_i), a = k pi:

  poisson1d     -u''   = f on (-1, 1),   boundary u = g
  biharmonic1d  u''''  = f on (-1, 1),   boundary u = g, u'' = g2
  poisson2d     -Lap u = f on (-1, 1)^2, boundary u = g
  biharmonic2d  Lap^2 u = f on (-1, 1)^2, boundary u = g, Lap u = g2

with f, g, g2 in closed form (Lap u* = -d a^2 u*, Lap^2 u* = d^2 a^4 u*).

Network (src/models/net/mod.rs): L hidden tanh layers of widths m_1..m_L,
h1 = tanh(W1 x + b1), hl = tanh(Wl h(l-1) / sqrt(m_(l-1)) + bl), u = a . hL / sqrt(m_L);
for L = 1 the two-layer network u(x) = (1/sqrt(m)) sum_k a_k tanh(w_k . x + b_k).
theta is one flat vector in adfd's layout: per layer Wl (row-major) then bl, then a.

Operators: AD as the trace of the Hessian, sum_i d^2 f / dx_i^2 with each term by
forward-over-forward jax.jvp along e_i (laplacian="jvp"), or by nested jax.grad in 1-D
and jnp.trace(jax.hessian(f)) in 2-D (laplacian="hessian"); the bilaplacian is the
Laplacian of the Laplacian. "jvp" is the default: at biharmonic2d, 20 x 20, width 200,
jax.hessian's forward-over-reverse made J and the GD step about 10x slower. FD by
adfd's order-2 central stencils of step h (3-point u'', 5-point u'''', 5-point 2-D
Laplacian, 13-point 2-D biharmonic), built like src/operator.rs: taps merged and sorted
by offset. Every operator, boundary ones included, uses the mode's operator.

Residual (src/models/net/residual.rs): rows r = c op(u)(x) - target, interior rows first, then
one block per boundary operator; scaled r~ = sqrt(w) r with w = 1/n inside and
lambda/n_b on the boundary (n_b = boundary points x boundary operators), so the loss is
L = ||r~||^2 = mean_i r_i^2 + lambda mean_l r_b,l^2.

Points (Points::new, grid sampling): 1-D x_i = -1 + 2i/(n+1), i = 1..n, boundary +-1;
2-D the tensor grid of floor(sqrt(n)) such coordinates per axis (x fastest) and
4 ceil(sqrt(n)) boundary points evenly spaced in arc length counter-clockwise from
(-1, -1). Test points (Points::test): t_k = -1 + 2(kP + (P+1)/2)/(NP), P = 65537,
k = 0..N, N = 1000 in 1-D, 50 x 50 in 2-D.

A Setup takes init and points from an adfd training report (`adfd train ... --json`)
when one is given, else the grid points above and a numpy-seeded init of adfd's
distribution (W1, b1 ~ U[-5, 5], deeper W, b and a ~ U[-sqrt3, sqrt3]).
"""
import json
import math
import os
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
# jaxlib's LAPACK calls (Cholesky, triangular solves) run in scipy's OpenBLAS, whose
# threads spin against XLA's own pool: on a shared 2-core machine that made the LM step
# at poisson2d 20 x 20, width 200, swing between 18 and 790 ms, against 11-17 ms with
# one OpenBLAS thread. Set before jax (and with it scipy's OpenBLAS) is loaded.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)

# problem -> (dimension, (interior operator, coefficient), boundary operators)
PROBLEMS = {
    "poisson1d": (1, ("laplacian", -1.0), ("value",)),
    "biharmonic1d": (1, ("bilaplacian", 1.0), ("value", "laplacian")),
    "poisson2d": (2, ("laplacian", -1.0), ("value",)),
    "biharmonic2d": (2, ("bilaplacian", 1.0), ("value", "laplacian")),
}
ORDER = {"value": 0, "laplacian": 2, "bilaplacian": 4}
TEST_SHIFT_PRIME = 65537


def exact(k, x):
    """u*(x) = prod_i sin(k pi x_i) for points x of shape (N, d)."""
    return np.prod(np.sin(k * math.pi * x), axis=1)


def exact_op(op, k, x):
    """op applied to u* in closed form at points x (N, d)."""
    d = x.shape[1]
    a2 = (k * math.pi) ** 2
    u = exact(k, x)
    return {"value": u, "laplacian": -d * a2 * u, "bilaplacian": d * d * a2 * a2 * u}[op]


def open_grid(n):
    return np.array([-1.0 + 2.0 * i / (n + 1) for i in range(1, n + 1)])


def tensor(dim, axis):
    """The points of axis (1-D) or axis x axis (2-D, x fastest), shape (N, dim)."""
    if dim == 1:
        return axis[:, None]
    return np.array([[x, y] for y in axis for x in axis])


def perimeter_point(s):
    side, t = int(math.floor(s / 2.0)) % 4, math.fmod(s, 2.0)
    return [[-1.0 + t, -1.0], [1.0, -1.0 + t], [1.0 - t, 1.0], [-1.0, 1.0 - t]][side]


def grid_points(problem, n):
    """adfd's grid collocation points (interior, boundary) for config n."""
    dim = PROBLEMS[problem][0]
    if dim == 1:
        return open_grid(n)[:, None], np.array([[-1.0], [1.0]])
    side = max(int(math.floor(math.sqrt(n))), 1)
    nb = 4 * int(math.ceil(math.sqrt(n)))
    boundary = np.array([perimeter_point(8.0 * l / nb) for l in range(nb)])
    return tensor(2, open_grid(side)), boundary


def test_points(dim):
    """Points::test: N = 1000 (1-D) or 50 (2-D) shifted midpoints per axis."""
    n, p = (1000 if dim == 1 else 50), TEST_SHIFT_PRIME
    a = p // 2 + 1
    return tensor(dim, np.array([-1.0 + 2.0 * (k * p + a) / (n * p) for k in range(n)]))


def stencil(op, dim):
    """(offsets (T, dim), weights (T,), p): adfd's order-2 stencil of op."""
    d2, d4 = [1.0, -2.0, 1.0], [1.0, -4.0, 6.0, -4.0, 1.0]
    taps = {}

    def add(off, w):
        taps[off] = taps.get(off, 0.0) + w

    def add_1d(w, axis):
        r = len(w) // 2
        for i, wi in enumerate(w):
            off = [0, 0]
            off[axis] = i - r
            add(tuple(off), wi)

    if op == "value":
        add((0, 0), 1.0)
    elif op == "laplacian":
        for axis in range(dim):
            add_1d(d2, axis)
    else:
        for axis in range(dim):
            add_1d(d4, axis)
        if dim == 2:
            for i, wi in enumerate(d2):
                for j, wj in enumerate(d2):
                    add((i - 1, j - 1), 2.0 * wi * wj)
    items = sorted((off, w) for off, w in taps.items() if w != 0.0)
    offsets = np.array([off[:dim] for off, _ in items], dtype=float)
    return offsets, np.array([w for _, w in items]), ORDER[op]


class Setup:
    """One problem instance: network shape, points, loss weights and the initial theta."""

    def __init__(self, problem, widths, interior, boundary, theta0, k=1, lam=1.0, init="seed",
                 laplacian="jvp"):
        self.problem, self.widths, self.k, self.lam, self.init = problem, list(widths), k, lam, init
        self.laplacian_by = laplacian
        self.dim, (self.op, self.coef), self.bops = PROBLEMS[problem]
        self.interior, self.boundary = np.asarray(interior, float), np.asarray(boundary, float)
        self.theta0 = jnp.asarray(theta0, dtype=jnp.float64)
        self.n = self.interior.shape[0]
        self.rows = self.n + self.boundary.shape[0] * len(self.bops)
        self.test = test_points(self.dim)
        self.exact_test = exact(k, self.test)
        assert self.theta0.shape == (self.num_params(),)

    @classmethod
    def grid(cls, problem, widths, n, laplacian="jvp", seed=0, scale=5.0):
        """adfd's grid points and a numpy-seeded init of adfd's distribution."""
        rng = np.random.default_rng(seed)
        dim = PROBLEMS[problem][0]
        theta, fan_in = [], dim
        for l, m in enumerate(widths):
            r = scale if l == 0 else 3**0.5
            theta.append(rng.uniform(-r, r, m * fan_in + m))
            fan_in = m
        theta.append(rng.uniform(-(3**0.5), 3**0.5, fan_in))
        return cls(problem, widths, *grid_points(problem, n), np.concatenate(theta),
                   laplacian=laplacian)

    @classmethod
    def from_report(cls, report, laplacian="jvp"):
        """Init, points, k and lambda of an adfd training report (parsed JSON)."""
        c, init = report["config"], report["init"]
        modelled = {"activation": "tanh", "order": 2, "precision": "f64"}
        if any(c[key] != value for key, value in modelled.items()):
            raise ValueError(f"only {modelled} is modelled here, not the report's "
                             f"{ {key: c[key] for key in modelled} }")
        layers = init.get("layers", [{"w": init.get("w"), "b": init.get("b")}])
        theta = [np.concatenate([np.ravel(np.array(l["w"], float)), l["b"]]) for l in layers]
        theta.append(np.array(init["a"], float))
        pts = report["points"]
        return cls(c["problem"], [len(l["b"]) for l in layers], pts["interior"], pts["boundary"],
                   np.concatenate(theta), k=c["k"], lam=c["lambda"], init="adfd",
                   laplacian=laplacian)

    def num_params(self):
        p, fan_in = 0, self.dim
        for m in self.widths:
            p += m * fan_in + m
            fan_in = m
        return p + fan_in

    def u(self, theta, x):
        """The network at one point x of shape (d,)."""
        off, h, fan_in = 0, x, self.dim
        for l, m in enumerate(self.widths):
            W = theta[off:off + m * fan_in].reshape(m, fan_in)
            b = theta[off + m * fan_in:off + m * fan_in + m]
            if l > 0:
                z = W @ h / math.sqrt(fan_in)
            elif fan_in == 1:  # a broadcast product: XLA ran 1-D AD GD steps up to 2x faster
                z = W[:, 0] * h[0]
            else:  # in 2-D the dot: a sum of broadcast products made AD GD 2-3x slower
                z = W @ h
            h = jnp.tanh(z + b)
            off, fan_in = off + m * fan_in + m, m
        return theta[off:] @ h / math.sqrt(fan_in)

    def laplacian(self, f):
        """x -> Lap f(x), the trace of f's Hessian (module docstring: "jvp" or "hessian")."""
        if self.laplacian_by == "jvp":
            second = lambda x, e: jax.jvp(lambda y: jax.jvp(f, (y,), (e,))[1], (x,), (e,))[1]
            return lambda x: sum(second(x, e) for e in np.eye(self.dim))
        if self.dim == 1:
            g = lambda t: f(jnp.reshape(t, (1,)))
            return lambda x: jax.grad(jax.grad(g))(x[0])
        return lambda x: jnp.trace(jax.hessian(f)(x))

    def operator(self, op, mode, h):
        """(theta, x of shape (d,)) -> op u(x), by AD or the stencil of step h."""
        if mode == "ad":
            def at(theta, x):
                f = lambda y: self.u(theta, y)
                for _ in range(ORDER[op] // 2):
                    f = self.laplacian(f)
                return f(x)
            return at
        offsets, weights, p = stencil(op, self.dim)
        # taps unrolled rather than vmapped: each is then one product batched over the
        # points, which made FD GD steps in 1-D about 2x faster
        taps = list(zip(jnp.asarray(offsets), weights))
        return lambda theta, x: sum(w * self.u(theta, x + h * off) for off, w in taps) / h**p

    def blocks(self, mode, h):
        """Per block of rows: (one row's r~ as (theta, x, target) -> scalar, points, targets)."""
        n_b = self.boundary.shape[0] * len(self.bops)
        specs = [(self.op, self.coef, self.interior, 1.0 / self.n)]
        specs += [(op, 1.0, self.boundary, self.lam / n_b) for op in self.bops]
        out = []
        for op, c, x, w in specs:
            f, s = self.operator(op, mode, h), math.sqrt(w)
            out.append((lambda theta, x, g, f=f, c=c, s=s: s * (c * f(theta, x) - g),
                        jnp.asarray(x), jnp.asarray(c * exact_op(op, self.k, x))))
        return out

    def residual(self, mode, h=None):
        """theta -> the scaled residual vector r~ (interior rows, then boundary blocks)."""
        blocks = [(jax.vmap(row, in_axes=(None, 0, 0)), x, g)
                  for row, x, g in self.blocks(mode, h)]
        return lambda theta: jnp.concatenate([rows(theta, x, g) for rows, x, g in blocks])

    def jacobian(self, mode, h=None, jac="rev"):
        """theta -> J = dr~/dtheta (rows x params), each row's gradient by jax.jacrev
        (or jax.jacfwd), vmapped over the rows' points: a row depends on its point only."""
        d = jax.jacrev if jac == "rev" else jax.jacfwd
        blocks = [(jax.vmap(d(row), in_axes=(None, 0, 0)), x, g)
                  for row, x, g in self.blocks(mode, h)]
        return lambda theta: jnp.concatenate([rows(theta, x, g) for rows, x, g in blocks])

    def loss(self, mode, h=None):
        r = self.residual(mode, h)
        return lambda theta: jnp.sum(r(theta) ** 2)

    def true_residual(self):
        """theta -> mean over the test points of (c op_AD u - f)^2 (adfd's true_residual)."""
        f = jax.vmap(self.operator(self.op, "ad", None), in_axes=(None, 0))
        x = jnp.asarray(self.test)
        target = jnp.asarray(self.coef * exact_op(self.op, self.k, self.test))
        return lambda theta: jnp.mean((self.coef * f(theta, x) - target) ** 2)

    def error_l2(self):
        """theta -> ||u - u*|| / ||u*|| on the test points."""
        x, ue = jnp.asarray(self.test), jnp.asarray(self.exact_test)
        values = jax.vmap(self.u, in_axes=(None, 0))
        return lambda theta: jnp.linalg.norm(values(theta, x) - ue) / jnp.linalg.norm(ue)


def load_reports(paths, laplacian="jvp"):
    """Setups of adfd reports keyed by (problem, widths, config n)."""
    out = {}
    for path in paths:
        with open(path) as f:
            report = json.load(f)
        s = Setup.from_report(report, laplacian)
        out[(s.problem, tuple(s.widths), report["config"]["n"])] = s
    return out


def setup_for(reports, problem, widths, n, laplacian="jvp"):
    """The report's setup for this configuration, else adfd's grid with a seeded init."""
    found = reports.get((problem, tuple(widths), n))
    return found or Setup.grid(problem, widths, n, laplacian)


def median_seconds(step, state, repeats, min_time):
    """(median seconds per call, k, last state) of step (state -> state), compiled
    beforehand: k calls chained from the same state per repeat, k calibrated to take
    >= min_time / 4."""
    jax.block_until_ready(step(state))
    k = 1
    while True:
        t0 = time.perf_counter()
        s = state
        for _ in range(k):
            s = step(s)
        jax.block_until_ready(s)
        if time.perf_counter() - t0 >= min_time / 4 or k >= 1 << 20:
            break
        k *= 2
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        s = state
        for _ in range(k):
            s = step(s)
        jax.block_until_ready(s)
        times.append((time.perf_counter() - t0) / k)
    times.sort()
    return times[len(times) // 2], k, s
