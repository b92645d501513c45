#!/usr/bin/env bash
# Fault injection around `qbench run`: nothing a fault does may lose a result.
# usage: faults.sh MODE QBENCH [CLFAULT_SO]
#   opencl  device faults through the LD_PRELOAD shim tests/faults/clfault.c: a program
#           that does not build, a device gone, a failed allocation, a kernel slower than
#           --case-timeout: each an error row with its reason, every other case still
#           run, exit code 1; no platform at all: CPU cases run, exit 0. 77 without a
#           device.
#   signal  SIGTERM mid-run: exit 1, the finished rows kept in a file marked incomplete,
#           which `qbench compare` reads against a complete run.
#   disk    a full disk and a read-only results folder (a tmpfs in a private mount
#           namespace; 77 when none can be made): exit 2, one line, the earlier file
#           untouched, no half-written or temporary file left; a disk that fills
#           midway: exit 1, the journal kept and named, recover writes it; a device
#           node as --out.
#   sigwrite  SIGINT/SIGTERM/SIGHUP raised during the final write (the LD_PRELOAD shim
#           tests/faults/sigwrite.c): exit 0, the files whole, no temp file left.
#   oom     a size beyond the address space (ulimit -v): an error row saying so, before
#           anything of that case is timed; the other cases run. 77 under ASan.
set -u
mode=$1
qb=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
shim=${3:-}
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# rows FILE LIST PY-CONDITION: every planned case (LIST) has a row, and each row
# satisfies the condition (python, on r).
rows() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
planned = {l.strip() for l in open(sys.argv[2]) if l.strip()}
rows = [r for r in doc["benchmarks"] if r.get("run_type") != "aggregate"]
bad = []
if {r["run_name"] for r in rows} != planned:
    bad.append("rows differ from the plan: missing %s" % sorted(planned - {r["run_name"] for r in rows})[:3])
for r in rows:
    if not eval(sys.argv[3], {}, {"r": r}):
        bad.append("%s: %s (%s)" % (r["name"], r["status"], r["reason"][:120]))
for b in bad[:6]:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
}

cat >"$tmp/cpu.suite" <<'SUITE'
families = f32_f16_cvt, f32_qs8_quant
sizes = 4096
repetitions = 1
min_time = 0.001
SUITE
caches=L1=16K,L2=64K,L3=256K

case "$mode" in
opencl)
  [ -n "$shim" ] && [ -f "$shim" ] || { echo "no fault shim built (no OpenCL): skipped"; exit 77; }
  # The shim is not instrumented; an ASan qbench must accept it ahead of its runtime.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
  cat >"$tmp/ocl.suite" <<'SUITE'
families = f32_f16_cvt
kernels = *__scalar_u1, *__ocl*
sizes = 1M
backends = cpu, opencl
repetitions = 1
min_time = 0.001
SUITE
  "$qb" run --suite "$tmp/ocl.suite" --backend cpu,opencl --list >"$tmp/list" 2>"$tmp/err" ||
    { echo "no OpenCL device: skipped ($(cat "$tmp/err"))"; exit 77; }
  grep -q opencl "$tmp/list" || { echo "no OpenCL case planned: skipped"; exit 77; }
  cpu_ok='r["status"] == "ok" if r["backend"] == "cpu" else '
  # fault, expected exit, condition on the OpenCL rows
  while IFS='|' read -r fault want cond; do
    rm -f "$tmp"/f.*
    env QB_FAULT="$fault" QB_FAULT_ALLOC_LIMIT=1048576 QB_FAULT_SLOW_MS=300 LD_PRELOAD="$shim" \
      "$qb" run --suite "$tmp/ocl.suite" --no-roofs --quiet --case-timeout 5 --out "$tmp/f.json" >/dev/null 2>"$tmp/err"
    got=$?
    [ "$got" = "$want" ] || fail "$fault: exit $got, expected $want; stderr: $(head -c 300 "$tmp/err")"
    if [ -s "$tmp/f.json" ]; then
      rows "$tmp/f.json" "$tmp/list" "$cpu_ok$cond" || fail "$fault: rows"
    else
      fail "$fault: no results file"
    fi
  done <<'FAULTS'
