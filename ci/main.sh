#!/usr/bin/env bash
# The main job: set up, build (Release), show the machine, run the default suite on
# every backend found, and draw the plots for that run. Extra arguments go to
# 'qbench run' (e.g. --suite full). Exit 1 when a case failed (the plots are still drawn).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash ci/setup.sh
mkdir -p build
bash ci/build.sh build
./build/qbench info
./build/qbench dtypes
./build/qbench list

# The run writes its own results file; name it here so the plots can follow it.
stem="$(hostname -s 2>/dev/null || echo host)-$(date +%Y%m%d-%H%M%S)-main"
mkdir -p results plots/out
rc=0
./build/qbench run --out "results/$stem.json" "$@" || rc=$?
if [ -f "results/$stem.json" ]; then
  ./build/qbench plot "results/$stem.json" --out "plots/out/$stem"
  echo "results: $here/results/$stem.json (and .csv)" >&2
  echo "plots:   $here/plots/out/$stem/index.html" >&2
fi
exit "$rc"
