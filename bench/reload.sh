#!/usr/bin/env bash
# Reload benchmark (issue: zero-downtime reload): a small project (a one-line source, a shell "build", the
# testapp fixture as the server) reloaded RELOADS times under load in fd mode and in restart mode, in one
# run. For each mode: failed requests per reload, save-to-served latency (median: from the write of the
# source file to the first answer of the new version), and request latency p50/p99 during the reloads.
# Baselines, measured in the same run: the build alone, the app's start alone (exec to first answer),
# and request latency in steady state (no reload).
# Targets: 0 failed in fd mode; p99 during reloads <= 2x steady p99; save-to-served <= build + start + 15 ms.
#
# Run by `bench/run.sh reload`, which sets HOTSWAP (a Release build) and HOTSWAP_BUILD_DIR (its build
# directory, holding tests/testapp and tests/loadgen).
set -euo pipefail
: "${HOTSWAP:?set HOTSWAP to a Release hotswap binary (bench/run.sh does)}"
: "${HOTSWAP_BUILD_DIR:?set HOTSWAP_BUILD_DIR to its build directory (bench/run.sh does)}"
TESTAPP=$HOTSWAP_BUILD_DIR/tests/testapp
LOADGEN=$HOTSWAP_BUILD_DIR/tests/loadgen
[[ -x $TESTAPP && -x $LOADGEN ]] || { echo "reload.sh: $TESTAPP and $LOADGEN are needed (-DHOTSWAP_TESTS=ON)" >&2; exit 1; }
RELOADS=${RELOADS:-20}
SAMPLES=${SAMPLES:-20}
STEADY_MS=${STEADY_MS:-3000}
CONNECTIONS=${CONNECTIONS:-4}
export NO_COLOR=1

