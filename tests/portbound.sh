#!/usr/bin/env bash
# ci/portbound on a small results file of this build: a few x86 cast and dot families,
# their SIMD variants, one short repetition at L1 (no roofs). Checks the table's shape,
# that every row resolved to a loop of the variant's tile (N = the uN of its name) with
# figures that are numbers, by the innermost-loop rule; then (with gdb) that AVX2 block
# quantizers resolve, at least one through the counted path; and the exit codes of bad
# usage. No timing is judged: the figures of a 10 ms run on a busy machine are not a
# verdict on anything.
# Skipped (77) without llvm-mca or llvm-objdump.
# usage: portbound.sh QBENCH BUILD_DIR PORTBOUND
set -u
qb=$1 build=$2 pb=$3
command -v llvm-mca >/dev/null || command -v llvm-mca-14 >/dev/null || {
  echo "SKIP: no llvm-mca (apt-get install llvm)"
  exit 77
}
command -v llvm-objdump >/dev/null || command -v llvm-objdump-14 >/dev/null || {
  echo "SKIP: no llvm-objdump (apt-get install llvm)"
  exit 77
}
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Variants whose main loop is one straight body on every x86 compiler we build with;
# those this CPU lacks are simply not planned.
cat >"$tmp/pb.suite" <<'SUITE'
families = f32_f16_cvt, f16_f32_cvt, f32_dot
kernels = *__f16c_*, *__avx2_*, *__avx512skx_*
sizes = L1
repetitions = 1
min_time = 0.01
SUITE
if ! "$qb" run --suite "$tmp/pb.suite" --backend cpu --no-roofs --quiet --out "$tmp/r.json" \
  >"$tmp/run.log" 2>&1; then
  cat "$tmp/run.log"
  echo "FAIL: qbench run"
  exit 1
fi
rows=$(python3 -c 'import json,sys; print(sum(1 for b in json.load(open(sys.argv[1]))["benchmarks"] if b["status"] == "ok"))' "$tmp/r.json")
if [ "$rows" -eq 0 ]; then
  echo "SKIP: this CPU runs none of the suite's SIMD variants"
  exit 77
fi

# --no-sample: the loops are resolved by their code alone (perf may be missing or
# refused here); the clock is measured (the add chain), as by default.
"$pb" --no-sample "$build" "$tmp/r.json" >"$tmp/pb.tsv" 2>"$tmp/pb.err"
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/pb.err" "$tmp/pb.tsv"; fail "portbound exit $rc (a row did not resolve)"; }
grep -q '^ci/portbound: clock [0-9.]* GHz (measured' "$tmp/pb.err" || fail "no measured clock on stderr"
python3 - "$tmp/pb.tsv" "$rows" <<'PY' || fails=$((fails + 1))
import re, sys
lines = open(sys.argv[1]).read().splitlines()
want = ["row", "N", "bound_cpe", "measured_cpe", "measured/bound", "binds", "roof_fraction",
        "bound_roof_fraction", "loop_share", "loop", "note", "method"]
bad = []
if not lines or lines[0].split("\t") != want:
    bad.append(f"header {lines[:1]}")
body = lines[1:]
if len(body) != int(sys.argv[2]):
    bad.append(f"{len(body)} rows, the results have {sys.argv[2]} ok rows")
for l in body:
    c = l.split("\t")
    if len(c) != len(want):
        bad.append(f"{len(c)} fields: {l}")
        continue
    tile = re.search(r"_u(\d+)/cpu/", c[0])
    if not tile or c[1] != tile.group(1):
        bad.append(f"N {c[1]} is not the tile of {c[0]}")
    for i in (2, 3, 4):
        if not re.fullmatch(r"[0-9]+\.[0-9]+", c[i]) or float(c[i]) <= 0:
            bad.append(f"{want[i]} {c[i]!r} of {c[0]}")
    if not c[5] or c[5] == "-" or not re.search(r"\+0x[0-9a-f]+ \(\d+ insns\)$", c[9]):
        bad.append(f"no binding resource or loop: {l}")
    if c[6] != "-" or c[7] != "-":  # --no-roofs: no roof fraction to scale
        bad.append(f"roof fractions {c[6]} {c[7]} without roofs: {c[0]}")
    if c[11] != "innermost":  # these loops are innermost: the counted path is not needed
        bad.append(f"method {c[11]!r} of {c[0]}")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# The counted path (gdb): AVX2 block quantizers whose hot loop the innermost-loop rule
