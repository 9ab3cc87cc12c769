#!/usr/bin/env bash
# scripts/claims-slurm on a real scheduler: a one-node Slurm on this machine
# (scripts/slurm-local) runs a small claims run as a job array, seeds 0..4 in shards
# of 2 on the 1-D problems without networks (seconds), merges it in a dependent job,
# and the merged report must be the report of one `adfd claims` over the same seeds,
# byte for byte (rows and evaluations, bit for bit); so must two shards with the
# network claims on Poisson 1-D (seconds more). Then a run whose second shard
# fails must fail saying which shard and why, and a wait for jobs that cannot start
# must give up at its timeout, saying what it waited for.
#
#   tests/claims-slurm.sh           on the local Slurm (installed and started if needed)
#   tests/claims-slurm.sh local     the same through the xargs stand-in, no Slurm
set -euo pipefail
cd "$(dirname "$0")/.."
scheduler="${1:-slurm}"
passed=0 failed=0

pass() { printf 'ok: %s\n' "$*"; passed=$((passed + 1)); }
fail() { printf 'FAILED: %s\n' "$*"; failed=$((failed + 1)); }

cargo build --release --quiet
adfd="$PWD/target/release/adfd"
if [ "$scheduler" = slurm ]; then
    eval "$(scripts/slurm-local)"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export POLL_SECONDS=1
small=(--problems "poisson1d,biharmonic1d" --no-networks)
base=(scripts/claims-slurm --scheduler "$scheduler" --cpus-per-task 1 --wait --timeout 300)
run=("${base[@]}" "${small[@]}")

# --- shards merge into the single run's report -------------------------------------
start=$SECONDS
"${run[@]}" --seeds 0..4 --shard-size 2 --dir "$tmp/run" --out "$tmp/merged.json" \
    >"$tmp/run.out" 2>&1 || { cat "$tmp/run.out"; fail "the run failed"; }
echo "claims-slurm ($scheduler) ran 2 shards and the merge in $((SECONDS - start)) s"
"$adfd" claims --seeds 0..4 "${small[@]}" --json >"$tmp/single.json"
if cmp -s "$tmp/merged.json" "$tmp/single.json"; then
    pass "the merged report is the single run's, byte for byte"
else
    fail "the merged report differs from the single run's"
fi
# The same, said field by field (and that the comparison compares something: rows
# over all four seeds, from shards that each had two).
if python3 - "$tmp/merged.json" "$tmp/single.json" "$tmp/run/shards" <<'PY'
import json, sys, glob
merged, single = (json.load(open(p)) for p in sys.argv[1:3])
for key in ("rows", "evaluations", "seeds", "problems", "networks", "sizes"):
    assert merged[key] == single[key], f"{key} differ"
assert merged["seeds"] == [0, 1, 2, 3] and len(merged["rows"]) == 15, merged["seeds"]
assert all(r["seeds"] == 4 for r in merged["rows"])
shards = [json.load(open(p)) for p in sorted(glob.glob(sys.argv[3] + "/shard-*.json"))]
assert [s["seeds"] for s in shards] == [[0, 1], [2, 3]], [s["seeds"] for s in shards]
PY
then
    pass "rows and evaluations equal, 4 seeds from 2 shards of 2"
else
    fail "rows or evaluations differ"
fi
# Each shard's progress: a start, one line per (problem, seed) job, an end.
for k in 0 1; do
    p="$tmp/run/progress/shard-$k.jsonl"
    if [ "$(grep -c '"event":"job"' "$p")" = 4 ] && head -n 1 "$p" | grep -q '"event":"start"' \
        && tail -n 1 "$p" | grep -q '"event":"end","ok":true,"done":4,"total":4'; then
        pass "shard $k's progress: start, 4 jobs, end"
    else
        fail "shard $k's progress:"; cat "$p"
    fi
done

# --- the network claims too: trained networks, evaluations with a size ------------
# One 1-D problem, two shards of one seed (a network seed takes ~5 s here).
"${base[@]}" --problems poisson1d --seeds 0..2 --shard-size 1 \
    --dir "$tmp/nets" >"$tmp/nets.out" 2>&1 || { cat "$tmp/nets.out"; fail "the network run failed"; }
"$adfd" claims --seeds 0..2 --problems poisson1d --json >"$tmp/nets-single.json"
if cmp -s "$tmp/nets/claims.json" "$tmp/nets-single.json" \
    && grep -q '"claim":"6b"' "$tmp/nets-single.json"; then
    pass "with networks (claims 4b-6c) too, the merged report is the single run's"
else
    fail "with networks, the merged report differs from the single run's"
fi

# --- a failing shard fails the run, named ------------------------------------------
cat >"$tmp/failing-adfd" <<EOF
#!/usr/bin/env bash
# adfd, but the shard of seeds 2..4 fails as a broken task would.
if [[ " \$* " == *" --seeds 2..4 "* ]]; then echo "adfd: a simulated failure" >&2; exit 3; fi
exec "$adfd" "\$@"
EOF
chmod +x "$tmp/failing-adfd"
rc=0
"${run[@]}" --seeds 0..4 --shard-size 2 --dir "$tmp/fail" --adfd "$tmp/failing-adfd" \
    >"$tmp/fail.out" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] && grep -q 'shard 1 (seeds 2..4): exit 3' "$tmp/fail.out" \
    && grep -q 'a simulated failure' "$tmp/fail.out" && [ ! -e "$tmp/fail/claims.json" ]; then
    pass "a failing shard fails the run (exit $rc), named with its error, nothing merged"
else
    cat "$tmp/fail.out"; fail "a failing shard (exit $rc)"
fi

# --- a wait that cannot end gives up at its timeout --------------------------------
if [ "$scheduler" = slurm ]; then
    rc=0
    start=$SECONDS
    scripts/claims-slurm "${small[@]}" --cpus-per-task 1 --seeds 0..2 --dir "$tmp/held" \
        --sbatch-args "--begin=now+1hour" --wait --timeout 3 >"$tmp/held.out" 2>&1 || rc=$?
    # The run's job ids, written as `array=…` and `merge=…`.
    array="" merge=""
    # shellcheck disable=SC1091
    source "$tmp/held/jobs"
    scancel "$array" "$merge"
    if [ "$rc" -ne 0 ] && [ $((SECONDS - start)) -lt 30 ] \
        && grep -q "gave up waiting after 3 s for the merge job $merge (squeue: PENDING)" "$tmp/held.out"; then
        pass "a wait for jobs held an hour gives up after its 3 s timeout, saying so"
    else
        cat "$tmp/held.out"; fail "the held wait (exit $rc, $((SECONDS - start)) s)"
    fi
fi

echo "claims-slurm ($scheduler): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
