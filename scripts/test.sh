#!/usr/bin/env bash
# Installs what is missing, builds hotswap and runs every test: the normal build, then the same tests
# under AddressSanitizer + UndefinedBehaviorSanitizer, then the config, control protocol, minisign signature
# and HTTP parsers and the front's request path under libFuzzer, 20 s each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh --test

echo "== build"
BUILD_DIR=build scripts/build.sh
echo "== tests"
ctest --test-dir build --output-on-failure -j2 -LE serial
ctest --test-dir build --output-on-failure -L serial

echo "== sanitizer build (ASan + UBSan)"
BUILD_DIR=build-asan scripts/build.sh -DHOTSWAP_SANITIZE=ON -DHOTSWAP_BENCH=OFF
echo "== tests under sanitizers"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -j2 -LE serial
# The load tests measure the promise on the normal build (50 reloads each); under the sanitizers, which
# look for memory and undefined-behaviour errors, 20 reloads go through the same paths in less time.
FRONT_RELOADS=20 ctest --test-dir build-asan --output-on-failure -L serial

echo "== fuzz (libFuzzer + ASan + UBSan)"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}" config control minisign http front_request
