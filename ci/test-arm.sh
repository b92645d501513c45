#!/usr/bin/env bash
# The Arm (aarch64) half of the test suite: cross-build with ci/aarch64-linux-gnu.cmake
# (warnings are errors) into build-arm, then run CTest under qemu-aarch64 (user mode) at
# several CPU models, so that dispatch and every fallback run:
#   max            everything (NEON, fp16, dotprod, i8mm, BF16, SVE, SVE2); SVE at 512
#                  bits, then the SIMD tests again at 128 and 256 bits
#   neoverse-n1    NEON + fp16 + dotprod, no BF16, no i8mm, no SVE
#   cortex-a72     NEON only
# and check `qbench list`: under max every Arm variant is available, under cortex-a72
# only NEON ones (and the scalar references).
# Timings under emulation mean nothing; QBENCH_EMULATED=1 makes qbench say so (the
# heuristic that finds qemu without it is checked too).
# Environment: QB_ARM_STRIDE (default 17): the stride of the 2^32 cast sweeps;
# QB_ARM_QUANT_STRIDE (default 257): that of the quant sweeps (both rounding modes and a
# division per pattern: at stride 17 they took 80 s each under qemu, 12 of them).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
start=$(date +%s)
QB_SETUP_ARM=1 bash ci/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
dir=build-arm
stride=${QB_ARM_STRIDE:-17}
quant_stride=${QB_ARM_QUANT_STRIDE:-257}

echo "== arm: cross build (aarch64, -Werror)" >&2
mkdir -p "$dir"
bash ci/build.sh "$dir" -DCMAKE_TOOLCHAIN_FILE="$here/ci/aarch64-linux-gnu.cmake" -DQB_WERROR=ON
qemu=$(sed -n 's/^QB_QEMU_AARCH64:FILEPATH=//p' "$dir/CMakeCache.txt")
if [ ! -x "$qemu" ] || [ ! -x "$dir/qbench.aarch64" ]; then
  echo "ci/test-arm.sh: $dir: no qemu-aarch64 found at configure time, or no qbench.aarch64 built" >&2
  exit 1
fi
# $dir/qbench is a wrapper that runs $dir/qbench.aarch64 under qemu (tests/arm.cmake).

export QBENCH_EMULATED=1
# run_ctest CPU STRIDE [ctest options...]: one pass under one CPU model.
run_ctest() {
  local cpu=$1 st=$2
  shift 2
  local t0
  t0=$(date +%s)
  echo "== arm: ctest under qemu-aarch64 -cpu $cpu, sweep stride $st: $*" >&2
  QEMU_CPU=$cpu QB_EXHAUSTIVE_STRIDE=$st ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@"
  echo "== arm: -cpu $cpu $* took $(($(date +%s) - t0)) s" >&2
}

# list_check CPU: every Arm kernel of `qbench list` is usable under max; under
# cortex-a72 exactly the neon and scalar ones are; under neoverse-n1 all but bf16, i8mm
# and SVE. Columns: family, kernel, backend, isa, tile, semantics, dtypes, status.
list_check() {
  local cpu=$1 out bad
  out=$(QEMU_CPU=$cpu "$dir/qbench" list)
  bad=$(printf '%s\n' "$out" | awk -v cpu="$cpu" '
    $3 != "cpu" { next }
    $4 ~ /^(neon|neonfp16|neondot|neoni8mm|neonbf16|sve|sve2|scalar)$/ {
      usable = ($NF == "available" || $NF == "picked")
      if (cpu ~ /^max/) want = 1
      else if (cpu == "cortex-a72") want = ($4 == "neon" || $4 == "scalar")
      else want = ($4 !~ /^(neoni8mm|neonbf16|sve|sve2)$/)
      if (usable != want) print "  " $2 " (" $4 "): " (usable ? "usable" : "not usable")
    }')
  if [ -n "$bad" ]; then
    echo "ci/test-arm.sh: qbench list under -cpu $cpu:" >&2
    printf '%s\n' "$bad" >&2
    exit 1
  fi
  echo "== arm: qbench list under -cpu $cpu: as expected ($(printf '%s\n' "$out" | awk '$NF == "picked" && $4 != "scalar"' | wc -l) families pick a SIMD variant)" >&2
}

# 1. Everything, SVE at 512 bits (qemu-user's default for max), exhaustive sweeps strided.
run_ctest max "$stride" -E '^test_quant_simd/'
run_ctest max "$quant_stride" -R '^test_quant_simd/'
# 2. The SIMD tests at the other SVE vector lengths.
for vl in 16 32; do
  run_ctest "max,sve-default-vector-length=$vl" "$stride" -L unit -R '^test_(cvt_simd|dot_simd|quant_simd|peak|dispatch)'
done
# 3. The fallbacks: no BF16/i8mm/SVE, then NEON only.
run_ctest neoverse-n1 "$stride" -LE exhaustive
run_ctest cortex-a72 "$stride" -LE exhaustive

for cpu in max neoverse-n1 cortex-a72; do list_check "$cpu"; done

# 4. qemu is recognized without the variable too (qbench info says how).
if ! env -u QBENCH_EMULATED QEMU_CPU=max "$dir/qbench" info | grep -q '^emulated: *yes'; then
  echo "ci/test-arm.sh: qbench info under qemu without QBENCH_EMULATED does not say 'emulated: yes'" >&2
  exit 1
fi
echo "== arm: all passes done in $(($(date +%s) - start)) s" >&2
