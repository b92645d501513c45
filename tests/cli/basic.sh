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
one_line_error "expected table, json or csv"
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

if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "cli basics: all checks passed"