work=$(mktemp -d "${TMPDIR:-/tmp}/hotswap-bench.XXXXXX")
hs_pid=""
load_pid=""
cleanup() {
    [[ -n $load_pid ]] && kill -INT "$load_pid" 2>/dev/null && wait "$load_pid" 2>/dev/null
    [[ -n $hs_pid ]] && kill -TERM "$hs_pid" 2>/dev/null && wait "$hs_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# ---- helpers --------------------------------------------------------------------------------------

now_us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    echo "no free port" >&2
    exit 1
}
# answers PORT TEXT: one request with bash's own /dev/tcp (no process started, so polling is cheap and
# tight); true when the answer holds TEXT.
answers() {
    local fd line
    exec {fd}<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || return 1
    printf 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n' >&"$fd" 2>/dev/null || { exec {fd}>&-; return 1; }
    while IFS= read -r -t 2 -u "$fd" line; do
        [[ $line == "hello from testapp "* ]] && break
    done
    exec {fd}>&-
    [[ $line == *"$2"* ]]
}
wait_answers() {  # wait_answers PORT TEXT SECONDS
    local deadline=$((SECONDS + $3))
    until answers "$1" "$2"; do ((SECONDS < deadline)) || return 1; done
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f ms", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
field() { sed -E "s/.*[ ^]$1=([0-9]+).*/\\1/" <<<" $2"; }

make_project() {
    rm -rf "$work/project"
    mkdir -p "$work/project/src"
    echo v1 > "$work/project/src/version.txt"
    cat > "$work/project/build.sh" <<'SH'
#!/bin/sh
mkdir -p out && cp src/version.txt out/version
SH
    chmod +x "$work/project/build.sh"
}

# ---- baselines ----------------------------------------------------------------------------------------

make_project
cd "$work/project"
build_samples=()
for _ in $(seq 1 "$SAMPLES"); do
    t0=$(now_us); ./build.sh; t1=$(now_us)
    build_samples+=($((t1 - t0)))
done
build_us=$(printf '%s\n' "${build_samples[@]}" | median)

start_samples=()
for _ in $(seq 1 "$SAMPLES"); do
    port=$(free_port)
    t0=$(now_us)
    "$TESTAPP" --port "$port" --version base >/dev/null 2>&1 &
    app=$!
    wait_answers "$port" base 10 || { echo "testapp did not start" >&2; exit 1; }
    t1=$(now_us)
    kill -TERM "$app"; wait "$app" || true
    start_samples+=($((t1 - t0)))
done
start_us=$(printf '%s\n' "${start_samples[@]}" | median)
budget_us=$((build_us + start_us + 15000))

# ---- one mode -------------------------------------------------------------------------------------------

# run_mode fd|restart: sets FAILED, OK, P50, P99, SERVED_US (median) for RELOADS reloads under load; with
# STEADY=1 it first measures steady-state latency (no reload) and sets STEADY_P50, STEADY_P99.
run_mode() {
    local mode=$1 port args
    port=$(free_port)
    make_project
    cd "$work/project"
    if [[ $mode == fd ]]; then
        args=(-w src -b ./build.sh -l "127.0.0.1:$port" --ready notify -- /bin/sh -c
              "exec '$TESTAPP' --notify --version \$(cat out/version)")
    else
        args=(-w src -b ./build.sh -- /bin/sh -c "exec '$TESTAPP' --port $port --version \$(cat out/version)")
    fi
    "$HOTSWAP" "${args[@]}" > "$work/$mode.log" 2>&1 &
    hs_pid=$!
    wait_answers "$port" "testapp v1" 30 || { echo "$mode: v1 never served" >&2; tail "$work/$mode.log" >&2; exit 1; }

    if [[ ${STEADY:-0} == 1 ]]; then
        local steady
        steady=$("$LOADGEN" --port "$port" --connections "$CONNECTIONS" --duration-ms "$STEADY_MS" | tail -n 1)
        STEADY_P50=$(field p50_us "$steady")
        STEADY_P99=$(field p99_us "$steady")
        STEADY_OK=$(field ok "$steady")
    fi

    "$LOADGEN" --port "$port" --connections "$CONNECTIONS" > "$work/$mode.load" &
    load_pid=$!
    until grep -q running "$work/$mode.load"; do sleep 0.01; done
    local served=() i t0
    for i in $(seq 2 $((RELOADS + 1))); do
        t0=$(now_us)
        echo "v$i" > src/version.txt
        wait_answers "$port" "testapp v$i" 30 || { echo "$mode: v$i never served" >&2; tail "$work/$mode.log" >&2; exit 1; }
        served+=($(($(now_us) - t0)))
        # Reloads one at a time: the next edit only once the previous version has stopped.
        local deadline=$((SECONDS + 30))
        until grep -q "testapp v$((i - 1)) stopped" "$work/$mode.log"; do
            ((SECONDS < deadline)) || break
            sleep 0.005
        done
    done
    kill -INT "$load_pid"; wait "$load_pid" || true
    load_pid=""
    kill -TERM "$hs_pid"; wait "$hs_pid" || true
    hs_pid=""
    local line
    line=$(tail -n 1 "$work/$mode.load")
    FAILED=$(field failed "$line")
    OK=$(field ok "$line")
    P50=$(field p50_us "$line")
    P99=$(field p99_us "$line")
    SERVED_US=$(printf '%s\n' "${served[@]}" | median)
    cd "$work"
}

STEADY=1 run_mode fd
fd_failed=$FAILED fd_ok=$OK fd_p50=$P50 fd_p99=$P99 fd_served=$SERVED_US
STEADY=0 run_mode restart
rs_failed=$FAILED rs_ok=$OK rs_p50=$P50 rs_p99=$P99 rs_served=$SERVED_US

# ---- report -------------------------------------------------------------------------------------------

per_reload() { awk -v f="$1" -v n="$RELOADS" 'BEGIN { printf "%.2f", f / n }'; }
echo "reload benchmark: $RELOADS reloads per mode under load ($CONNECTIONS keep-alive connections), $(nproc) cores"
echo "baselines (this run, median of $SAMPLES):"
echo "  build alone                $(ms "$build_us")"
echo "  app start alone            $(ms "$start_us") (exec to first answer)"
echo "  budget build+start+15 ms   $(ms "$budget_us")"
echo "  steady state (no reload)   p50 ${STEADY_P50} us  p99 ${STEADY_P99} us  ($STEADY_OK requests in $STEADY_MS ms)"
printf '%-8s %14s %10s %20s %16s %10s %10s %16s\n' mode "failed/reload" failed "save->served (med)" "vs budget" "p50 (us)" "p99 (us)" "p99 vs steady"
for mode in fd restart; do
    if [[ $mode == fd ]]; then f=$fd_failed s=$fd_served p50=$fd_p50 p99=$fd_p99; else f=$rs_failed s=$rs_served p50=$rs_p50 p99=$rs_p99; fi
    printf '%-8s %14s %10s %20s %16s %10s %10s %16s\n' "$mode" "$(per_reload "$f")" "$f" "$(ms "$s")" \
        "$(ratio "$s" "$budget_us")" "$p50" "$p99" "$(ratio "$p99" "$STEADY_P99")"
done
verdict() { if eval "$2"; then echo "  ok    $1"; else echo "  MISS  $1"; fi; }
echo "targets (fd mode):"
verdict "0 failed requests ($fd_failed over $RELOADS reloads, $fd_ok ok)" "((fd_failed == 0))"
verdict "p99 during reloads <= 2x steady p99 ($fd_p99 us vs $STEADY_P99 us: $(ratio "$fd_p99" "$STEADY_P99"))" "((fd_p99 <= 2 * STEADY_P99))"
verdict "save-to-served <= build + start + 15 ms ($(ms "$fd_served") vs $(ms "$budget_us"))" "((fd_served <= budget_us))"
echo "restart mode, for comparison: $rs_failed failed requests ($(per_reload "$rs_failed") per reload), save-to-served $(ms "$rs_served")"
