#!/usr/bin/env bash
# The main job: set up, build (Release), then show the machine and run the default
# suite on every backend found. Extra arguments go to 'qbench run'.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash ci/setup.sh
mkdir -p build
bash ci/build.sh build
./build/qbench info
./build/qbench dtypes
./build/qbench list
# The default suite (quick) on every backend found: the table on stdout, the results
# in results/<host>-<time>-quick.json and .csv. Exit 1 when a case failed.
./build/qbench run "$@"
