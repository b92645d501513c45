#!/bin/bash
# Shell-level checks of qbench memory / error / apply: figures, exit codes, one-line
# errors, and that a refused command creates no file. Usage: cli_numerics.sh QBENCH DATA
set -u
qb=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # description, then a command that must succeed
  local what=$1
  shift
  if ! "$@"; then
    echo "FAIL: $what"
    fails=$((fails + 1))
  fi
}
# expect_exit CODE CMD...: exit code, and stderr is at most one line.
expect_exit() {
  local code=$1
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  check "'$*' exits $code (got $rc)" test "$rc" -eq "$code"
  check "'$*' prints one line on stderr" test "$(wc -l <"$tmp/err")" -le 1
}

# memory: the seed tutorial's figures.
expect_exit 0 "$qb" memory --shape 2000x2000
check "f64 32,000,000" grep -Eq '^f64 +32000000 +0 +32000000 ' "$tmp/out"
check "f32 16,000,000" grep -Eq '^f32 +16000000 ' "$tmp/out"
check "f16 8,000,000" grep -Eq '^f16 +8000000 ' "$tmp/out"
check "s8 per-channel 4,016,000" grep -Eq '^s8 per-channel +4000000 +16000 +4016000 ' "$tmp/out"
expect_exit 0 "$qb" memory --shape 2000x2000 --json
check "memory --json parses" python3 -c "import json,sys; d=json.load(open('$tmp/out')); assert d['formats'][0]['footprint_bytes']==32000000"
expect_exit 2 "$qb" memory --shape 2000x
expect_exit 2 "$qb" memory
expect_exit 0 "$qb" memory --help

# error: a small run of every family and distribution.
expect_exit 0 "$qb" error --n 4096 --seed 3
check "error table has f32_f16_cvt" grep -Eq '^f32_f16_cvt +f32->f16' "$tmp/out"
expect_exit 0 "$qb" --isa scalar error --n 1024 --json
check "error --json parses" python3 -c "import json; d=json.load(open('$tmp/out')); assert all(c['status']=='ok' for c in d['cases'])"
expect_exit 2 "$qb" error --n 0
expect_exit 2 "$qb" error --round up

if [ -f "$data/apply_cases.sh" ]; then
  . "$data/apply_cases.sh"
fi
echo "cli_numerics: $fails failure(s)"
test "$fails" -eq 0
