#!/usr/bin/env python3
"""The tables of `./scripts/bench`, from the figures its steps wrote to artifacts/:

* bench-rfm.json   (cargo bench --bench rfm: adfd vs JAX jit assembly + numpy SVD),
* bench-train.json (cargo bench --bench train: adfd vs JAX jit training steps),
* bench-web.json   (scripts/bench-web: the page in headless Chromium vs the native CLI).

Prints markdown tables headed by the machine, the date and the commit, and writes them
to artifacts/bench.md. With --readme, also replaces the README's section between
`<!-- bench:begin -->` and `<!-- bench:end -->` with them, so the README quotes the
latest run. A step whose file is missing is reported as not run, never invented.
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


def train_table(train):
    if train is None:
        return ["Training benchmark: not run (artifacts/bench-train.json missing)."]
    out = [
        f"Training steps per second, tanh networks with L hidden layers of width m "
        f"(L = 1: the two-layer network), GD, f64 ({train['threads']} threads, median of {train['repeats']}):",
        "",
        "| problem | m = n | L | mode | adfd steps/s | JAX jit steps/s | ratio adfd / JAX |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in train["rows"]:
        layers = r.get("layers", 1)
        # The targets are for the two-layer network; deeper ones have none.
        target = ("≥", 1.0 if r["m"] <= 100 else 2.0) if layers == 1 else None
        jax = r["jax_steps_per_second"]
        out.append(f"| {r['problem']} | {r['m']} | {layers} | {r['mode'].upper()} | {r['adfd_steps_per_second']:.1f} | "
                   f"{'—' if jax is None else f'{jax:.1f}'} | {ratio(r['adfd_steps_per_second'], jax, target)} |")
    return out


def train_label(web):
    """The page's trained network, from the config bench-web recorded (older runs: the
    config they trained then)."""
    c = web.get("train_config")
    if not c:
        return "two-layer width 100, n = 400"
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
                  web_table(load("bench-web.json"))):
        lines += table + [""]
    text = "\n".join(lines).rstrip() + "\n"
    os.makedirs(ART, exist_ok=True)
    with open(os.path.join(ART, "bench.md"), "w") as f:
        f.write(text)
    print(text)
    if "--readme" in sys.argv:
        path = os.path.join(ROOT, "README.md")
        with open(path) as f:
            readme = f.read()
        if BEGIN not in readme or END not in readme:
            sys.exit(f"README.md has no {BEGIN} … {END} section to fill")
        head, rest = readme.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        with open(path, "w") as f:
            f.write(f"{head}{BEGIN}\n{text}{END}{tail}")
        print("README.md: the benchmark section now quotes this run")


if __name__ == "__main__":
    main()
