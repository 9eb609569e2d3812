#!/usr/bin/env bash
# Runs hotswap's benchmarks: builds hotswap (Release), then every bench/*.sh scenario (or those named on
# the command line, e.g. `bench/run.sh watch`, `bench/run.sh front`), each printing its figures next to a baseline measured in
# the same run. Micro benchmarks (bench/*_bench.cpp) run last.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh --bench
BUILD_DIR=${BUILD_DIR:-build-bench} scripts/build.sh -DCMAKE_BUILD_TYPE=Release -DHOTSWAP_TESTS=ON
export HOTSWAP_BUILD_DIR="$root/${BUILD_DIR:-build-bench}"
export HOTSWAP="$HOTSWAP_BUILD_DIR/src/hotswap"

scenarios=("$@")
if ((${#scenarios[@]} == 0)); then
  for s in bench/*.sh; do
    name=$(basename "$s" .sh)
    [[ $name == run || $name == lib ]] || scenarios+=("$name")
  done
fi
for name in "${scenarios[@]}"; do
  echo "== bench/$name.sh"
  bash "bench/$name.sh"
done
if ((${#@} == 0)); then
  for b in "$HOTSWAP_BUILD_DIR"/bench/*_bench; do
    [[ -x $b ]] || continue
    echo "== $(basename "$b")"
    "$b" --benchmark_min_time=0.2
  done
fi
