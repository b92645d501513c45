#!/usr/bin/env bash
# Fuzz smoke: builds the libFuzzer targets (clang, ASan+UBSan, -DQB_FUZZ=ON) in
# build-fuzz and runs each from its committed seed corpus (tests/fuzz/corpus/<t>/) for
# QB_FUZZ_SECONDS (default 25) seconds, or QB_FUZZ_RUNS executions when set, as many
# targets at a time as there are cores. New coverage goes to a scratch folder, never
# into the committed corpus. A crash stops with the input saved under
# build-fuzz/artifacts/<t>/: copy it into the corpus as crash-<what> once fixed, and the
# fuzz_replay_<t> CTest test keeps it fixed.
# usage: ci/fuzz.sh [TARGET...]   (default: every target in tests/fuzz.cmake)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
QB_SETUP_EXTRA="clang libclang-rt-14-dev ${QB_SETUP_EXTRA:-}" bash ci/setup.sh
dir=${QB_FUZZ_BUILD:-build-fuzz}
mkdir -p "$dir"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  read -r -a targets <<<"$(sed -n 's/^set(QB_FUZZ_TARGETS \(.*\))$/\1/p' tests/fuzz.cmake)"
fi
# Only the fuzz targets (and the library under them) are built, not the whole tree.
cmake -S . -B "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DQB_SANITIZE=ON -DQB_FUZZ=ON -DQB_WERROR=ON >"$dir.configure.log" 2>&1 || {
  cat "$dir.configure.log" >&2
  exit 1
}
cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]/#/fuzz_}" >&2
seconds=${QB_FUZZ_SECONDS:-25}
limit=(-max_total_time="$seconds")
[ -n "${QB_FUZZ_RUNS:-}" ] && limit=(-runs="$QB_FUZZ_RUNS")
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One target per core at a time: each is single-threaded.
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_one() {
  local t=$1 scratch art start rc=0
  scratch=$(mktemp -d)
  art="$here/$dir/artifacts/$t"
  mkdir -p "$art"
  start=$(date +%s)
  "$dir/tests/fuzz_$t" "${limit[@]}" -print_final_stats=1 -artifact_prefix="$art/" "$scratch" \
    "tests/fuzz/corpus/$t" >"$dir/fuzz_$t.log" 2>&1 || rc=$?
  echo $rc >"$dir/fuzz_$t.rc"
  echo $(($(date +%s) - start)) >"$dir/fuzz_$t.s"
  rm -rf "$scratch"
}
status=0
i=0
while [ $i -lt ${#targets[@]} ]; do
  batch=("${targets[@]:i:jobs}")
  for t in "${batch[@]}"; do fuzz_one "$t" & done
  wait
  for t in "${batch[@]}"; do
    if [ "$(cat "$dir/fuzz_$t.rc")" = 0 ]; then
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz_$t.log")
      echo "fuzz_$t: ${runs:-?} executions in $(cat "$dir/fuzz_$t.s") s, no crash"
    else
      echo "fuzz_$t: FAILED, input saved in $here/$dir/artifacts/$t/; the report:" >&2
      grep -E 'ERROR|SUMMARY|fuzz check failed|Test unit written' "$dir/fuzz_$t.log" | head -8 >&2
      status=1
    fi
  done
  i=$((i + jobs))
done
exit $status
