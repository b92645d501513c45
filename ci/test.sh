#!/usr/bin/env bash
# The whole test suite: set up, build (warnings are errors), run every test, then the
# same tests again built with AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash ci/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (Release, -Werror)" >&2
mkdir -p build
bash ci/build.sh build -DQB_WERROR=ON
echo "== tests" >&2
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== tests under ASan+UBSan" >&2
mkdir -p build-asan
bash ci/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQB_WERROR=ON -DQB_SANITIZE=ON
# Exhaustive sweeps take a stride under the sanitizers (their speed is not the point there).
QB_EXHAUSTIVE_STRIDE=257 \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS=suppressions=$here/tests/lsan.supp \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"
