#!/usr/bin/env bash
# qbench's kernels beside public implementations of the same operations (not part of
# CI: the peers' sources are not in this repository, and timings need a quiet machine).
#
#   bash ci/peers.sh [--ggml SRC [--ggml-build DIR] [--ggml-isa native|avx2]]
#                    [--numkong SRC [--numkong-build DIR]]
#                    [--torch PYTHON] [--qbench-build DIR] [--work DIR] [--csv FILE]
#                    [-- peers options]
#
# Each peer is optional; a folder may also come from the environment: QB_PEER_GGML,
# QB_PEER_NUMKONG (source folders), QB_PEER_TORCH_PYTHON (a Python that has torch).
# SRC for --ggml is a checkout of https://github.com/ggml-org/ggml (or llama.cpp's ggml/ folder).
# It is configured and built under the work folder (default /tmp/qbench-peers) with
# -march=native, static (or taken as already built in DIR with --ggml-build); --ggml-isa avx2
# builds it instead with AVX2, FMA, F16C and BMI2 only (GGML_NATIVE=OFF, in ggml-build-avx2),
# the build to set qbench's avx2 variants against: on an AVX-512 VNNI machine the native
# build's q8_0 and q4_0 vec_dot use 256-bit vpdpbusd, which an AVX2-only CPU lacks. SRC for
# --numkong is a checkout of https://github.com/ashvardanian/NumKong: its shared library
# (run-time dispatch over every ISA it compiles) is built there too. --torch runs
# ci/peers/torch_peers.py with that interpreter after the C peers: PyTorch's
# preallocated copy_ casts and quantize_per_tensor beside qbench's, one thread, pinned
# (`pip install torch` in a venv is enough). ci/peers/peers.c is compiled against them and against qbench's
# build (default ./build: run `bash ci/build.sh build` first), and run pinned to one
# core. Options after `--` go to the program: --sizes N,N,... --rounds R --min-time S
# --cpu I --variants (every qbench variant's rate) --only FAMILY. It prints, per operation and size, the variant qbench's dispatch picks (not the one
# with the luckiest round), both rates in
# elements per second and the ratio qbench / peer, then each side's median and the median
# of the rounds' own ratios: both sides timed in one process by the thread's CPU time, in
# R rounds (default 7) whose order rotates (qbench's every variant and the peer once a
# round; best and median of the R rounds each). On a loaded machine the medians are the
# steadier figures, and a run takes longer (each timing needs --min-time of CPU time).
# Under each dot with a peer, a line gives each side's |result - f64 sum of its own
# inputs| / sum |x_i y_i|: a faster peer that sums in a narrower type (ggml's f16 vec_dot
# on a CPU with AVX512-FP16 sums in f16) is not doing the same work.
# --csv FILE writes the best rounds' table as CSV too (PyTorch's lines appended after the
# C peers'), one line per operation and size:
# peer,operation,family,n,variant,qbench_gelps,peer_gelps,ratio (Gel/s: 10^9 elements
# per second); `qbench plot RESULTS --peers FILE` joins it to its roof table by family.
set -euo pipefail

ggml="${QB_PEER_GGML:-}"
gbuilt=""
gisa="native"
numkong="${QB_PEER_NUMKONG:-}"
nbuilt=""
torchpy="${QB_PEER_TORCH_PYTHON:-}"
qbuild="build"
work="/tmp/qbench-peers"
csv=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ggml) ggml="$2"; shift 2 ;;
    --ggml-build) gbuilt="$2"; shift 2 ;;
    --ggml-isa) gisa="$2"; shift 2 ;;
    --numkong) numkong="$2"; shift 2 ;;
    --numkong-build) nbuilt="$2"; shift 2 ;;
    --torch) torchpy="$2"; shift 2 ;;
    --qbench-build) qbuild="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --csv) csv="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--ggml SRC [--ggml-build DIR] [--ggml-isa native|avx2]] [--numkong SRC [--numkong-build DIR]] [--torch PYTHON] [--qbench-build DIR] [--work DIR] [--csv FILE] [-- peers options]" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -f "$qbuild/host/libqbench_core.a" ]; then
  echo "no qbench build at $qbuild (bash ci/build.sh build)" >&2
  exit 2
fi
mkdir -p "$work"

