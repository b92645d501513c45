#!/usr/bin/env bash
# The whole test suite, what `.ci/run` runs:
#   1. set up, build (Release, warnings are errors), every CTest test (unit, exhaustive
#      cast and quantize sweeps, per-ISA dispatch, CLI, bad-input table, faults,
#      OpenCL on PoCL and under oclgrind)
#   2. the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#      (exhaustive sweeps at a stride)
#   3. the aarch64 cross build, tested under qemu at three CPU models (ci/test-arm.sh)
#   4. a libFuzzer smoke of every parser (ci/fuzz.sh)
#   5. valgrind memcheck over a CPU run of the quick suite (ci/valgrind.sh, on the
#      Release build of step 1)
#   6. the regression gate (ci/regression): HEAD against the commit ci/gate-base names (the
#      start of the landing; HEAD~1 when it names none that is an ancestor), both built and
#      run here, interleaved (skipped, with a message, when there is no base: a shallow clone)
# QB_TEST_SKIP="arm fuzz valgrind regression" leaves steps out (for a quick local run).
# QB_TEST_BUDGET_S (default 1380: 23 minutes, under CI's 25): the gate, the last step,
# starts no round past its sixth that would end later than that after this script's
# start (ci/regression --deadline); 0 lets it run all of its rounds.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
jobs=$(nproc 2>/dev/null || echo 2)
t0=$(date +%s)
skip=" ${QB_TEST_SKIP:-} "
budget=${QB_TEST_BUDGET_S:-1380}
[[ $budget =~ ^[0-9]{1,9}$ ]] || { echo "ci/test.sh: QB_TEST_BUDGET_S '$budget': expected seconds" >&2; exit 2; }
budget=$((10#$budget)) # a leading 0 is not octal
step() { echo "== [$(($(date +%s) - t0)) s] $*" >&2; }

bash ci/setup.sh

step "build (Release, -Werror)"
mkdir -p build
bash ci/build.sh build -DQB_WERROR=ON
step "tests"
ctest --test-dir build --output-on-failure -j "$jobs"

step "tests under ASan+UBSan"
mkdir -p build-asan
# -O1 -g1 (ASan's own advice) builds in 0.55x the CPU time of RelWithDebInfo's -O2 -g and the
# tests run no slower (2-core Zen 4: 375 -> 205 core-s, tests 102 core-s). GCC's
# format-truncation analysis differs at -O1: the Release build of step 1 is the warnings gate.
bash ci/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQB_WERROR=ON -DQB_SANITIZE=ON \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG -Wno-format-truncation" \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
# Exhaustive sweeps take a stride under the sanitizers (their speed is not the point there).
QB_EXHAUSTIVE_STRIDE=257 \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS=suppressions=$here/tests/lsan.supp \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

if [[ $skip != *" arm "* ]]; then
  step "aarch64: cross build, tests under qemu"
  bash ci/test-arm.sh
fi
if [[ $skip != *" fuzz "* ]]; then
  step "fuzz smoke (libFuzzer, 10 s per target)"
  QB_FUZZ_SECONDS=10 bash ci/fuzz.sh
fi
if [[ $skip != *" valgrind "* ]]; then
  step "valgrind memcheck: qbench run --suite quick --backend cpu"
  QB_VALGRIND_BUILD=build bash ci/valgrind.sh
fi
if [[ $skip != *" regression "* ]]; then
  step "regression gate (ci suite, HEAD against $(bash ci/regression --which-base | cut -c1-12), paired rounds)"
  deadline=()
  ((budget == 0)) || deadline=(--deadline "$((t0 + budget))")
  bash ci/regression "${deadline[@]}" build
fi
step "all steps passed"