build|1|r["status"] == "error" and "CL_BUILD_PROGRAM_FAILURE" in r["reason"]
lost|1|r["status"] == "error" and "CL_DEVICE_NOT_AVAILABLE" in r["reason"]
alloc|1|r["status"] == "error" and ("CL_MEM_OBJECT_ALLOCATION_FAILURE" in r["reason"] or "cannot allocate" in r["reason"])
FAULTS
  # A device whose copy roof cannot allocate: the roof is in the file with its status
  # and reason, and without a figure (never 0.0 B/s).
  rm -f "$tmp"/f.*
  QB_FAULT=alloc QB_FAULT_ALLOC_LIMIT=1048576 LD_PRELOAD="$shim" "$qb" run --suite "$tmp/ocl.suite" --filter '/ocl' \
    --quiet --case-timeout 5 --out "$tmp/f.json" >/dev/null 2>"$tmp/err"
  python3 - "$tmp/f.json" <<'PY' || fail "alloc: a failed device roof: $(head -c 300 "$tmp/err")"
import json, sys
roofs = [r for r in json.load(open(sys.argv[1]))["context"]["qbench"]["roofs"] if r.get("backend") == "opencl"]
failed = [r for r in roofs if r["status"] != "ok"]
bad = [r for r in failed if "bytes_per_second" in r or not r.get("reason")]
print("device roofs: %d, failed: %d, failed with a figure or no reason: %d" % (len(roofs), len(failed), len(bad)))
sys.exit(0 if failed and not bad else 1)
PY
  # A slow kernel: --case-timeout below one call makes each kernel case a timeout row.
  rm -f "$tmp"/f.*
  QB_FAULT=slow QB_FAULT_SLOW_MS=300 LD_PRELOAD="$shim" "$qb" run --suite "$tmp/ocl.suite" --filter '/ocl' \
    --no-roofs --quiet --case-timeout 0.2 --out "$tmp/f.json" >/dev/null 2>"$tmp/err"
  got=$?
  [ "$got" = 1 ] || fail "slow: exit $got, expected 1; stderr: $(head -c 300 "$tmp/err")"
  grep '/ocl' "$tmp/list" >"$tmp/list.ocl"
  rows "$tmp/f.json" "$tmp/list.ocl" '"timed out" in r["reason"] and r["status"] == "error"' || fail "slow: rows"
  # No platform at all: the suite's wish for OpenCL is dropped with a note, CPU runs.
  rm -f "$tmp"/f.*
  QB_FAULT=noplatform LD_PRELOAD="$shim" "$qb" run --suite "$tmp/ocl.suite" --no-roofs --quiet \
    --out "$tmp/f.json" >/dev/null 2>"$tmp/err"
  got=$?
  [ "$got" = 0 ] || fail "noplatform: exit $got, expected 0"
  grep -q "opencl backend not used" "$tmp/err" || fail "noplatform: no note: $(cat "$tmp/err")"
  grep -v opencl "$tmp/list" >"$tmp/list.cpu"
  rows "$tmp/f.json" "$tmp/list.cpu" 'r["status"] == "ok"' || fail "noplatform: rows"
  QB_FAULT=noplatform LD_PRELOAD="$shim" "$qb" run --suite "$tmp/ocl.suite" --backend opencl --quiet \
    --out "$tmp/g.json" >/dev/null 2>"$tmp/err"
  got=$?
  [ "$got" = 2 ] && [ ! -e "$tmp/g.json" ] || fail "noplatform --backend opencl: exit $got, expected 2 and no file"
  ;;

signal)
  cat >"$tmp/long.suite" <<'SUITE'
families = *
sizes = 4096
repetitions = 3
min_time = 0.05
SUITE
  "$qb" run --suite "$tmp/long.suite" --list >"$tmp/list"
  "$qb" run --suite "$tmp/long.suite" --no-roofs --quiet --out "$tmp/p.json" >/dev/null 2>"$tmp/err" &
  pid=$!
  sleep 2
  kill -TERM "$pid"
  wait "$pid"
  got=$?
  [ "$got" = 1 ] || fail "SIGTERM: exit $got, expected 1; stderr: $(head -c 300 "$tmp/err")"
  [ -s "$tmp/p.csv" ] || fail "SIGTERM: no CSV beside the partial file"
  python3 - "$tmp/p.json" "$tmp/list" <<'PY' || fails=$((fails + 1))
