#!/bin/bash
# Every low-bit and integer storage format is covered everywhere a user looks (issues 15
# and 16): each family that reads or writes one appears in some shipped suite of `qbench
# run`, in `qbench error`, with its storage in `qbench memory`, and in `qbench plot`'s
# charts. Nothing is listed by hand: the formats are the dtypes of `qbench dtypes` that are
# integers or blocks of at most 8 bits a value, or floats of at most 8 bits; the families
# are those the planner plans (`run --list` over a suite of every family: no compute
# peaks) whose dtypes (`qbench list`) include one. A new format or family is checked with
# no edit here. No timing is checked. Usage: coverage.sh QBENCH SUITES_DIR
set -u
qb=$1
suites=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
cat >every.suite <<'S'
families = *
kernels = *__scalar_*
backends = cpu
sizes = 4096
repetitions = 1
min_time = 0.0001
S
fail() {
  echo "FAIL: $*"
  exit 1
}
"$qb" dtypes --json >dtypes.json || fail "qbench dtypes --json"
"$qb" list --json >list.json 2>/dev/null || fail "qbench list --json"
"$qb" run --suite ./every.suite --list >every.txt 2>/dev/null || fail "qbench run --list"
for s in "$suites"/*.suite; do
  "$qb" run --suite "$s" --backend cpu --list >>suites.txt 2>/dev/null || fail "qbench run --suite $s --list"
done
"$qb" error --json --n 4096 >error.json 2>/dev/null || fail "qbench error --json"
"$qb" memory --json --shape 4096 >memory.json || fail "qbench memory --json"
# One scalar row of every family (for the storage each row reports, and the plot).
"$qb" run --suite ./every.suite --no-roofs --out rows.json --quiet 2>/dev/null || fail "qbench run (every family)"
# The charts' data only: gnuplot itself is not what is checked.
QBENCH_GNUPLOT=true "$qb" plot rows.json --out plots >/dev/null 2>&1 || fail "qbench plot"
python3 - <<'PY'
import json, os, re
dtypes = json.load(open("dtypes.json"))
fmt = {d["dtype"] for d in dtypes
       if (d["class"] in ("int", "block") and float(d["bits"]) <= 9) or (d["class"] == "float" and float(d["bits"]) <= 8)}
planned = {line.split("/")[0] for line in open("every.txt") if line.strip()}
in_suites = {line.split("/")[0] for line in open("suites.txt") if line.strip()}
families = {}
for k in json.load(open("list.json")):
    families.setdefault(k["family"], set(re.split(r"[,>-]+", k["dtypes"])))
want = sorted(f for f in planned if families.get(f, set()) & fmt)
in_error = {c["family"] for c in json.load(open("error.json"))["cases"]}
memory = {m["format"] for m in json.load(open("memory.json"))["formats"]}
rows = {}
for r in json.load(open("rows.json"))["benchmarks"]:
    rows.setdefault(r["family"], r)
charts = set(os.listdir("plots"))
memory_chart = {line.split("\t")[3] for line in open("plots/memory.tsv") if line[0].isdigit()}
fails = []
for f in want:
    if f not in in_suites:
        fails.append(f"{f}: in no suite of suites/ (qbench run --suite S --list)")
    if f not in in_error:
        fails.append(f"{f}: not in qbench error")
    r = rows.get(f)
    if r is None or r["status"] != "ok":
        fails.append(f"{f}: no ok row in a run of every family ({r and r['reason']})")
        continue
    store = r.get("memory", {}).get("format")
    if store not in memory:
        fails.append(f"{f}: its storage '{store}' is not a row of qbench memory")
    if store not in memory_chart:
        fails.append(f"{f}: its storage '{store}' is not in plot's memory chart")
    if f"throughput-{f}.tsv" not in charts:
        fails.append(f"{f}: no throughput chart in qbench plot")
if len(want) < 40:
    fails.append(f"only {len(want)} format families found: the selection is broken")
for x in fails:
    print("FAIL:", x)
print(f"{len(want)} low-bit and integer format families checked in run, error, memory and plot")
raise SystemExit(1 if fails else 0)
PY
