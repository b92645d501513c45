#!/usr/bin/env bash
# The installed tree works on its own: `cmake --install BUILD --prefix P`, then from an
# unrelated directory P/bin/qbench finds its suites and plot scripts under
# P/share/qbench (before the source tree it was built from), runs a short filter of the
# quick suite, and plots it; man pages and bash completion are in place.
# usage: install.sh BUILD_DIR CMAKE
set -u
build=$1
cmake=${2:-cmake}
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}
p=$tmp/prefix
if ! "$cmake" --install "$build" --prefix "$p" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  echo "FAIL: cmake --install"
  exit 1
fi
qb=$p/bin/qbench
[ -x "$qb" ] || fail "no $qb"
for f in share/qbench/suites/quick.suite share/qbench/plots/throughput.gp \
  share/bash-completion/completions/qbench share/doc/qbench/README.md; do
  [ -s "$p/$f" ] || fail "not installed: $f"
done
if grep -q '^QB_HELP2MAN:FILEPATH=/' "$build/CMakeCache.txt" 2>/dev/null; then
  for c in qbench qbench-run qbench-plot qbench-apply; do
    [ -s "$p/share/man/man1/$c.1" ] || fail "no man page $c.1"
  done
  grep -q 'suite' "$p/share/man/man1/qbench-run.1" || fail "qbench-run.1 lacks --suite"
fi
bash -n "$p/share/bash-completion/completions/qbench" || fail "completion script does not parse"

# The installed share/ comes first: a suite that exists only there is found, and the
# installed plot scripts (marked) are the ones gnuplot runs.
cp "$p/share/qbench/suites/quick.suite" "$p/share/qbench/suites/installedonly.suite"
echo 'print "qb-installed-scripts"' >>"$p/share/qbench/plots/throughput.gp"
mkdir -p "$tmp/elsewhere"
cd "$tmp/elsewhere" || exit 1
unset QBENCH_SUITES_DIR QBENCH_PLOTS
"$qb" run --suite installedonly --list >list.txt 2>err.txt || fail "--suite installedonly: $(head -c 300 err.txt)"
args=(run --suite quick --backend cpu --filter '^f32_f16_cvt/(scalar|avx2)' --caches L1=16K,L2=64K,L3=256K
  --repetitions 1 --min-time 0.001 --no-roofs --quiet --out r.json)
"$qb" "${args[@]}" 2>err.txt || fail "installed qbench run: exit $?: $(head -c 400 err.txt)"
[ -s r.json ] || fail "no r.json from the installed qbench"
if command -v gnuplot >/dev/null 2>&1 && [ -s r.json ]; then
  "$qb" plot r.json --out plots >/dev/null 2>err.txt || fail "installed qbench plot: $(head -c 400 err.txt)"
  [ -s plots/index.html ] || fail "no index.html"
  grep -q qb-installed-scripts plots/gnuplot.log 2>/dev/null || fail "plot did not use P/share/qbench/plots"
fi
[ "$fails" = 0 ] && echo "install: all checks passed"
exit $((fails > 0))
