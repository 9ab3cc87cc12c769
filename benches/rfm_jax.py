"""JAX baseline for the assembly part of benches/rfm.rs: the four RFM matrices of
poisson1d (AD + FD at each h) on the same points and features adfd used, with
jit, float64 (jax_enable_x64), CPU, block_until_ready, warm-up (compilation) excluded.

A = [ -phi_j''(x_i) ; sqrt(lam) phi_j(y_l) ],  phi_j(x) = tanh(w_j x + b_j)
AD: vmap over points of the nested grad (jax.grad twice) of one feature row
x -> tanh(w x + b) (all m features at once, jacfwd of jacfwd); FD: the 3-point
stencil on tanh. Checks its matrices against adfd's (target/bench-rfm/A*.f64).

Usage: rfm_jax.py DIR REPEATS  (DIR holds inputs.json written by the Rust bench)
"""
import json
import os
import pathlib
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)

folder, repeats = pathlib.Path(sys.argv[1]), int(sys.argv[2])
inp = json.loads((folder / "inputs.json").read_text())
x = jnp.array(inp["x"], dtype=jnp.float64)
y = jnp.array(inp["y"], dtype=jnp.float64)
w = jnp.array(inp["w"], dtype=jnp.float64)
b = jnp.array(inp["b"], dtype=jnp.float64)
sl = float(np.sqrt(inp["lambda"]))
hs = inp["h"]


def phi(t):
    return jnp.tanh(w * t + b)


@jax.jit
def assemble_ad():
    d2 = jax.vmap(jax.jacfwd(jax.jacfwd(phi)))(x)  # (n, m): phi_j''(x_i)
    return jnp.concatenate([-d2, sl * jax.vmap(phi)(y)], axis=0)


def make_fd(h):
    @jax.jit
    def assemble_fd():
        p = jax.vmap(phi)
        d2 = (p(x - h) - 2.0 * p(x) + p(x + h)) / (h * h)
        return jnp.concatenate([-d2, sl * p(y)], axis=0)

    return assemble_fd


fns = [assemble_ad] + [make_fd(h) for h in hs]


def all4():
    return [f() for f in fns]


for out in all4():  # compile + warm up
    out.block_until_ready()
times = []
for _ in range(repeats):
    t = time.perf_counter()
    outs = all4()
    for o in outs:
        o.block_until_ready()
    times.append((time.perf_counter() - t) * 1e3)
ms = float(np.median(times))
worst = 0.0
for i, o in enumerate(outs):
    f = next(folder.glob(f"A{i}_*.f64"))
    rows, cols = map(int, f.stem.split("_")[1].split("x"))
    ours = np.fromfile(f, dtype="<f8").reshape((rows, cols), order="F")
    o = np.asarray(o)
    worst = max(worst, float(np.max(np.abs(ours - o)) / np.max(np.abs(o))))
print(f"  JAX {jax.__version__} jit assembly (4 matrices)  {ms:9.1f} ms")
print(f"  max |A_adfd - A_jax| / max|A|       {worst:9.1e}")
print(f"jax_assembly_ms={ms}")