cflags=(-O2 -std=gnu11 -I"$root/host" -I"$root/host/core" -I"$root/kernels/include" -I"$root/kernels")
defs=()
libs=()
if [ -n "$ggml" ]; then
  if [ ! -f "$ggml/include/ggml-cpu.h" ]; then
    echo "$ggml does not look like ggml (no include/ggml-cpu.h)" >&2
    exit 2
  fi
  case "$gisa" in
    native) gopts=(-DGGML_NATIVE=ON); gb="${gbuilt:-$work/ggml-build}" ;;
    avx2) gopts=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON)
      gb="${gbuilt:-$work/ggml-build-avx2}" ;;
    *) echo "--ggml-isa '$gisa': expected native or avx2" >&2; exit 2 ;;
  esac
  [ -n "$gbuilt" ] || cmake -S "$ggml" -B "$gb" -DCMAKE_BUILD_TYPE=Release "${gopts[@]}" -DBUILD_SHARED_LIBS=OFF \
    -DGGML_BUILD_TESTS=OFF -DGGML_BUILD_EXAMPLES=OFF -DGGML_OPENMP=OFF >"$work/ggml-configure.log"
  [ -n "$gbuilt" ] || cmake --build "$gb" -j"$(nproc)" --target ggml-cpu ggml-base >"$work/ggml-build.log"
  defs+=(-DQB_PEER_GGML -I"$ggml/include")
  libs+=($(find "$gb/" -name 'libggml-cpu.a') $(find "$gb/" -name 'libggml-base.a') -lstdc++)
  echo "ggml: $(git -C "$ggml" log -1 --format='%h %cs' 2>/dev/null || echo "$ggml") ($gb, --ggml-isa $gisa)"
fi

if [ -n "$numkong" ]; then
  if [ ! -f "$numkong/include/numkong/numkong.h" ]; then
    echo "$numkong does not look like NumKong (no include/numkong/numkong.h)" >&2
    exit 2
  fi
  nb="${nbuilt:-$work/numkong-build}"
  [ -n "$nbuilt" ] || cmake -S "$numkong" -B "$nb" -DCMAKE_BUILD_TYPE=Release -DNK_BUILD_SHARED=ON \
    >"$work/numkong-configure.log"
  [ -n "$nbuilt" ] || cmake --build "$nb" -j"$(nproc)" --target nk_shared >"$work/numkong-build.log"
  nlib=$(find "$nb" -name 'libnumkong.so*' | head -1)
  [ -n "$nlib" ] || { echo "no libnumkong.so under $nb" >&2; exit 2; }
  defs+=(-DQB_PEER_NUMKONG -DNK_DYNAMIC_DISPATCH=1 -I"$numkong/include")
  libs+=("$nlib" -Wl,-rpath,"$(dirname "$nlib")")
  echo "numkong: $(git -C "$numkong" log -1 --format='%h %cs' 2>/dev/null || echo "$numkong")"
fi

# qbench: its host library and every kernel object (the registry refers to them all).
# Objects whose source is gone (a kernel since generated from a template) are left out.
kobjs=()
while IFS= read -r o; do
  rel="${o#*/qb_kernels.dir/}"
  rel="${rel%.o}"
  case "$rel" in
    __/generated/*) src="$qbuild/generated/${rel#__/generated/}" ;;
    *) src="$root/kernels/$rel" ;;
  esac
  [ -f "$src" ] && kobjs+=("$o")
done < <(find "$qbuild/kernels" -name '*.c.o' | sort)
deps=$(pkg-config --libs jansson hwloc 2>/dev/null || echo "-ljansson")
gcc "${cflags[@]}" "${defs[@]}" "$root/ci/peers/peers.c" -o "$work/peers" \
  -Wl,--start-group "${kobjs[@]}" "$qbuild/host/libqbench_core.a" "${libs[@]}" -Wl,--end-group \
  $deps -lpthread -lm
echo "qbench: $(git -C "$root" log -1 --format='%h %cs')"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), load: $(cut -d' ' -f1-3 /proc/loadavg)"
csvargs=()
[ -z "$csv" ] || csvargs=(--csv "$csv")
"$work/peers" "$@" "${csvargs[@]}"
if [ -n "$torchpy" ]; then
  # The same --sizes/--rounds/--min-time/--cpu/--only go to the PyTorch comparison.
  targs=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --sizes|--rounds|--min-time|--cpu|--only) targs+=("$1" "$2"); shift 2 ;;
      *) shift ;;
    esac
  done
  [ -z "$csv" ] || targs+=(--csv-append "$csv")
  "$torchpy" "$root/ci/peers/torch_peers.py" "$work/peers" "${targs[@]}"
fi
