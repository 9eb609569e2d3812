#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and UndefinedBehaviorSanitizer into
# build-fuzz/ (or $FUZZ_BUILD_DIR) and runs each for SECONDS (default 60), starting from the committed seed
# corpus. New inputs found go to a scratch copy (the repository's corpus stays as committed); a crash stops
# the run, leaves its input in <build>/crashes/<target>/ and makes this script fail.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     targets: config control minisign http front_request
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(config control minisign http front_request)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}

command -v clang++ >/dev/null || { echo "fuzz: clang++ is needed: scripts/install-deps.sh --test" >&2; exit 1; }
sanitizers="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_C_FLAGS="$sanitizers" -DCMAKE_CXX_FLAGS="$sanitizers" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DHOTSWAP_FUZZ=ON -DHOTSWAP_TESTS=OFF -DHOTSWAP_BENCH=OFF >/dev/null
ninja -C "$build" "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for target in "${targets[@]}"; do
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/hotswap-fuzz-$target.XXXXXX")
    cp "$root/tests/fuzz/corpus/$target/"* "$scratch/"
    mkdir -p "$build/crashes/$target"
    dict=()
    [[ -f "$root/tests/fuzz/$target.dict" ]] && dict=(-dict="$root/tests/fuzz/$target.dict")
    echo "== fuzz $target for ${seconds}s"
    status=0
    "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$target/" "${dict[@]}" "$scratch" 2>"$build/fuzz-$target.log" || status=$?
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$build/fuzz-$target.log" || true
    rm -rf "$scratch"
    if ((status != 0)); then
        tail -n 60 "$build/fuzz-$target.log" >&2
        echo "fuzz: $target failed; the input is in $build/crashes/$target/" >&2
        exit 1
    fi
done
