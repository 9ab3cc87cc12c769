#!/usr/bin/env python3
"""The tables of `./scripts/bench`, from the figures its steps wrote to artifacts/:

* bench-rfm.json   (cargo bench --bench rfm: adfd vs JAX jit assembly + numpy SVD),
* bench-train.json (cargo bench --bench train: adfd vs JAX jit GD training steps, 1-D and 2-D),
* bench-lm.json    (cargo bench --bench lm: Levenberg-Marquardt steps, time to accuracy and
                    where a step's time goes, adfd vs benches/lm_jax.py),
* bench-web.json   (scripts/bench-web: the page in headless Chromium vs the native CLI).

Each table says the machine's load averages (1, 5, 15 min) before and after its step:
the machine is shared, and figures taken under load are noisy; the ratios are the same
run's.

Prints markdown tables headed by the machine, the date and the commit, and writes them
to artifacts/bench.md. With --doc, also replaces the section between
`<!-- bench:begin -->` and `<!-- bench:end -->` of docs/speed.md with
them, so the page quotes the latest run. A step whose file is missing is reported as not run, never invented.
"""
import datetime
import json
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ART = os.path.join(ROOT, "artifacts")
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def load(name):
    try:
        with open(os.path.join(ART, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{model}, {os.cpu_count()} cores; {date}; commit {commit}{' (modified)' if dirty else ''}"


def ms(v):
    return "—" if v is None else f"{v:.1f} ms"


def ratio(a, b, target=None):
    if a is None or b is None or not b:
        return "—"
    r = a / b
    if target is None:
        return f"{r:.2f}×"
    op, t = target
    ok = r <= t if op == "≤" else r >= t
    return f"**{r:.2f}×** (target {op} {t}: {'met' if ok else 'missed'})"


def rfm_table(rfm):
    if rfm is None:
        return ["RFM benchmark: not run (artifacts/bench-rfm.json missing)."]
    a, jax, numpy = rfm["adfd_ms"], rfm["jax_assembly_ms"], rfm["numpy_svd_ms"]
    base_total = None if jax is None or numpy is None else jax + numpy
    return [
        f"RFM, {rfm['workload']} (median of {rfm['repeats']}, assembly of {rfm.get('assembly_repeats', rfm['repeats'])}, {rfm['threads']} threads):",
        "",
        "| work | adfd | baseline | ratio adfd / baseline |",
        "|---|---|---|---|",
        f"| assembly of the 4 matrices | {ms(a['assembly'])} | JAX jit {ms(jax)} | {ratio(a['assembly'], jax, ('≤', 1.5))} |",
        f"| singular values + K, H | {ms(a['singular_values'])} | numpy SVD {ms(numpy)} | {ratio(a['singular_values'], numpy)} |",
        f"| assembly + singular values + K, H | {ms(a['spectra'])} | numpy SVD alone {ms(numpy)} | {ratio(a['spectra'], numpy, ('≤', 1.0))} |",
        f"| same | {ms(a['spectra'])} | JAX assembly + numpy SVD {ms(base_total)} | {ratio(a['spectra'], base_total)} |",
        f"| full `run_rfm` (with solves, errors) | {ms(a['full_run'])} | — | — |",
    ]


def load_note(data):
    """The load averages before and after a bench step, as the step recorded them."""
    load = (data or {}).get("load") or {}
    fmt = lambda v: "?" if not v else " / ".join(f"{x:.1f}" for x in v)
    order = ["before", "after_jax", "after"]
    keys = sorted(load, key=lambda k: order.index(k) if k in order else len(order))
    parts = [f"{k.replace('_', ' ')} {fmt(load[k])}" for k in keys]
    return f"load (1 / 5 / 15 min): {'; '.join(parts)}" if parts else "load: not recorded"


def num(v, digits=1):
    return "—" if v is None else f"{v:.{digits}f}"


def train_table(train):
    if train is None:
        return ["Training benchmark: not run (artifacts/bench-train.json missing)."]
    out = [
        f"Training steps per second, tanh networks with L hidden layers of width m "
        f"(L = 1: the two-layer network), n interior points (2-D: a 20 × 20 grid and 80 "
        f"boundary points), GD, f64 ({train['threads']} threads, median of {train['repeats']}; "
        f"{load_note(train)}):",
        "",
        "| problem | m | n | L | mode | adfd steps/s | JAX jit steps/s | ratio adfd / JAX | adfd per-direction steps/s (before collapsed Taylor mode, same run) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in train["rows"]:
        layers = r.get("layers", 1)
        # The targets: two-layer 1-D ≥ 1 at m = n = 100, ≥ 2 at 1000; 2-D ≥ 2.
        if r.get("dim", 1) == 2:
            target = ("≥", 2.0)
        else:
            target = ("≥", 1.0 if r["m"] <= 100 else 2.0) if layers == 1 else None
        jax = r["jax_steps_per_second"]
        out.append(f"| {r['problem']} | {r['m']} | {r.get('n', r['m'])} | {layers} | {r['mode'].upper()} | "
                   f"{r['adfd_steps_per_second']:.1f} | {num(jax)} | "
                   f"{ratio(r['adfd_steps_per_second'], jax, target)} | "
                   f"{num(r.get('adfd_per_direction_steps_per_second'))} |")
    return out


def lm_tables(lm):
    if lm is None:
        return ["Levenberg–Marquardt benchmark: not run (artifacts/bench-lm.json missing)."]
    out = []
    if lm.get("speed"):
        out += [
            f"Levenberg–Marquardt steps per second (a step: J and r̃, the Gram matrix, then "
            f"damped trials, a Cholesky solve and a loss each, until one lowers the loss; "
            f"k steps chained from adfd's init, repeated from the init, median of "
            f"{lm['repeats']}; JAX from the same init and points; {lm['threads']} threads; "
            f"{load_note(lm)}):",
            "",
            "| problem | m | n | L | mode | adfd steps/s | trials/step | JAX jit steps/s | trials/step | ratio adfd / JAX |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in lm["speed"]:
            a, j = r["adfd"], r.get("jax") or {}
            out.append(f"| {r['problem']} | {r['m']} | {r['n']} | {r['layers']} | {r['mode'].upper()} | "
                       f"{a['steps_per_second']:.1f} | {a['trials_per_step']:.2f} | "
                       f"{num(j.get('steps_per_second'))} | {num(j.get('trials_per_step'), 2)} | "
                       f"{ratio(a['steps_per_second'], j.get('steps_per_second'), ('≥', 20.0))} |")
        out.append("")
    check = lm.get("jax_check")
    if check:
        out += [("JAX's loss, true residual and J at each report's init agree with adfd's "
                 f"(`lm_jax.py --check`, {check['checks']} checks, largest relative difference "
                 f"{check['largest_relative_difference']:.1e})." if check.get("passed")
                 else f"`lm_jax.py --check` did not pass: {check.get('message')}."), ""]
    if lm.get("accuracy"):
        out += [
            f"Time to accuracy, AD, Levenberg–Marquardt from adfd's init: wall time until the "
            f"relative L2 error on the test points is ≤ the target, the error computed after "
            f"every step inside the timed time (median of {lm['accuracy_repeats']}):",
            "",
            "| problem | m | n | target | adfd | JAX jit, compiled | JAX with compilation | ratio adfd / JAX compiled | ratio adfd / JAX with compilation |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in lm["accuracy"]:
            a, j = r["adfd"], r.get("jax") or {}
            steps = lambda d: f"{d.get('steps')} steps" + ("" if d.get("stopped") == "target" else f", {d.get('stopped')}")
            jsec, jcomp = j.get("seconds"), j.get("seconds_with_compile")
            out.append(f"| {r['problem']} | {r['m']} | {r['n']} | {a['target']:.0e} | "
                       f"{a['seconds'] * 1e3:.1f} ms ({steps(a)}) | "
                       f"{'—' if jsec is None else f'{jsec * 1e3:.1f} ms ({steps(j)})'} | "
                       f"{'—' if jcomp is None else f'{jcomp:.2f} s'} | "
                       f"{ratio(a['seconds'], jsec, ('≤', 0.1))} | {ratio(a['seconds'], jcomp)} |")
        out.append("")
    if lm.get("profile"):
        out += [
            "Where an adfd LM step's time goes, at the init (median ms; Gram GFLOP/s = "
            "k²·P flops of the lower triangle, k = min(rows, P), over its time):",
            "",
            "| problem | m | n | L | mode | rows × P | J and r̃ | Gram | one solve | one trial loss | test error | Gram GFLOP/s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in lm["profile"]:
            a = r["adfd"]
            k, p = min(a["rows"], a["params"]), max(a["rows"], a["params"])
            gf = k * k * p / (a["gram_ms"] * 1e-3) / 1e9
            out.append(f"| {r['problem']} | {r['m']} | {r['n']} | {r['layers']} | {r['mode'].upper()} | "
                       f"{a['rows']} × {a['params']} | {a['jacobian_ms']:.3f} | {a['gram_ms']:.3f} | "
                       f"{a['solve_ms']:.3f} | {a['loss_ms']:.3f} | {a['test_error_ms']:.3f} | {gf:.1f} |")
    return out


def train_label(web):
    """The page's trained network, from the config bench-web recorded (older runs: the
    config they trained then)."""
    c = web.get("train_config")
    if not c:
        return "two-layer width 100, n = 400"
    if isinstance(c, str):
        return c
    layers = c["net"]["layers"]
    net = "two-layer" if layers == 1 else f"{layers} hidden layers"
    return f"{net} width {c['net']['width']}, n = {c['n']}, {c['train']['optimizer'].upper()}"


def web_table(web):
    if web is None:
        return ["Browser benchmark: not run (artifacts/bench-web.json missing)."]
    rows = [
        "The page in headless Chromium against the native CLI on the same configs "
        f"(native all threads = {web['native_threads']}):",
        "",
        "| benchmark | browser | native | ratio / target |",
        "|---|---|---|---|",
    ]
    for b in web["builds"]:
        label = b["label"]
        first = b["first_result_ms"]
        rows.append(f"| navigation → first complete result, default RFM (4 runs), {label} | {first / 1e3:.2f} s | — | "
                    f"target ≤ 1.5 s: {'met' if first <= 1500 else 'missed'} |")
        r = b["rfm_ms_per_mode_ad_then_fd"]
        rows.append(f"| RFM ms per mode, m = n = 400, AD then each FD, {label} | "
                    f"{', '.join(f'{v:.0f}' for v in r['browser'])} | "
                    f"{', '.join(f'{v:.0f}' for v in r['native_1_thread'])} (1 thread); "
                    f"{', '.join(f'{v:.0f}' for v in r['native_all_threads'])} (all) | "
                    f"median vs 1 thread {ratio(r['median_ratio'], 1.0, ('≤', 1.5))} |")
        targets = b.get("targets", {"rfm_next": 1.5, "train": 1.0 if b is web["builds"][-1] else None})
        w = b.get("rfm_wall_ms_per_mode")
        if w:
            rows.append(f"| RFM comparison's wall ms per mode (4 runs fitted), first after load; next (median of 5 new seeds), {label} | "
                        f"{w['browser_first']:.0f}; {w['browser_next']:.0f} | "
                        f"{w['native_1_thread']:.0f} (1 thread), {w['native_all_threads']:.0f} (all) | "
                        f"first vs 1 thread {ratio(w['browser_first'], w['native_1_thread'])}; "
                        f"next vs 1 thread {ratio(w['browser_next'], w['native_1_thread'], ('≤', targets['rfm_next']))} |")
        t = b["train_ms_per_step_per_run"]
        target = ('≤', targets["train"]) if targets.get("train") else None
        rows.append(f"| training ms per step per run, {train_label(web)}, {label} | "
                    f"{t['browser']:.2f} ms | {t['native_1_thread']:.2f} ms (1 thread), "
                    f"{t['native_all_threads']:.2f} ms (all) | "
                    f"vs 1 thread {ratio(t['browser'], t['native_1_thread'], target)}, "
                    f"vs all {ratio(t['browser'], t['native_all_threads'])} |")
        fv = b.get("first_visit_ad_error_1e6_ms")
        if "first_visit_ad_error_1e6_ms" in b:
            shown = "never" if fv is None else f"{fv / 1e3:.2f} s (step {b.get('first_visit_ad_error_1e6_step')})"
            rows.append(f"| first visit → AD's error ≤ 1e-6 (the first lesson, LM), {label} | {shown} | — | "
                        f"target ≤ 5 s: {'met' if fv is not None and fv <= 5000 else 'missed'} |")
        for problem, r in (b.get("lm2d_ms_per_step_per_run") or {}).items():
            med = sorted(r["ratios"])[len(r["ratios"]) // 2] if r["ratios"] else None
            rows.append(f"| LM ms per step per run, {problem}, {web.get('lm2d_config', '')}, AD then FD, {label} | "
                        f"{', '.join(f'{v:.1f}' for v in r['browser'])} | "
                        f"{', '.join(f'{v:.1f}' for v in r['native_1_thread'])} (1 thread) | "
                        f"median vs 1 thread {ratio(med, 1.0, ('≤', 1.5))} |")
        p95 = b["draw_ms_p95_during_training"]
        rows.append(f"| main-thread draw per frame while training, p95, {label} | {p95:.1f} ms | — | "
                    f"target ≤ 20 ms: {'met' if p95 <= 20 else 'missed'} |")
    f = web.get("fma_over_threaded")
    if f:
        rows.append(f"| the FMA build over the plain threaded build (same run): next RFM comparison; training per step per run | "
                    f"{f['rfm_next_wall']:.2f}×; {f['train_ms_per_step_per_run']:.2f}× | — | below 1: FMA is faster |")
    for name, size in web["wasm_bytes_by_build"].items():
        rows.append(f"| {name}, uncompressed | {size / 1e6:.2f} MB | — | target ≤ 1.5 MB: "
                    f"{'met' if size <= 1_500_000 else 'missed'} |")
    rows += ["", "Ratios are browser time over native time: below 1 the browser is faster. "
             "The threaded build's training target is ≥ native 1-thread speed, i.e. time ratio ≤ 1. "
             "RFM ms per mode is each run's own wall time: on more than one thread (the threaded "
             "build, native all threads) runs are fitted one per thread at once, each sharing the "
             "cores with the others, so these times are longer than the comparison's wall time per mode, "
             "the next row (the page's \"ms per run\", the CLI report's top-level time_ms over the runs; "
             "native: median of 5). The first comparison after load also pays for V8 optimizing the "
             "module's code as it runs; the next one, with a new seed, does not."]
    return rows


def main():
    lines = [f"Measured by `./scripts/bench` on {machine()}.", ""]
    for table in (rfm_table(load("bench-rfm.json")), train_table(load("bench-train.json")),
                  lm_tables(load("bench-lm.json")), web_table(load("bench-web.json"))):
        lines += table + [""]
    text = "\n".join(lines).rstrip() + "\n"
    os.makedirs(ART, exist_ok=True)
    with open(os.path.join(ART, "bench.md"), "w") as f:
        f.write(text)
    print(text)
    if "--doc" in sys.argv:
        name = os.path.join("docs", "speed.md")
        path = os.path.join(ROOT, name)
        with open(path) as f:
            doc = f.read()
        if BEGIN not in doc or END not in doc:
            sys.exit(f"{name} has no {BEGIN} … {END} section to fill")
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        with open(path, "w") as f:
            f.write(f"{head}{BEGIN}\n{text}{END}{tail}")
        print(f"{name}: the benchmark section now quotes this run")


if __name__ == "__main__":
    main()
