#!/usr/bin/env bash
# Reload benchmark (zero-downtime reload): a small project (a one-line source, a shell "build", the testapp
# fixture as the server) reloaded RELOADS times in fd mode and in restart mode, in one run:
#  - save-to-served latency (median; from the write of the source file to the first answer of the new
#    version), idle and under load, against a baseline of build + app start (+ 15 ms, the target);
#  - failed requests per reload under load (keep-alive loadgen);
#  - request latency p50/p99 during the reloads against steady state (no reload), and against "builds
#    only" (the build run back to back for as long as the reloads took, with no swap), which separates the
#    build's CPU from the swap's.
# Every baseline is measured in the same run, on the same machine.
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
app_pid=""
cleanup() {
    if [[ -n $load_pid ]]; then kill -INT "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null; fi
    if [[ -n $hs_pid ]]; then kill -TERM "$hs_pid" 2>/dev/null; wait "$hs_pid" 2>/dev/null; fi
    if [[ -n $app_pid ]]; then kill -TERM "$app_pid" 2>/dev/null; wait "$app_pid" 2>/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP  # through the EXIT trap, so nothing started here outlives an interrupted run

# ---- helpers --------------------------------------------------------------------------------------

now_us() { echo "${EPOCHREALTIME/./}"; }
# A pipe nobody writes to: `read -t` on it pauses without starting a process.
exec {idle_fd}<> <(:)
pause_ms() { local t; printf -v t '0.%03d' "$1"; read -r -t "$t" -u "$idle_fd" _ || true; }
free_port() {
    # Below the kernel's ephemeral range: a port some client connection uses as its source port cannot be
    # bound, even though nobody listens on it.
    local low p
    low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    ((low > 12000)) || low=32768
    for _ in $(seq 1 200); do
        p=$((10000 + RANDOM % (low - 10000)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo "no free port" >&2
    exit 1
}
# answers PORT TEXT: one request over bash's own /dev/tcp (no process started); true when the answer
# holds TEXT.
answers() {
    local fd line=""
    { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
    printf 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n' >&"$fd" 2>/dev/null || { exec {fd}>&-; return 1; }
    while IFS= read -r -t 2 -u "$fd" line; do
        [[ $line == "hello from testapp "* ]] && break
    done
    exec {fd}>&-
    [[ $line == *"$2"* ]]
}
# wait_answers PORT TEXT SECONDS [POLL_MS]: polls every POLL_MS (default 1). Each poll is a connection
# the server accepts, so under load the poll is sparser: it must not become the load it measures.
wait_answers() {
    local deadline=$((SECONDS + $3))
    until answers "$1" "$2"; do
        ((SECONDS < deadline)) || return 1
        pause_ms "${4:-1}"
    done
}
# wait_log_line FD TEXT SECONDS: reads the log through FD (open on the file, positioned where the last call
# stopped) until a line holds TEXT. Builtins only: no process is started while the load runs.
wait_log_line() {
    local deadline=$((SECONDS + $3)) line
    while ((SECONDS < deadline)); do
        while IFS= read -r -u "$1" line; do
            [[ $line == *"$2"* ]] && return 0
        done
        pause_ms 2
    done
    return 1
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f ms", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
field() { sed -E "s/.*[ ^]$1=([0-9]+).*/\\1/" <<<" $2"; }

make_project() {
    rm -rf "$work/project"
    mkdir -p "$work/project/src"
    echo v1 > "$work/project/src/version.txt"
    printf '#!/bin/sh\nmkdir -p out && cp src/version.txt out/version\n' > "$work/project/build.sh"
    chmod +x "$work/project/build.sh"
}

start_load() {  # start_load PORT NAME
    "$LOADGEN" --port "$1" --connections "$CONNECTIONS" > "$work/$2.load" &
    load_pid=$!
    until grep -qs running "$work/$2.load"; do pause_ms 5; done
}
stop_load() {  # stop_load NAME: sets LOAD_LINE
    kill -INT "$load_pid"
    wait "$load_pid" || true
    load_pid=""
    LOAD_LINE=$(tail -n 1 "$work/$1.load")
}

# ---- baselines: the build and the app on their own ------------------------------------------------------

# measure_baselines: sets BUILD_US and START_US (medians of SAMPLES).
measure_baselines() {
    make_project
    cd "$work/project"
    local builds=() starts=() t0 port
    for _ in $(seq 1 "$SAMPLES"); do
        t0=$(now_us); ./build.sh; builds+=($(($(now_us) - t0)))
    done
    for _ in $(seq 1 "$SAMPLES"); do
        port=$(free_port)
        t0=$(now_us)
        "$TESTAPP" --port "$port" --version base >/dev/null 2>&1 &
        app_pid=$!
        wait_answers "$port" base 10 || { echo "testapp did not start" >&2; exit 1; }
        starts+=($(($(now_us) - t0)))
        kill -TERM "$app_pid"; wait "$app_pid" || true
        app_pid=""
    done
    BUILD_US=$(printf '%s\n' "${builds[@]}" | median)
    START_US=$(printf '%s\n' "${starts[@]}" | median)
    cd "$work"
}

# builds_only: builds back to back for as long as the fd reloads took (FD_SPAN_US), no swap: the build's
# own CPU under load, paced like the reloads (which also follow one another without a pause).
builds_only() {
    make_project
    cd "$work/project"
    local i=2 end=$(($(now_us) + FD_SPAN_US))
    while (($(now_us) < end)); do
        echo "v$i" > src/version.txt
        ./build.sh
        i=$((i + 1))
    done
    cd "$work"
}

# ---- reloads ------------------------------------------------------------------------------------------

# reloads MODE LOAD(0|1): RELOADS reloads one after the other; sets SERVED_US (median save-to-served) and,
# under load, LOAD_LINE for the reloads' span.
reloads() {
    local mode=$1 load=$2 port args
    port=$(free_port)
    make_project
    cd "$work/project"
    if [[ $mode == fd ]]; then
        args=(-w src -b ./build.sh -l "127.0.0.1:$port" --ready notify -- "$TESTAPP" --notify --version-file out/version)
    else
        args=(-w src -b ./build.sh -- "$TESTAPP" --port "$port" --version-file out/version)
    fi
    "$HOTSWAP" "${args[@]}" > "$work/$mode.log" 2>&1 &
    hs_pid=$!
    wait_answers "$port" "testapp v1" 30 || { echo "$mode: v1 never served" >&2; tail "$work/$mode.log" >&2; exit 1; }
    ((load)) && start_load "$port" "$mode"
    local served=() i t0 poll=1 logfd span_start
    ((load)) && poll=${LOAD_POLL_MS:-5}
    exec {logfd}< "$work/$mode.log"
    span_start=$(now_us)
    for i in $(seq 2 $((RELOADS + 1))); do
        t0=$(now_us)
        echo "v$i" > src/version.txt
        wait_answers "$port" "testapp v$i" 30 "$poll" || { echo "$mode: v$i never served" >&2; tail "$work/$mode.log" >&2; exit 1; }
        served+=($(($(now_us) - t0)))
        # One reload at a time: the next edit once the previous version has stopped.
        wait_log_line "$logfd" "testapp v$((i - 1)) stopped" 30 || true
    done
    exec {logfd}<&-
    SPAN_US=$(($(now_us) - span_start))
    ((load)) && stop_load "$mode"
    kill -TERM "$hs_pid"; wait "$hs_pid" || true
    hs_pid=""
    SERVED_US=$(printf '%s\n' "${served[@]}" | median)
    cd "$work"
}

# ---- the run ------------------------------------------------------------------------------------------

measure_baselines
budget_us=$((BUILD_US + START_US + 15000))

reloads fd 0; fd_idle=$SERVED_US
reloads restart 0; rs_idle=$SERVED_US

# steady_state NAME: a testapp serving on its own under the same load; with NAME=builds, RELOADS builds run
# meanwhile (no swap). Sets STEADY_LINE.
steady_state() {
    local port
    port=$(free_port)
    "$TESTAPP" --port "$port" --version steady >/dev/null 2>&1 &
    app_pid=$!
    wait_answers "$port" steady 10
    if [[ $1 == builds ]]; then
        start_load "$port" builds
        builds_only
        stop_load builds
        STEADY_LINE=$LOAD_LINE
    else
        STEADY_LINE=$("$LOADGEN" --port "$port" --connections "$CONNECTIONS" --duration-ms "$STEADY_MS" | tail -n 1)
    fi
    kill -TERM "$app_pid"; wait "$app_pid" || true
    app_pid=""
}

# The load phase, bracketed by two steady-state windows: this machine is shared, and the lower of the two
# p99s is the stricter baseline.
steady_state plain; steady_before=$STEADY_LINE
reloads fd 1; fd_load=$SERVED_US fd_line=$LOAD_LINE FD_SPAN_US=$SPAN_US
steady_state builds; builds_line=$STEADY_LINE
reloads restart 1; rs_load=$SERVED_US rs_line=$LOAD_LINE
steady_state plain; steady_after=$STEADY_LINE
steady_p50=$(field p50_us "$steady_before") steady_p99=$(field p99_us "$steady_before")
if (($(field p99_us "$steady_after") < steady_p99)); then
    steady_p50=$(field p50_us "$steady_after") steady_p99=$(field p99_us "$steady_after")
fi
builds_p50=$(field p50_us "$builds_line") builds_p99=$(field p99_us "$builds_line")

# ---- report -------------------------------------------------------------------------------------------

per_reload() { awk -v f="$1" -v n="$RELOADS" 'BEGIN { printf "%.2f", f / n }'; }
echo "reload benchmark: $RELOADS reloads per mode and pass, $CONNECTIONS keep-alive connections of load, $(nproc) cores"
echo "baselines (this run; medians of $SAMPLES):"
printf '  %-38s %s\n' "build alone" "$(ms "$BUILD_US")" \
    "app start alone (exec to answer)" "$(ms "$START_US")" \
    "target: build + start + 15 ms" "$(ms "$budget_us")"
printf '  %-38s p50 %s us  p99 %s us\n' "steady state, no reload" "$steady_p50" "$steady_p99" \
    "builds only (back to back), no swap" "$builds_p50" "$builds_p99"
echo "  (steady windows before and after the load passes: p99 $(field p99_us "$steady_before") us and $(field p99_us "$steady_after") us; the lower is used)"
echo
printf '%-8s %-18s %-18s %-14s %-8s %-9s %-9s %-13s %-13s\n' mode "save->served idle" "save->served load" \
    "failed/reload" failed "p50 (us)" "p99 (us)" "p99/steady" "p99/builds"
for mode in fd restart; do
    if [[ $mode == fd ]]; then idle=$fd_idle load=$fd_load line=$fd_line; else idle=$rs_idle load=$rs_load line=$rs_line; fi
    f=$(field failed "$line") p50=$(field p50_us "$line") p99=$(field p99_us "$line")
    printf '%-8s %-18s %-18s %-14s %-8s %-9s %-9s %-13s %-13s\n' "$mode" "$(ms "$idle") $(ratio "$idle" "$budget_us")" \
        "$(ms "$load")" "$(per_reload "$f")" "$f" "$p50" "$p99" "$(ratio "$p99" "$steady_p99")" "$(ratio "$p99" "$builds_p99")"
done
echo "  (save->served idle: ratio to the target build + start + 15 ms)"
fd_failed=$(field failed "$fd_line") fd_p99=$(field p99_us "$fd_line") fd_ok=$(field ok "$fd_line")
verdict() { if eval "$2"; then echo "  ok    $1"; else echo "  MISS  $1"; fi; }
echo "targets, fd mode:"
verdict "0 failed requests: $fd_failed over $RELOADS reloads ($fd_ok ok)" "((fd_failed == 0))"
verdict "p99 during reloads <= 2x steady p99: $fd_p99 us vs $steady_p99 us ($(ratio "$fd_p99" "$steady_p99"))" "((fd_p99 <= 2 * steady_p99))"
verdict "save-to-served <= build + start + 15 ms: $(ms "$fd_idle") vs $(ms "$budget_us")" "((fd_idle <= budget_us))"
