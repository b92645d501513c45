#!/usr/bin/env bash
# The cases run in data order, the results stay in plan order (host/run/schedule.h):
#   1. A suite of several sizes, distributions, thread counts and roundings: the results
#      file's rows, the CSV's and the table are in plan order.
#   2. The same run killed (SIGKILL) after some cases, run out of plan order (the journal
#      says so; each data key's cases one after the other), then resumed:
#      every planned case once, the journaled ones kept as they were, the rows in plan
#      order and, but for the timings, the same as the uninterrupted run's.
#      qbench recover of that journal writes its cases in plan order.
#   3. SIGINT: the incomplete file holds the cases done, in plan order.
# usage: schedule.sh QBENCH
set -u
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_begin "$1"

# Under --isa scalar, the scalar variants: 2 sizes x 2 thread counts x 2 distributions
# (x 2 roundings for the quantizer).
cat >mix.suite <<'SUITE'
families = f32_f16_cvt, f32_qs8_quant
sizes = 1000, 4096
distributions = normal, uniform
backends = cpu
threads = 1, 2
rounding = pytorch, tflite
repetitions = 2
min_time = 0.002
SUITE
sed 's/min_time = 0.002/min_time = 0.03/' mix.suite >slow.suite
run=("$qb" --isa scalar run --no-roofs)
"${run[@]}" --suite mix.suite --list >list || fail "--list"
planned=$(wc -l <list)
[ "$planned" -ge 24 ] || fail "--list: $planned cases"


# check FILE.json [JOURNAL]: rows grouped by case, the cases in plan order (a subsequence
# of --list, all of it without JOURNAL), the CSV's rows the same; with JOURNAL, exactly
# its cases, each row as journaled.
check() {
  python3 - "$@" <<'PY'
import csv, json, sys
doc = json.load(open(sys.argv[1]))
plan = [l.strip() for l in open("list") if l.strip()]
rows = doc["benchmarks"]
cases = []
for r in rows:
    if not cases or cases[-1] != r["run_name"]:
        cases.append(r["run_name"])
bad = []
if len(set(cases)) != len(cases):
    bad.append("a case's rows are not together, or a case twice")
at = {n: i for i, n in enumerate(plan)}
if any(n not in at for n in cases) or [at[n] for n in cases] != sorted(at[n] for n in cases):
    bad.append("the cases are not in plan order")
if len(sys.argv) > 2:
    journal = {}
    for line in open(sys.argv[2]).read().split("\n")[1:]:
        if line.strip():
            o = json.loads(line)
            if o["type"] == "case":
                journal[o["name"]] = o["rows"]
    if set(journal) != set(cases):
        bad.append("file cases %d != journal cases %d" % (len(cases), len(journal)))
    for r in rows:
        if r["run_name"] in journal and r not in journal[r["run_name"]]:
            bad.append("row %s not as journaled" % r["name"]); break
elif cases != plan:
    bad.append("%d of %d planned cases" % (len(cases), len(plan)))
csv_names = [r["name"] for r in csv.DictReader(open(sys.argv[1][:-5] + ".csv"))]
if csv_names != [r["name"] for r in rows]:
    bad.append("the CSV's rows are not the JSON's")
for b in bad:
    print("FAIL:", sys.argv[1] + ":", b)
sys.exit(1 if bad else 0)
PY
}

# out_of_order JOURNAL: the journal's cases are not in plan order, and each data key's cases
# (the name without variant and threads) are consecutive.
out_of_order() {
  python3 - "$1" <<'PY'
import json, re, sys
names = [json.loads(l)["name"] for l in open(sys.argv[1]) if '"type":"case"' in l]
plan = [l.strip() for l in open("list") if l.strip()]
at = {n: i for i, n in enumerate(plan)}
key = lambda n: re.sub(r"^([^/]+)/[^/]+/", r"\1/", re.sub(r"/threads:\d+/", "/", n))
keys = []
for n in names:
    if not keys or keys[-1] != key(n):
        keys.append(key(n))
bad = []
if [at[n] for n in names] == sorted(at[n] for n in names):
    bad.append("the cases ran in plan order")
if len(set(keys)) != len(keys):
    bad.append("a key's cases did not run together")
for b in bad:
    print("FAIL: journal:", b)
sys.exit(1 if bad else 0)
PY
}

