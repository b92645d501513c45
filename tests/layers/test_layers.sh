#!/usr/bin/env bash
# CTest `layers`: the real host/ has no upward include and no include circle, and the
# check does catch them (a made-up host tree with an upward and a cross-backend include
# must fail naming both lines, one with two headers including each other must fail
# naming the circle; a README without the folder table is exit 2).
set -u
here=$(cd "$(dirname "$0")" && pwd)
check="$here/check_layers.sh"
host="$here/../../host"
bash "$check" "$host" || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/core" "$tmp/run" "$tmp/backends/a" "$tmp/backends/b"
printf '| folder | what |\n|---|---|\n| `core/` | x |\n| `backends/` | x |\n| `run/` | x |\n' >"$tmp/README.md"
printf '#include "core/x.h"\n' >"$tmp/run/ok.c"
printf '#include <stdio.h>\n#include "run/r.h"\n' >"$tmp/core/up.h"
printf '#include "backends/backend.h"\n#include "backends/b/b.h"\n' >"$tmp/backends/a/a.c"
out=$(bash "$check" "$tmp" 2>&1)
rc=$?
fail=0
[ "$rc" -eq 1 ] || { echo "FAIL: upward include: exit $rc, expected 1"; fail=1; }
grep -q 'core/up.h:2: includes "run/r.h"' <<<"$out" || { echo "FAIL: the upward include not named"; fail=1; }
grep -q 'backends/a/a.c:2: .*another backend' <<<"$out" || { echo "FAIL: the cross-backend include not named"; fail=1; }
[ "$(grep -c 'includes' <<<"$out")" -eq 2 ] || { echo "FAIL: expected exactly two findings:"; echo "$out"; fail=1; }
rm "$tmp/core/up.h" "$tmp/backends/a/a.c"
printf '#include "run/b.h"\n' >"$tmp/run/a.h"
printf '#include "run/a.h"\n' >"$tmp/run/b.h"
out=$(bash "$check" "$tmp" 2>&1)
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: include circle: exit $rc, expected 1"; fail=1; }
grep -q 'include circle: .*run/a.h' <<<"$out" || { echo "FAIL: the circle not named: $out"; fail=1; }
printf 'no table here\n' >"$tmp/README.md"
bash "$check" "$tmp" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: README without a table: exit $rc, expected 2"; fail=1; }
[ "$fail" -eq 0 ] && echo "layers: the check catches upward and cross-backend includes and include circles"
exit "$fail"