# does not take (an inner loop, or a pointer advanced through a copy). Every row must
# resolve, at least one through the counted path, to a pass of whole tiles. Skipped
# without an AVX2 CPU or a gdb that can run a program here (a container may refuse ptrace).
if gdb -q -batch -nx -ex run --args true 2>/dev/null | grep -q 'exited normally'; then
  cat >"$tmp/blk.suite" <<'SUITE'
families = f32_q4_0_quant, f32_qb8_quant, f32_qs4g128_quant
kernels = *__avx2_*
sizes = L1
repetitions = 1
min_time = 0.01
SUITE
  if ! "$qb" run --suite "$tmp/blk.suite" --backend cpu --no-roofs --quiet --out "$tmp/b.json" \
    >"$tmp/run.log" 2>&1; then
    cat "$tmp/run.log"
    fail "qbench run (block quantizers)"
  elif ! grep -q '"status": "ok"' "$tmp/b.json"; then
    echo "portbound: no AVX2 here: the counted path not checked"
  else
    "$pb" --no-sample "$build" "$tmp/b.json" >"$tmp/pbb.tsv" 2>"$tmp/pbb.err"
    rc=$?
    [ $rc -eq 0 ] || { cat "$tmp/pbb.err" "$tmp/pbb.tsv"; fail "portbound exit $rc on the block quantizers"; }
    python3 - "$tmp/pbb.tsv" <<'PY' || fails=$((fails + 1))
import re, sys
body = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()[1:]]
bad, counted = [], 0
for c in body:
    if c[11] != "counted":
        continue
    counted += 1
    tile = re.search(r"_u(\d+)/cpu/", c[0])
    if not tile or int(c[1]) % int(tile.group(1)):
        bad.append(f"N {c[1]} is not whole tiles of {c[0]}")
    if not re.search(r"\+0x[0-9a-f]+ \(\d+ insns, \d+ run per pass\)$", c[9]):
        bad.append(f"loop {c[9]!r} of {c[0]}")
    if not c[10].startswith("counted (gdb"):
        bad.append(f"note {c[10]!r} of {c[0]}")
    for i in (2, 3, 4):
        if not re.fullmatch(r"[0-9]+\.[0-9]+", c[i]) or float(c[i]) <= 0:
            bad.append(f"column {i} {c[i]!r} of {c[0]}")
if not counted:
    bad.append(f"none of {len(body)} block quantizer rows resolved through the counted path")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
  fi
else
  echo "portbound: gdb cannot run a program here: the counted path not checked"
fi

# Bad usage and bad input: exit 2, one line naming what is wrong.
usage_fails() { # EXPECTED-TEXT ARGS...: exit 2 and the one line names EXPECTED-TEXT
  local want=$1
  shift
  "$pb" "$@" >/dev/null 2>"$tmp/err"
  local rc=$?
  if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q -- "$want" "$tmp/err"; then
    fail "ci/portbound $*: exit $rc, $(cat "$tmp/err")"
  fi
}
usage_fails 'needs BUILD RESULTS.json'
usage_fails 'missing.json' --no-sample "$build" "$tmp/missing.json"
usage_fails '--clock-ghz -1' --clock-ghz -1 "$build" "$tmp/r.json"
usage_fails '--bogus' --bogus "$build" "$tmp/r.json"
"$pb" --help | grep -q 'usage: ci/portbound' || fail "--help"

[ $fails -eq 0 ] && echo "portbound: $rows rows resolved" || exit 1