import json, sys
doc = json.load(open(sys.argv[1]))
planned = [l.strip() for l in open(sys.argv[2]) if l.strip()]
names = {r["run_name"] for r in doc["benchmarks"]}
ok = doc["context"]["qbench"]["incomplete"] is True and 0 < len(names) < len(planned) and names <= set(planned)
# Every case in the file is whole: a finished row per repetition, or one skipped/error row.
for n in names:
    rs = [r for r in doc["benchmarks"] if r["run_name"] == n]
    if rs[0]["status"] == "ok" and len([r for r in rs if r.get("run_type") != "aggregate"]) != 3:
        ok = False
        print("FAIL: case %s is cut short: %d rows" % (n, len(rs)))
if not ok:
    print("FAIL: partial file: incomplete=%s, %d of %d cases" % (doc["context"]["qbench"]["incomplete"], len(names), len(planned)))
sys.exit(0 if ok else 1)
PY
  # The partial file compares against a complete run of the same suite (the cases it
  # lacks are listed as missing, not an error).
  "$qb" run --suite "$tmp/long.suite" --no-roofs --quiet --min-time 0.001 --repetitions 1 \
    --out "$tmp/full.json" >/dev/null 2>&1
  "$qb" compare "$tmp/full.json" "$tmp/p.json" >"$tmp/cmp" 2>"$tmp/err"
  got=$?
  { [ "$got" = 0 ] || [ "$got" = 1 ]; } || fail "compare with the partial file: exit $got; $(head -c 300 "$tmp/err")"
  ;;

disk)
  if [ "$(id -u)" = 0 ]; then ns=(unshare -m); else ns=(unshare -rm); fi
  "${ns[@]}" true 2>/dev/null || { echo "no private mount namespace here: skipped"; exit 77; }
  # Inside the namespace: a 256 KiB tmpfs with an earlier results file, then filled.
  "${ns[@]}" bash -s "$qb" "$tmp" "$caches" <<'INNER' || fails=$((fails + 1))
set -u
qb=$1; tmp=$2; caches=$3; bad=0
m="$tmp/mnt"
mkdir -p "$m"
mount -t tmpfs -o size=256k tmpfs "$m" || { echo "FAIL: cannot mount a tmpfs"; exit 1; }
echo '{"context": {}, "benchmarks": []}' >"$m/earlier.json"
sum=$(cksum <"$m/earlier.json")
head -c 1M /dev/zero >"$m/filler" 2>/dev/null
listing() { ls -A "$m" | grep -v '^filler$'; }
before=$(listing)
# 1. Full: the run completes, the write fails, nothing is left behind.
"$qb" run --suite "$tmp/cpu.suite" --caches "$caches" --no-roofs --quiet --out "$m/r.json" >/dev/null 2>"$tmp/err"
got=$?
[ "$got" = 2 ] || { echo "FAIL: full disk: exit $got, expected 2"; bad=1; }
[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "r.json" "$tmp/err" || { echo "FAIL: full disk: stderr: $(cat "$tmp/err")"; bad=1; }
[ "$(listing)" = "$before" ] || { echo "FAIL: full disk left files: $(listing | tr '\n' ' ')"; bad=1; }
[ "$(cksum <"$m/earlier.json")" = "$sum" ] || { echo "FAIL: full disk changed the earlier file"; bad=1; }
echo "full disk: $(cat "$tmp/err")"
# 1b. Full midway: the journal takes what fits, the final write fails: exit 1 (the
# work ran), the journal kept and named, the earlier file untouched, no temp file;
# recover then writes every case the journal holds.
truncate -s -24K "$m/filler"
"$qb" run --suite "$tmp/cpu.suite" --caches "$caches" --no-roofs --quiet --out "$m/r.json" >/dev/null 2>"$tmp/err"
got=$?
[ "$got" = 1 ] || { echo "FAIL: full midway: exit $got, expected 1; $(cat "$tmp/err")"; bad=1; }
grep -q "r.json.journal" "$tmp/err" || { echo "FAIL: full midway: the journal is not named: $(cat "$tmp/err")"; bad=1; }
[ "$(listing)" = "$(printf '%s\nr.json.journal' "$before")" ] || { echo "FAIL: full midway left: $(listing | tr '\n' ' ')"; bad=1; }
[ "$(cksum <"$m/earlier.json")" = "$sum" ] || { echo "FAIL: full midway changed the earlier file"; bad=1; }
"$qb" recover "$m/r.json.journal" --out "$tmp/rec.json" >/dev/null 2>"$tmp/err.rec"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["benchmarks"] and d["context"]["qbench"]["recovered"] else 1)' "$tmp/rec.json" ||
  { echo "FAIL: full midway: recover: $(cat "$tmp/err.rec")"; bad=1; }
