#!/usr/bin/env bash
# qbench run end to end on a tiny suite: the file, a row for every planned case with
# the right status, --list, exit codes, no file on bad input, no overwrite without
# --force, errors that do not stop the run, and an interrupted run. No timing is checked.
# usage: run.sh QBENCH
set -u
qb=$1
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Small caches keep the roofs (DRAM = 4 x L3) and the cases quick, even under ASan.
caches=L1=16K,L2=64K,L3=256K

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# expect CODE DESCRIPTION -- COMMAND...: runs it and checks the exit code.
expect() {
  local want=$1 what=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" = "$want" ] || fail "$what: exit $got, expected $want; stderr: $(head -c 400 "$tmp/err")"
}

cat >"$tmp/tiny.suite" <<'SUITE'
# Three families (one that rounds, a dot), one count, one distribution, the shortest timing.
families = f32_f16_cvt, f32_qs8_quant, f32_dot
sizes = 1000, L1
distributions = normal
backends = cpu
threads = 1
rounding = pytorch, tflite
repetitions = 2
min_time = 0.001
SUITE
run=(run --suite "$tmp/tiny.suite" --caches "$caches" --quiet)

# 1. --list: the plan, one name per line, nothing written.
expect 0 "--list" -- "$qb" "${run[@]}" --list --out "$tmp/never.json"
cp "$tmp/out" "$tmp/list"
[ -s "$tmp/list" ] || fail "--list printed nothing"
[ ! -e "$tmp/never.json" ] || fail "--list wrote a file"
# --threads 1..all: every thread count from 1 to every core (here 1 and all at least).
expect 0 "--threads all --list" -- "$qb" "${run[@]}" --list --threads all
all=$(sed -n 's|.*/threads:\([0-9]*\)/.*|\1|p' "$tmp/out" | sort -u)
expect 0 "--threads 1..all --list" -- "$qb" "${run[@]}" --list --threads 1..all
grep -q "/threads:1/" "$tmp/out" || fail "--threads 1..all: no 1-thread case"
grep -q "/threads:$all/" "$tmp/out" || fail "--threads 1..all: no case on every core ($all)"
# Under a CPU affinity of one CPU (taskset), `all` is that one core, and the run's threads
# stay on it (they were pinned to core 0 whatever the affinity).
if command -v taskset >/dev/null && [ "$(nproc --all)" -gt 1 ]; then
  last=$(($(nproc --all) - 1))
  if taskset -c "$last" true 2>/dev/null; then
    expect 0 "taskset: --threads all --list" -- taskset -c "$last" "$qb" "${run[@]}" --list --threads all
    grep -q "/threads:1/" "$tmp/out" && ! grep -v "/threads:1/" "$tmp/out" | grep -q "/threads:" ||
      fail "taskset -c $last: threads = all is not 1"
    taskset -c "$last" "$qb" info --json >"$tmp/info.json" 2>/dev/null
    grep -q '"cores_usable": 1' "$tmp/info.json" || fail "taskset -c $last: info does not say 1 usable core"
    taskset -c "$last" bash -c '"$@" >/dev/null 2>&1 & p=$!; sleep 1;
      for t in /proc/$p/task/*; do sed -n "s/^Cpus_allowed_list:\t//p" $t/status; done; wait $p' _ \
      "$qb" "${run[@]}" --no-roofs --out "$tmp/aff.json" --filter '^f32_f16_cvt/scalar_u1/cpu/n:1000/' \
      --min-time 1 --repetitions 2 >"$tmp/aff" 2>&1
    [ -s "$tmp/aff" ] && ! grep -vqx "$last" "$tmp/aff" || fail "taskset -c $last: a thread ran outside it: $(tr '\n' ' ' <"$tmp/aff")"
  fi
fi
grep -q '^f32_qs8_quant/scalar_u1/cpu/n:1000/threads:1/dist:normal/round:tflite$' "$tmp/list" ||
  fail "--list lacks the tflite case of f32_qs8_quant: $(head -3 "$tmp/list")"
grep -q '^f32_f16_cvt/scalar_u1/cpu/n:1000/threads:1/dist:normal$' "$tmp/list" ||
  fail "--list lacks the f32_f16_cvt reference case"

# 2. The run: exit 0, JSON and CSV, a row for every planned case, right statuses.
expect 0 "tiny run" -- "$qb" "${run[@]}" --out "$tmp/r.json"
[ -s "$tmp/r.json" ] || fail "no results file"
[ -s "$tmp/r.csv" ] || fail "no CSV beside the results file"
python3 - "$tmp/r.json" "$tmp/list" "$qb" <<'PY' || fails=$((fails + 1))
import json, subprocess, sys
doc = json.load(open(sys.argv[1]))
planned = [l.strip() for l in open(sys.argv[2]) if l.strip()]
rows = doc["benchmarks"]
bad = []
names = {r["run_name"] for r in rows}
if names != set(planned):
    bad.append("rows %d names vs %d planned; missing %s" % (len(names), len(planned), sorted(set(planned) - names)[:3]))
# Which variants this CPU can run, and their semantics, from `qbench list`.
usable = set()
sem = {}
for line in subprocess.run([sys.argv[3], "list"], capture_output=True, text=True).stdout.splitlines()[1:]:
    f = line.split()
    if len(f) >= 7 and f[-1] in ("picked", "available"):
        usable.add(f[1])
        if f[2] == "cpu":
            sem[f[1]] = f[5]
for r in rows:
    want = "ok" if r["kernel"] in usable else "skipped"
    if r["status"] != want:
        bad.append("%s: status %s, expected %s (%s)" % (r["name"], r["status"], want, r["reason"]))
    if r["status"] == "skipped" and not r["reason"]:
        bad.append("%s: skipped without a reason" % r["name"])
    if r["status"] == "ok":
        # A spread (stddev, cv) of two repetitions that timed alike is 0; every other
        # ok row has a throughput.
        spread = r.get("aggregate_name") in ("stddev", "cv")
        if r["error"]["mismatches"] != 0 or r["bytes_per_second"] < 0 or (r["bytes_per_second"] == 0 and not spread) or r["iterations"] <= 0:
            bad.append("%s: ok row without figures or with mismatches" % r["name"])
        # The semantics the mismatches were judged by, and a reassoc dot's bound.
        e = r["error"]
        if e.get("semantics") != sem.get(r["kernel"]):
            bad.append("%s: error.semantics %r, qbench list says %r" % (r["name"], e.get("semantics"), sem.get(r["kernel"])))
        reassoc = "reassoc" in e.get("semantics", "").split(",")
        if reassoc != ("bound" in e) or (reassoc and not e["bound"] > 0):
            bad.append("%s: semantics %r with bound %r" % (r["name"], e.get("semantics"), e.get("bound")))
        if r["round" "ing"] == "none" and r["family"] == "f32_qs8_quant":
            bad.append("%s: quantize row without a rounding mode" % r["name"])
# Two repetitions: two iteration rows and the four aggregates per ok case.
ok_cases = {r["run_name"] for r in rows if r["status"] == "ok"}
for c in ok_cases:
    kinds = sorted(r.get("aggregate_name", "rep") for r in rows if r["run_name"] == c)
    if kinds != ["cv", "mean", "median", "rep", "rep", "stddev"]:
        bad.append("%s: runs %s" % (c, kinds))
q = doc["context"]["qbench"]
if q["incomplete"] or q["suite"] != "tiny" or not q["topology"]["caches_overridden"]:
    bad.append("context: incomplete=%s suite=%s overridden=%s" % (q["incomplete"], q["suite"], q["topology"]["caches_overridden"]))
roofs = {(x["name"], x["size_class"], x["threads"]) for x in q["roofs"] if x["status"] == "ok"}
for want in [("copy", c, 1) for c in ("L1", "L2", "L3", "DRAM")] + [("read", "L1", 1), ("write", "DRAM", 1)]:
    if want not in roofs:
        bad.append("roof %s missing" % (want,))
if not any("roof_fraction" in r for r in rows if r["status"] == "ok"):
    bad.append("no ok row has a roof_fraction")
# How each CPU bandwidth roof was obtained: its ways, the fastest of them, its trials;
# the roofs rows are held to are timed again at the end of the run (two trials or more).
held = {(r["roof_name"], r["size_class"], r["threads"]) for r in rows if "roof_name" in r}
if not held:
    bad.append("no row names the roof it is held to")
for x in q["roofs"]:
    if x["status"] != "ok" or "device" in x or "bytes_per_second" not in x:
        continue
    if x.get("method") not in x.get("ways", {}) or x.get("trials", 0) < 1 or "best_of" not in x:
        bad.append("roof %s/%s/%s: no method, ways or trials" % (x["name"], x["size_class"], x["threads"]))
    elif abs(max(v for v in x["ways"].values() if v) - x["bytes_per_second"]) > 1e-6 * x["bytes_per_second"]:
        bad.append("roof %s/%s: not the fastest of its ways" % (x["name"], x["size_class"]))
    # Untimed warm-up calls only where several threads move 4 MiB or more.
    warm = x.get("warm_up_s")
    if warm is None or (warm > 0) != (x["threads"] > 1 and x["bytes"] >= 4 << 20):
        bad.append("roof %s/%s/%s: warm_up_s %s" % (x["name"], x["size_class"], x["threads"], warm))
    # Copies of the buffers only beyond the L1d as detected and where the many short
    # repetitions go round them.
    places = x.get("placements")
    l1d = q["topology"]["l1d"] or q["topology"]["l1d_used"]
    if places != (3 if l1d < x["bytes"] < 4 << 20 else 1):
        bad.append("roof %s/%s/%s: placements %s" % (x["name"], x["size_class"], x["threads"], places))
    if x["name"] == "read" and not {"sum", "sum-8", "sum-2"} <= set(x.get("ways", {})):
        bad.append("roof read/%s/%s: ways %s lack sum, sum-8 or sum-2" % (x["size_class"], x["threads"], sorted(x.get("ways", {}))))
    # Each trial's fastest way, in order: the roof is the fastest of them.
    each = x.get("trial_bytes_per_second", [])
    if len(each) != min(x["trials"], 16) or abs(max(each, default=0) - x["bytes_per_second"]) > 1e-6 * x["bytes_per_second"]:
        bad.append("roof %s/%s/%s: trial_bytes_per_second %s against %s trials" % (x["name"], x["size_class"], x["threads"], each, x["trials"]))
    if (x["name"], x["size_class"], x["threads"]) in held and x["trials"] < 2:
        bad.append("roof %s/%s/%s: held a row but timed once" % (x["name"], x["size_class"], x["threads"]))
for b in bad[:10]:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# 2b. Consecutive cases of one family, size, distribution and rounding share their data
#     (host/run/prepared.h): a variant that ran on the data the variants before it had
#     used has the figures it has when it runs alone, on data made afresh.
cat >"$tmp/shared.suite" <<'SUITE'
families = f32_f16_cvt, f32_qs8_quantc, s8_dot
sizes = 4096
distributions = laplace
backends = cpu
threads = 1
rounding = tflite
repetitions = 1
min_time = 0.001
SUITE
shared=(run --suite "$tmp/shared.suite" --caches "$caches" --quiet --no-roofs --format json)
expect 0 "shared data: the whole run" -- "$qb" "${shared[@]}" --out "$tmp/s.json"
expect 0 "shared data: --list" -- "$qb" "${shared[@]}" --list
# The second and the last case of each family: both ran on data made for the first.
for c in $(awk -F/ '{ n[$1]++; if (n[$1] == 2) print; last[$1] = $0 } END { for (f in last) if (n[f] > 2) print last[f] }' "$tmp/out"); do
  re=$(printf '%s' "$c" | sed 's/[.[\*^$+?(){}|]/\\&/g')
  expect 0 "shared data: $c alone" -- "$qb" "${shared[@]}" --filter "^$re\$" --out "$tmp/alone.json" --force
  python3 - "$tmp/s.json" "$tmp/alone.json" "$c" <<'PY' || fails=$((fails + 1))
import json, sys
pick = lambda p: [r for r in json.load(open(p))["benchmarks"] if r["run_name"] == sys.argv[3]]
whole, alone = pick(sys.argv[1]), pick(sys.argv[2])
fields = ("status", "reason", "error", "memory", "n")
if not whole or not alone or [[r.get(f) for f in fields] for r in whole] != [[r.get(f) for f in fields] for r in alone]:
    print("FAIL: %s: shared data gave %s, alone %s" % (sys.argv[3], [r.get("error") for r in whole][:1],
                                                       [r.get("error") for r in alone][:1]))
    sys.exit(1)
PY
done

# 3. An existing file without --force: exit 2, the file unchanged.
sum=$(cksum <"$tmp/r.json")
expect 2 "existing output without --force" -- "$qb" "${run[@]}" --out "$tmp/r.json"
[ "$(cksum <"$tmp/r.json")" = "$sum" ] || fail "the existing file changed without --force"
grep -q -- "--force" "$tmp/err" || fail "the refusal does not mention --force: $(cat "$tmp/err")"

# 4. Bad usage or input: exit 2 and no file.
for bad in "--repetitions 0" "--format xml" "--threads 0" "--filter (" "--min-time -1" "--backend gpu" \
  "--caches L9=1M" "--suite $tmp/missing.suite" "--seed x" "--case-timeout 0" "--bogus" "extra" \
  "--out $tmp/nodir/x.json"; do
  # shellcheck disable=SC2086
  expect 2 "bad input '$bad'" -- "$qb" run --suite "$tmp/tiny.suite" --quiet --out "$tmp/bad.json" $bad
  [ ! -e "$tmp/bad.json" ] || fail "bad input '$bad' created a file"
  rm -f "$tmp/bad.json"
done

# 5. Errors do not stop the run: every timed case times out; all rows are still
#    there, as errors with the reason, and the exit code is 1.
expect 1 "cases that time out" -- "$qb" "${run[@]}" --no-roofs --case-timeout 0.000001 --out "$tmp/t.json"
python3 - "$tmp/t.json" "$tmp/list" <<'PY' || fails=$((fails + 1))
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
planned = {l.strip() for l in open(sys.argv[2]) if l.strip()}
errs = [r for r in rows if r["status"] == "error"]
ok = {r["run_name"] for r in rows} == planned and errs and all("timed out" in r["reason"] for r in errs) \
     and all(r["status"] != "ok" for r in rows)
if not ok:
    print("FAIL: timeout rows:", [(r["name"], r["status"], r["reason"]) for r in rows][:4])
sys.exit(0 if ok else 1)
PY

# 6. SIGINT: the case under way finishes, the rows so far are written, incomplete, exit 1.
cat >"$tmp/long.suite" <<'SUITE'
families = *
sizes = 4096
backends = cpu
repetitions = 3
min_time = 0.05
SUITE
"$qb" run --suite "$tmp/long.suite" --no-roofs --quiet --out "$tmp/i.json" >/dev/null 2>"$tmp/err" &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid"
got=$?
[ "$got" = 1 ] || fail "interrupted run: exit $got, expected 1; stderr: $(head -c 300 "$tmp/err")"
python3 - "$tmp/i.json" <<'PY' || fails=$((fails + 1))
import json, sys
doc = json.load(open(sys.argv[1]))
ok = doc["context"]["qbench"]["incomplete"] is True and len(doc["benchmarks"]) > 0
if not ok:
    print("FAIL: interrupted file: incomplete=%s rows=%d" % (doc["context"]["qbench"]["incomplete"], len(doc["benchmarks"])))
sys.exit(0 if ok else 1)
PY

[ "$fails" = 0 ] && echo "run.sh: all passed"
exit $((fails > 0))
