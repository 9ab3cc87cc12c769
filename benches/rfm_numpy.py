"""numpy baseline for benches/rfm.rs: time np.linalg.svd(A, compute_uv=False) on the
matrices adfd assembled, and check the singular values against adfd's."""
import pathlib
import sys
import time

import numpy as np

try:
    from threadpoolctl import threadpool_info
except ImportError:  # optional: only to report which BLAS kernel ran
    threadpool_info = None

folder, repeats = pathlib.Path(sys.argv[1]), int(sys.argv[2])
total = 0.0
worst = 0.0
for path in sorted(folder.glob("A*_*.f64")):
    index = path.name[1 : path.name.index("_")]
    rows, cols = map(int, path.stem.split("_")[1].split("x"))
    a = np.fromfile(path, dtype="<f8").reshape((rows, cols), order="F")
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        s = np.linalg.svd(a, compute_uv=False)
        times.append((time.perf_counter() - t) * 1e3)
    total += float(np.median(times))
    ours = np.fromfile(folder / f"s{index}.f64", dtype="<f8")
    # Singular values agree to ~ε·s₁ in absolute terms (backward stability).
    worst = max(worst, float(np.max(np.abs(ours - s)) / s[0]))
blas = ""
if threadpool_info:
    blas = ", ".join(f"{i.get('internal_api')}:{i.get('architecture')}x{i.get('num_threads')}" for i in threadpool_info())
print(f"  numpy {np.__version__} SVDs, compute_uv=False (4)   {total:9.1f} ms   [{blas or 'BLAS info: pip install threadpoolctl'}]")
print(f"  max |s_adfd - s_numpy| / s_1        {worst:9.1e}")
print(f"numpy_total_ms={total}")