echo "full midway: $(head -c 300 "$tmp/err" | tr '\n' ' ')"
rm -f "$m/r.json.journal"
# 2. Read-only: refused before any work.
rm -f "$m/filler"
mount -o remount,ro "$m" || { echo "FAIL: cannot remount read-only"; exit 1; }
start=$(date +%s%N)
"$qb" run --suite "$tmp/cpu.suite" --caches "$caches" --quiet --out "$m/r.json" >/dev/null 2>"$tmp/err"
got=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ "$got" = 2 ] || { echo "FAIL: read-only: exit $got, expected 2"; bad=1; }
grep -q "not writable" "$tmp/err" || { echo "FAIL: read-only: stderr: $(cat "$tmp/err")"; bad=1; }
[ "$ms" -lt 5000 ] || { echo "FAIL: read-only: refused after $ms ms (work was done first?)"; bad=1; }
[ "$(cksum <"$m/earlier.json")" = "$sum" ] || { echo "FAIL: read-only changed the earlier file"; bad=1; }
echo "read-only: $(cat "$tmp/err")"
# 3. A device node as --out, even with --force: refused, the node left alone.
mount -o remount,rw "$m"
mknod "$m/full" c 1 7 2>/dev/null || mkfifo "$m/full"
"$qb" run --suite "$tmp/cpu.suite" --quiet --force --out "$m/full" >/dev/null 2>"$tmp/err"
got=$?
[ "$got" = 2 ] && { [ -c "$m/full" ] || [ -p "$m/full" ]; } || { echo "FAIL: --out node --force: exit $got; $(cat "$tmp/err")"; bad=1; }
umount "$m"
exit $bad
INNER
  ;;

sigwrite)
  # SIGINT, SIGTERM, SIGHUP raised while the final write fsyncs its temp file: the
  # handlers are still in place, so the write finishes whole, the temp file goes, and
  # the complete run exits 0 with its journal removed.
  [ -n "$shim" ] && [ -f "$shim" ] || { echo "no sigwrite shim built: skipped"; exit 77; }
  export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
  for sig in INT TERM HUP; do
    rm -rf "$tmp/w"
    mkdir "$tmp/w"
    QB_SIGWRITE=$sig LD_PRELOAD="$shim" "$qb" run --suite "$tmp/cpu.suite" --caches "$caches" --no-roofs --quiet \
      --out "$tmp/w/w.json" >/dev/null 2>"$tmp/err"
    got=$?
    [ "$got" = 0 ] || fail "SIG$sig in the final write: exit $got, expected 0; $(head -c 300 "$tmp/err")"
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/w/w.json" 2>/dev/null ||
      fail "SIG$sig in the final write: no whole JSON"
    [ -s "$tmp/w/w.csv" ] || fail "SIG$sig in the final write: no CSV"
    [ "$(ls -A "$tmp/w" | tr '\n' ' ')" = "w.csv w.json " ] || fail "SIG$sig in the final write left: $(ls -A "$tmp/w")"
  done
  ;;
oom)
  if ldd "$qb" 2>/dev/null | grep -q libasan || nm "$qb" 2>/dev/null | grep -q __asan_init; then
    echo "ASan reserves terabytes of address space: ulimit -v cannot apply; skipped"
    exit 77
  fi
  cat >"$tmp/oom.suite" <<'SUITE'
families = f32_f64_cvt
kernels = f32_f64_cvt__scalar_u1
sizes = 4096, 1G
repetitions = 1
min_time = 0.001
SUITE
  "$qb" run --suite "$tmp/oom.suite" --list >"$tmp/list"
  (ulimit -v 3000000 && "$qb" run --suite "$tmp/oom.suite" --no-roofs --quiet --out "$tmp/o.json" >/dev/null 2>"$tmp/err")
  got=$?
  [ "$got" = 1 ] || fail "oom: exit $got, expected 1; $(head -c 300 "$tmp/err")"
  rows "$tmp/o.json" "$tmp/list" \
    '(r["status"] == "ok") if r["n"] == 4096 else (r["status"] == "error" and "no memory" in r["reason"] and r["iterations"] == 0)' ||
    fail "oom: rows"
  ;;
*)
  echo "usage: faults.sh opencl|signal|disk|oom|sigwrite QBENCH [SHIM_SO]" >&2
  exit 2
  ;;
esac
[ "$fails" = 0 ] && echo "faults $mode: all passed"
exit $((fails > 0))
