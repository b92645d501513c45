#!/usr/bin/env bash
# The CLI's basics: help, version, exit codes, one-line errors, data-only stdout.
# usage: basic.sh QBENCH
set -u
qb=$1
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect CODE DESCRIPTION -- COMMAND...: runs it, checks the exit code; stderr in $tmp/err.
expect() {
  local want=$1 what=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want; stderr: $(head -c 300 "$tmp/err")"
    fails=$((fails + 1))
  fi
}
# one_line_error PATTERN: stderr is exactly one line and matches.
one_line_error() {
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ "$lines" != 1 ] || ! grep -q -- "$1" "$tmp/err"; then
    echo "FAIL: expected one line on stderr matching '$1', got $lines: $(cat "$tmp/err")"
    fails=$((fails + 1))
  fi
}

expect 0 "--help" -- "$qb" --help
grep -q '^usage: qbench' "$tmp/out" || { echo "FAIL: --help prints usage on stdout"; fails=$((fails + 1)); }
expect 0 "--version" -- "$qb" --version
grep -Eq '^qbench [0-9]+\.[0-9]+\.[0-9]+ ' "$tmp/out" || { echo "FAIL: --version format"; fails=$((fails + 1)); }
expect 2 "no command" -- "$qb"
expect 2 "unknown command" -- "$qb" frobnicate
one_line_error "unknown command 'frobnicate'"
expect 2 "unknown global option" -- "$qb" --frob
one_line_error "unknown option '--frob'"
expect 2 "unknown list option" -- "$qb" list --frob
one_line_error "qbench list: unknown or incomplete option '--frob'"
expect 2 "unknown ISA cap" -- "$qb" --isa avx9000 list
one_line_error "ISA cap 'avx9000': unknown ISA"
expect 2 "bad QBENCH_MAX_ISA" -- env QBENCH_MAX_ISA=nope "$qb" list
one_line_error "QBENCH_MAX_ISA: ISA cap 'nope'"
expect 2 "unknown family" -- "$qb" list --family f99_dot
one_line_error "unknown family"
expect 2 "bad --value" -- "$qb" dtypes --value 1/0
one_line_error "not a finite number"
expect 0 "info" -- "$qb" info
grep -q '^cpu:' "$tmp/out" || { echo "FAIL: info shows the CPU"; fails=$((fails + 1)); }
[ -s "$tmp/err" ] && { echo "FAIL: info wrote to stderr: $(cat "$tmp/err")"; fails=$((fails + 1)); }
expect 0 "list under scalar cap" -- "$qb" --isa scalar list
if grep -v '^family' "$tmp/out" | awk '$4 != "scalar" && $NF == "picked"' | grep -q .; then
  echo "FAIL: under --isa scalar only scalar variants may be picked"
  fails=$((fails + 1))
fi
expect 0 "dtypes" -- "$qb" dtypes
grep -Eq '^f32 +float +32 +4 +-3.40282e\+38 +3.40282e\+38 +1.19209e-07' "$tmp/out" || {
  echo "FAIL: dtypes f32 row"; fails=$((fails + 1)); }
grep -Eq '^f8e4m3 .* 448 ' "$tmp/out" || { echo "FAIL: dtypes e4m3 max 448"; fails=$((fails + 1)); }
expect 0 "dtypes --value" -- "$qb" dtypes --value 1/3
grep -q '^f32 *0.333333343267440795898437500' "$tmp/out" || { echo "FAIL: f32 1/3"; fails=$((fails + 1)); }
grep -q '^f16 *0.333251953125000' "$tmp/out" || { echo "FAIL: f16 1/3"; fails=$((fails + 1)); }
grep -q '^bf16 *0.333984375000' "$tmp/out" || { echo "FAIL: bf16 1/3"; fails=$((fails + 1)); }

# One output convention: --json (= --format json) is JSON and nothing else on stdout;
# --format csv has the table's columns; list's columns line up whatever the device names.
for cmd in "info --json" "list --json" "list --format json" "dtypes --json" "dtypes --value 0.1 --json"; do
  # shellcheck disable=SC2086
  expect 0 "$cmd" -- "$qb" $cmd
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null ||
    { echo "FAIL: $cmd: stdout is not JSON: $(head -c 200 "$tmp/out")"; fails=$((fails + 1)); }
done
expect 0 "list --format csv" -- "$qb" list --format csv
head -1 "$tmp/out" | grep -qx 'family,kernel,backend,isa,tile,semantics,dtypes,status' ||
  { echo "FAIL: list csv header: $(head -1 "$tmp/out")"; fails=$((fails + 1)); }
expect 2 "list --format xml" -- "$qb" list --format xml
one_line_error "expected table, json, csv or md"

