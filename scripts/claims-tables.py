#!/usr/bin/env python3
"""Writes a claims report (`adfd claims --json`) where the docs read it.

Usage: claims-tables.py REPORT.json COMMAND SECONDS LOAD

* docs/claims.json: {command, date, machine, load, seconds, report} (the page's About
  section shows it);
* docs/claims.md: the full table (one row per claim, problem and network size, with
  the effect's median and 10–90 % range) between its claims markers;
* README.md: the compact table (holds / seeds per claim and problem, at the claim
  sizes) between its claims markers.
"""
import datetime
import json
import os
import platform
import re
import sys

PROBLEMS = ["poisson1d", "biharmonic1d", "poisson2d", "biharmonic2d"]


def replace_between(path, block):
    text = open(path).read()
    table = "<!-- claims:start -->\n" + block + "\n<!-- claims:end -->"
    text, n = re.subn(r"<!-- claims:start -->.*?<!-- claims:end -->", lambda _: table, text, flags=re.S)
    assert n == 1, f"{path} needs one <!-- claims:start --> … <!-- claims:end --> block"
    open(path, "w").write(text)


def fmt(v):
    return "–" if v is None else f"{v:.3g}"


def cell(text):
    return text.replace("|", "\\|")


def main():
    path, command, seconds, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    report = json.load(open(path))
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    doc = {
        "command": command,
        "date": datetime.date.today().isoformat(),
        "machine": f"{cpu}, {os.cpu_count()} cores ({platform.machine()})",
        "load": float(load),
        "seconds": seconds,
        "report": report,
    }
    json.dump(doc, open("docs/claims.json", "w"), indent=1)
    heading = (f"`{command}` on {doc['date']} ({doc['machine']}, load {load} at the start, "
               f"{seconds} s). Settings: {report['settings']}.")

    full = [heading, "", "| claim | problem | network size | statement | holds | effect: median [10 %, 90 %] |",
            "|---|---|---|---|---|---|"]
    for r in report["rows"]:
        full.append(f"| {r['claim']} | {r['problem']} | {r['size'] or '–'} | {cell(r['statement'])} ({cell(r['setting'])}) | "
                    f"{r['holds']}/{r['seeds']} | {cell(r['effect'])}: {fmt(r['median'])} [{fmt(r['p10'])}, {fmt(r['p90'])}] |")
    replace_between("docs/claims.md", "\n".join(full))

    # The compact table: the rows measured at the claims' own sizes.
    rows = {}
    order = []
    for r in report["rows"]:
        if not r["at_claim_size"]:
            continue
        problem = r["problem"].split(" vs ")[0]
        if r["claim"] not in rows:
            rows[r["claim"]] = {"statement": r["statement"]}
            order.append(r["claim"])
        rows[r["claim"]][problem] = f"{r['holds']}/{r['seeds']}"
    order.sort(key=lambda c: (int(c[0]), c))
    compact = [f"Seeds on which each claim holds, at the claim sizes (`{command}`, {doc['date']}, {seconds} s on "
               f"{os.cpu_count()} cores):", "",
               "| claim | statement | " + " | ".join(PROBLEMS) + " |", "|---|---|" + "---|" * len(PROBLEMS)]
    for c in order:
        compact.append(f"| {c} | {cell(rows[c]['statement'])} | " + " | ".join(rows[c].get(p, "–") for p in PROBLEMS) + " |")
    replace_between("README.md", "\n".join(compact))
    print(f"docs/claims.json, docs/claims.md and README.md written ({len(report['rows'])} rows, {seconds} s)")


main()