# 1. A whole run (its journal, in running order, is gone with it: 2 and 3 read theirs).
"${run[@]}" --suite mix.suite --out a.json >a.out 2>a.err
rc=$?
[ "$rc" = 0 ] || fail "run: exit $rc; $(cat a.err)"
check a.json || fail "run: the file"
# The table: the plan's (variant and rounding, n, threads) in order, by family.
python3 - a.out <<'PY' || fail "run: the table is not in plan order"
import sys
got = []
for line in open(sys.argv[1]):
    f = line.split()
    if line.startswith("  ") and f[0] != "kernel":
        n_at = 2 if len(f) > 2 and f[1] in ("pytorch", "tflite") else 1
        got.append((" ".join(f[:n_at]), f[n_at], f[n_at + 1]))
want = []
for n in open("list"):
    p = n.strip().split("/")
    variant = p[1] + (" " + p[6].split(":")[1] if len(p) > 6 else "")
    want.append((variant, p[3].split(":")[1], p[4].split(":")[1]))
sys.exit(0 if got == want else 1)
PY

# 2. SIGKILL after some cases (out of plan order), then --resume.
"${run[@]}" --suite slow.suite --quiet --out k.json >/dev/null 2>k.err &
pid=$!
wait_lines k.json.journal 7 $pid
kill -KILL $pid
wait $pid 2>/dev/null
n=$(grep -c '"type":"case"' k.json.journal)
[ "$n" -ge 5 ] && [ "$n" -lt "$planned" ] || fail "SIGKILL: $n cases journaled of $planned"
out_of_order k.json.journal || fail "SIGKILL: the running order"
cp k.json.journal k.journal
# recover of the same journal: its cases, in plan order, each row as journaled.
"$qb" recover k.journal --out rec.json --format json,csv >/dev/null 2>rec.err
rc=$?
[ "$rc" = 1 ] || fail "recover: exit $rc (1: an incomplete run); $(cat rec.err)"
check rec.json k.journal || fail "recover: the file"
"$qb" run --resume k.json.journal --quiet >/dev/null 2>res.err
rc=$?
[ "$rc" = 0 ] || fail "resume: exit $rc; $(cat res.err)"
grep -q "resumed: $n of $planned" res.err || fail "resume: $(cat res.err)"
check k.json || fail "resume: the file"
python3 - k.json k.journal a.json <<'PY' || fail "resume: rows lost, repeated or changed"
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
first = {}
for line in open(sys.argv[2]).read().split("\n")[1:]:
    if line.strip() and json.loads(line)["type"] == "case":
        o = json.loads(line)
        first[o["name"]] = o["rows"]
bad = []
for name, rs in first.items():
    if [r for r in rows if r["run_name"] == name] != rs:
        bad.append("case %s not as the first run journaled it" % name)
# Every field but the timings (and the run's timing options) as the uninterrupted run's.
timing = {"real_time", "cpu_time", "iterations", "bytes_per_second", "items_per_second", "gflops",
          "threads_pinned", "stream_min_bytes"}
def strip(r):
    return {k: v for k, v in r.items() if k not in timing}
whole = json.load(open(sys.argv[3]))["benchmarks"]
if [strip(r) for r in rows if r["run_type"] != "aggregate"] != [strip(r) for r in whole if r["run_type"] != "aggregate"]:
    bad.append("the rows differ from the uninterrupted run's beyond the timings")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# 3. SIGINT: the cases done, in plan order, marked incomplete.
"${run[@]}" --suite slow.suite --quiet --out i.json >/dev/null 2>i.err &
pid=$!
wait_lines i.json.journal 7 $pid
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 1 ] || fail "SIGINT: exit $rc, expected 1; $(cat i.err)"
check i.json i.json.journal || fail "SIGINT: the file"
python3 -c 'import json,sys; sys.exit(0 if json.load(open("i.json"))["context"]["qbench"]["incomplete"] is True else 1)' ||
  fail "SIGINT: not marked incomplete"

if [ "$fails" -gt 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "ok"