# --out FILE|- the same on every command that writes data: the file is exactly the
# name given (its extension picks the format), an existing one is refused (2, kept)
# without --force, '-' is stdout and nothing else; a failed command writes nothing.
for cmd in "list" "dtypes" "info" "memory --shape 4x4" "semantics --family f32_f16_cvt"; do
  # shellcheck disable=SC2086
  expect 0 "$cmd --out -" -- "$qb" $cmd --out - --json
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null ||
    { echo "FAIL: $cmd --out - --json: stdout is not JSON: $(head -c 200 "$tmp/out")"; fails=$((fails + 1)); }
  rm -f "$tmp/o.json"
  # shellcheck disable=SC2086
  expect 0 "$cmd --out FILE" -- "$qb" $cmd --out "$tmp/o.json"
  [ -s "$tmp/out" ] && { echo "FAIL: $cmd --out FILE also wrote stdout"; fails=$((fails + 1)); }
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/o.json" 2>/dev/null ||
    { echo "FAIL: $cmd --out x.json: not JSON"; fails=$((fails + 1)); }
  ls "$tmp"/o.json.* "$tmp"/.o.json* >/dev/null 2>&1 && { echo "FAIL: $cmd left other files"; fails=$((fails + 1)); }
  echo keep >"$tmp/o.json"
  # shellcheck disable=SC2086
  expect 2 "$cmd --out existing" -- "$qb" $cmd --out "$tmp/o.json"
  one_line_error "exists (use --force to overwrite)"
  [ "$(cat "$tmp/o.json")" = keep ] || { echo "FAIL: $cmd changed an existing file"; fails=$((fails + 1)); }
done
expect 0 "list --out x.csv" -- "$qb" list --out "$tmp/l.csv"
head -1 "$tmp/l.csv" | grep -qx 'family,kernel,backend,isa,tile,semantics,dtypes,status' ||
  { echo "FAIL: list --out x.csv is not the CSV"; fails=$((fails + 1)); }
[ -e "$tmp/l.csv.csv" ] && { echo "FAIL: x.csv.csv written"; fails=$((fails + 1)); }
expect 0 "list --format md" -- "$qb" list --format md --family f32_bf16_cvt
head -2 "$tmp/out" | tail -1 | grep -q '^| --- | --- |' || { echo "FAIL: list --format md"; fails=$((fails + 1)); }
expect 2 "--force without --out" -- "$qb" dtypes --force
one_line_error "--force without --out FILE"
expect 2 "info --format csv" -- "$qb" info --format csv
one_line_error "expected table or json"
expect 2 "memory bad shape writes nothing" -- "$qb" memory --shape 0x5 --out "$tmp/m.json"
[ -e "$tmp/m.json" ] && { echo "FAIL: a failed memory wrote its --out"; fails=$((fails + 1)); }
# The OpenCL variants are listed (as data) whether a device is found or not.
expect 0 "list without OpenCL devices" -- env OCL_ICD_VENDORS=/nonexistent "$qb" list --family f32_f16_cvt --format csv
grep -q '^f32_f16_cvt,f32_f16_cvt__ocl_half,opencl,-,1,nan-canon,f32->f16,no OpenCL device' "$tmp/out" ||
  { echo "FAIL: list without a device lacks the OpenCL variants: $(grep ocl "$tmp/out" | head -2)"; fails=$((fails + 1)); }
expect 0 "list" -- "$qb" list
python3 - "$tmp/out" <<'PY' || fails=$((fails + 1))
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip()]
# The status column starts at the same offset on every line (header included).
col = lines[0].index("status")
bad = [l for l in lines[1:] if len(l) < col or l[col - 1] != " " or l[col] == " "]
if bad:
    print("FAIL: list columns misaligned:", bad[:3])
    sys.exit(1)
PY

# apply runs the OpenCL variants that list names (on a device, bit for bit the CPU's
# output for an exact variant), and says why not without a device; --out - puts the
# .npy on stdout (the table on stderr).
data=$(cd "$(dirname "$0")/../data" && pwd)
expect 0 "apply --out -" -- "$qb" apply f32_f16_cvt --in "$data/f32_2x3_v1.npy" --out -
cp "$tmp/out" "$tmp/cpu.npy"
head -c 6 "$tmp/cpu.npy" | grep -aq 'NUMPY' || { echo "FAIL: apply --out - is not a .npy"; fails=$((fails + 1)); }
grep -q 'f32_f16_cvt__' "$tmp/err" || { echo "FAIL: apply --out -: no table on stderr"; fails=$((fails + 1)); }
expect 2 "apply OpenCL without a device" -- env OCL_ICD_VENDORS=/nonexistent "$qb" apply f32_f16_cvt__ocl \
  --in "$data/f32_2x3_v1.npy"
one_line_error "is an OpenCL variant: no OpenCL device here"
[ -s "$tmp/out" ] && { echo "FAIL: a refused apply wrote stdout"; fails=$((fails + 1)); }
if "$qb" list --family f32_f16_cvt --format csv 2>/dev/null | grep -q '^f32_f16_cvt,f32_f16_cvt__ocl,opencl,[^-].*,available$'; then
  expect 0 "apply an OpenCL variant" -- "$qb" apply f32_f16_cvt__ocl --in "$data/f32_2x3_v1.npy" --out - --format csv
  cmp -s "$tmp/out" "$tmp/cpu.npy" || { echo "FAIL: f32_f16_cvt__ocl differs from the CPU's output"; fails=$((fails + 1)); }
  grep -q ',ok,f32_f16_cvt__ocl,exact$' "$tmp/err" || { echo "FAIL: apply OpenCL row: $(cat "$tmp/err")"; fails=$((fails + 1)); }
else
  echo "note: no OpenCL device offers f32_f16_cvt__ocl: the device part of apply not checked"
fi

if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "cli basics: all checks passed"
