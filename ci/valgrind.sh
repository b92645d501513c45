#!/usr/bin/env bash
# valgrind memcheck over a whole run: `qbench run --suite quick --backend cpu` (roofs
# included) in a RelWithDebInfo build (build-valgrind), with zero memcheck errors and
# no definite leaks allowed. QB_VALGRIND_SUITE picks another suite. Extra arguments go
# to `qbench run`. Valgrind hides CPUID from hwloc (it says so on stderr) and runs every
# thread on one core: the figures are meaningless, the memory checks are the point.
# QB_VALGRIND_BUILD=DIR runs the qbench already built in DIR instead (ci/test.sh passes its
# Release build: one build fewer; a report then names functions without line numbers,
# and running this script alone gives them). The run sizes its cases and roofs as if the
# caches were QB_VALGRIND_CACHES (default L2=256K,L3=16M; empty: as detected): under
# memcheck a DRAM roof of 4x a 260 MiB L3 and L2 cases of 1 MiB (an Intel Xeon VM of
# session 22: 2 MiB L2) cost minutes, and these sizes go through the same code (L2 cases
# beyond L1, big roofs from 4 MiB).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
QB_SETUP_EXTRA="valgrind ${QB_SETUP_EXTRA:-}" bash ci/setup.sh
dir=${QB_VALGRIND_BUILD:-}
if [ -z "$dir" ]; then
  dir=build-valgrind
  mkdir -p "$dir"
  bash ci/build.sh "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQB_TESTS=OFF -DQB_WERROR=ON
elif [ ! -x "$dir/qbench" ]; then
  echo "ci/valgrind.sh: QB_VALGRIND_BUILD=$dir: no qbench built there" >&2
  exit 2
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
status=0
sizes=${QB_VALGRIND_CACHES-L2=256K,L3=16M}
caches=()
[ -n "$sizes" ] && caches=(--caches "$sizes")
valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --num-callers=30 --log-file="$dir/valgrind.log" \
  "$dir/qbench" run --suite "${QB_VALGRIND_SUITE:-quick}" --backend cpu --quiet --out "$out/r.json" "${caches[@]}" "$@" || status=$?
# Exit 1 from qbench is a failed case (reported in the file), not a memory error.
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$dir/valgrind.log" | tail -1)
echo "valgrind: ${errors:-?} errors, qbench exit $status, $(($(date +%s) - start)) s (log: $dir/valgrind.log)"
if [ "$status" = 99 ] || [ "${errors:-1}" != 0 ]; then
  grep -A20 -E 'Invalid|uninitialised|definitely lost' "$dir/valgrind.log" | head -60 >&2
  exit 1
fi
[ "$status" = 0 ] || [ "$status" = 1 ] || exit "$status"
[ -s "$out/r.json" ] || { echo "valgrind: no results file" >&2; exit 1; }
