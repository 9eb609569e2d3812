#!/usr/bin/env bash
# Reload benchmark (zero-downtime reload): a small project (a one-line source, a shell "build", the testapp
# fixture as the server) reloaded RELOADS times per pass, in one run:
#  - save-to-served latency (median; from the write of the source file to the first answer of the new
#    version: idle, to a poll of the benchmark's; under load, to the load itself, which reports each new
#    version it meets, so no request of the benchmark's joins the load), against a baseline of build +
#    app start (+ 15 ms, the target);
#  - failed requests per reload under load;
#  - request latency p50/p99/max during the reloads against steady state (no reload), measured with an
#    open-loop load: a fixed RATE of requests per second whatever the server does, latency counted from
#    each request's intended send time (a stall is charged to every request it holds back). RATE leaves
#    CPU headroom: by default RATE_SHARE % (10) of what a closed loop (as fast as possible) reaches in this
#    run (at 50 % two cores are already saturated by the load generator and the server), so the figures
#    show what a reload costs the server, not how a saturated machine shares its cores. The machine may be shared: ROUNDS rounds of (steady window, fd reloads) are compared pairwise
#    and the median round decides;
#  - the same against "builds only" (the build run back to back for as long as the reloads took, no swap)
#    at hotswap's priority, at nice 10 (the default --build-nice) and at SCHED_IDLE (--build-nice idle),
#    which separates the build's CPU from the swap's; fd mode at each of the three; restart mode;
#  - the floor: the processes a reload starts (the build at the default nice, then the app started until it
#    listens, and stopped), started by this script back to back for as long as the reloads took, with no
#    hotswap and no swap: what starting a new version costs this machine's other work, whoever does it;
#  - the fd reloads paced as a developer saves (one edit every PACE_MS, 500 by default; in each round, after
#    the back-to-back pass), p99 over the span against the round's steady window;
#  - hotswap's own CPU time per reload (its process alone), idle and under load;
#  - a secondary closed-loop line (CONNECTIONS as fast as possible), steady against fd reloads.
# Every baseline is measured in the same run, on the same machine.
# Targets: 0 failed in fd mode; p99 during reloads <= 2x steady p99; save-to-served <= build + start + 15 ms.
#
# Run by `bench/run.sh reload`, which sets HOTSWAP (a Release build) and HOTSWAP_BUILD_DIR (its build
# directory, holding tests/testapp and tests/loadgen). RATE=N fixes the open-loop rate.
set -euo pipefail
: "${HOTSWAP:?set HOTSWAP to a Release hotswap binary (bench/run.sh does)}"
: "${HOTSWAP_BUILD_DIR:?set HOTSWAP_BUILD_DIR to its build directory (bench/run.sh does)}"
TESTAPP=$HOTSWAP_BUILD_DIR/tests/testapp
LOADGEN=$HOTSWAP_BUILD_DIR/tests/loadgen
[[ -x $TESTAPP && -x $LOADGEN ]] || { echo "reload.sh: $TESTAPP and $LOADGEN are needed (-DHOTSWAP_TESTS=ON)" >&2; exit 1; }
RELOADS=${RELOADS:-20}
SAMPLES=${SAMPLES:-20}
STEADY_MS=${STEADY_MS:-2000}
CAPACITY_MS=${CAPACITY_MS:-2000}
CONNECTIONS=${CONNECTIONS:-4}
BUILD_NICE=${BUILD_NICE:-10}  # hotswap's default --build-nice
RATE=${RATE:-}
RATE_SHARE=${RATE_SHARE:-10}  # the open loop's default rate, in % of the closed loop's
ROUNDS=${ROUNDS:-3}           # steady window + fd reloads, compared round by round
PACE_MS=${PACE_MS:-500}       # the paced pass: one save every PACE_MS, as a developer saving often
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
# shellcheck source=../scripts/lib/free_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/free_port.sh"
# answers PORT TEXT: one request over bash's own /dev/tcp (no process started); true when the answer
# holds TEXT. A connection reset (the old version going away under the poll) is just a "no".
answers() {
    local fd line=""
    { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
    # A server going away under the poll resets the connection: the write must fail, not kill this script
    # with SIGPIPE (ignored only around the write; nothing is started meanwhile).
    trap '' PIPE
    printf 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n' >&"$fd" 2>/dev/null || { trap - PIPE; exec {fd}>&-; return 1; }
    trap - PIPE
    while IFS= read -r -t 2 -u "$fd" line 2>/dev/null; do
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
# pause_until_us T: pauses until the wall clock reaches T (microseconds), in slices pause_ms can take.
pause_until_us() {
    local left
    while left=$((($1 - $(now_us)) / 1000)); ((left > 0)); do pause_ms $((left > 999 ? 999 : left)); done
}
# wait_first FD VERSION SECONDS: reads the load generator's output through FD until it reports the first
# answer of VERSION ("loadgen first <us> hello from testapp VERSION"); sets FIRST_AT_US to that answer's
# wall-clock time. The load itself tells when a version took over: no request of the benchmark's own
# joins the load it measures.
wait_first() {
    local deadline=$((SECONDS + $3)) line
    while ((SECONDS < deadline)); do
        while IFS= read -r -u "$1" line; do
            if [[ $line == "loadgen first "*" hello from testapp $2" ]]; then
                FIRST_AT_US=${line#loadgen first }
                FIRST_AT_US=${FIRST_AT_US%% *}
                return 0
            fi
        done
        pause_ms 1
    done
    return 1
}
# cpu_us PID: CPU time PID has used, in microseconds (builtins only): /proc/PID/sched's sum_exec_runtime
# where the kernel has it, else utime + stime from /proc/PID/stat (10 ms steps).
cpu_us() {
    local line value s
    if [[ -r /proc/$1/sched ]]; then
        while IFS= read -r line; do
            if [[ $line == se.sum_exec_runtime* ]]; then
                value=${line##* }
                echo $((10#${value%.*} * 1000 + 10#${value#*.} / 1000))
                return
            fi
        done < "/proc/$1/sched"
    fi
    read -r s < "/proc/$1/stat"
    s=${s##*) }
    set -- $s
    echo $((( ${12} + ${13} ) * 10000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f ms", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
field() { sed -E "s/.*[ ^]$1=([0-9]+).*/\\1/" <<<" $2"; }
per_second() { awk -v n="$1" -v us="$2" 'BEGIN { if (us > 0) printf "%d", n * 1000000 / us; else print 0 }'; }

make_project() {
    rm -rf "$work/project"
    mkdir -p "$work/project/src"
    echo v1 > "$work/project/src/version.txt"
    # The build also records the niceness it ran at (field 19 of its stat; builtins only, no process), so
    # the report shows the priority each pass really had.
    printf '%s\n' '#!/bin/sh' 'mkdir -p out && cp src/version.txt out/version' \
        'read -r s < /proc/$$/stat; set -- $s; if [ "${41}" = 5 ]; then echo idle; else echo "${19}"; fi > out/nice' \
        > "$work/project/build.sh"
    chmod +x "$work/project/build.sh"
}
build_nice_seen() { cat "$work/project/out/nice" 2>/dev/null || echo "?"; }

# start_load PORT NAME [RATE]: keep-alive load on PORT, open loop at RATE requests/s (closed loop without).
start_load() {
    local rate=()
    [[ -n ${3:-} ]] && rate=(--rate "$3")
    "$LOADGEN" --port "$1" --connections "$CONNECTIONS" "${rate[@]}" --report-changes > "$work/$2.load" &
    load_pid=$!
    LOAD_START_US=$(now_us)
    until grep -qs answered "$work/$2.load"; do pause_ms 5; done
}
stop_load() {  # stop_load NAME: sets LOAD_LINE and LOAD_SPAN_US
    kill -INT "$load_pid"
    wait "$load_pid" || true
    load_pid=""
    LOAD_SPAN_US=$(($(now_us) - LOAD_START_US))
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

# builds_only NICE: builds back to back for as long as the fd reloads took (FD_SPAN_US), no swap, at NICE
# steps below this script (the subshell lowers itself once; the builds inherit it): the build's own CPU
# under load, paced like the reloads (which also follow one another without a pause).
builds_only() {
    make_project
    cd "$work/project"
    (
        case $1 in
            0) ;;
            idle) chrt --idle -p 0 "$BASHPID" ;;
            *) renice -n "$1" -p "$BASHPID" >/dev/null ;;
        esac
        i=2 end=$(($(now_us) + FD_SPAN_US))
        while (($(now_us) < end)); do
            echo "v$i" > src/version.txt
            ./build.sh
            i=$((i + 1))
        done
    )
    BUILT_AT_NICE=$(build_nice_seen)
    cd "$work"
}

# ---- reloads ------------------------------------------------------------------------------------------

# reloads MODE LOAD(0|open|closed) [BUILD_NICE] [PACE_MS]: RELOADS reloads, each edit once the previous
# version has stopped (back to back), or with PACE_MS one edit every PACE_MS; sets SERVED_US (median
# save-to-served), BUILT_AT_NICE and, under load, LOAD_LINE and SPAN_US for the reloads' span. Idle,
# "served" is the first answer of the new version to a poll of the benchmark's; under load, the first
# answer of the new version to the load itself (wait_first), so the load is all the traffic there is.
reloads() {
    local mode=$1 load=$2 nice=${3:-$BUILD_NICE} pace_ms=${4:-0} port args
    port=$(free_port)
    make_project
    cd "$work/project"
    if [[ $mode == fd ]]; then
        args=(-w src -b ./build.sh --build-nice "$nice" -l "127.0.0.1:$port" --ready notify -- "$TESTAPP" --notify --version-file out/version)
    else
        args=(-w src -b ./build.sh --build-nice "$nice" -- "$TESTAPP" --port "$port" --version-file out/version)
    fi
    "$HOTSWAP" "${args[@]}" > "$work/$mode.log" 2>&1 &
    hs_pid=$!
    wait_answers "$port" "testapp v1" 30 || { echo "$mode: v1 never served" >&2; tail "$work/$mode.log" >&2; exit 1; }
    local loadfd=""
    case $load in
        open) start_load "$port" "$mode" "$RATE" ;;
        closed) start_load "$port" "$mode" ;;
    esac
    [[ $load != 0 ]] && exec {loadfd}< "$work/$mode.load"
    local served=() i t0 logfd span_start
    exec {logfd}< "$work/$mode.log"
    span_start=$(now_us)
    local cpu_start
    cpu_start=$(cpu_us "$hs_pid")
    for i in $(seq 2 $((RELOADS + 1))); do
        t0=$(now_us)
        echo "v$i" > src/version.txt
        if [[ -n $loadfd ]]; then
            wait_first "$loadfd" "v$i" 30 || { echo "$mode: the load never got an answer from v$i" >&2; tail "$work/$mode.log" >&2; exit 1; }
            served+=($((FIRST_AT_US - t0)))
        else
            wait_answers "$port" "testapp v$i" 30 || { echo "$mode: v$i never served" >&2; tail "$work/$mode.log" >&2; exit 1; }
            served+=($(($(now_us) - t0)))
        fi
        # One reload at a time: the next edit once the previous version has stopped.
        wait_log_line "$logfd" "testapp v$((i - 1)) stopped" 30 || true
        ((pace_ms > 0)) && pause_until_us $((t0 + pace_ms * 1000))
    done
    exec {logfd}<&-
    [[ -n $loadfd ]] && exec {loadfd}<&-
    SPAN_US=$(($(now_us) - span_start))
    HS_CPU_US=$((($(cpu_us "$hs_pid") - cpu_start) / RELOADS))
    [[ $load != 0 ]] && stop_load "$mode"
    kill -TERM "$hs_pid"; wait "$hs_pid" || true
    hs_pid=""
    SERVED_US=$(printf '%s\n' "${served[@]}" | median)
    BUILT_AT_NICE=$(build_nice_seen)
    cd "$work"
}

# churn_only NICE: what a reload starts, without hotswap and without a swap, back to back for as long as the
# fd reloads took (FD_SPAN_US): the build at NICE steps below this script, then the app started on a port
# of its own until it listens, and stopped. The floor a reload of this app costs this machine, whoever
# does it. The build runs in a worker lowered once (as hotswap lowers each build), handed each build
# through a FIFO: no process is started beyond those a reload starts too.
churn_only() {
    make_project
    cd "$work/project"
    rm -f "$work/go" "$work/done"
    mkfifo "$work/go" "$work/done"
    (
        case $1 in
            0) ;;
            idle) chrt --idle -p 0 "$BASHPID" ;;
            *) renice -n "$1" -p "$BASHPID" >/dev/null ;;
        esac
        exec {go}< "$work/go" {done}> "$work/done"
        while read -r _ <&"$go"; do
            ./build.sh
            echo built >&"$done"
        done
    ) &
    local worker=$! go done end port app outfd i=2
    exec {go}> "$work/go" {done}< "$work/done"
    end=$(($(now_us) + FD_SPAN_US))
    port=$(free_port)
    while (($(now_us) < end)); do
        echo "v$i" > src/version.txt
        echo build >&"$go"
        read -r _ <&"$done"
        : > "$work/churn.out"
        "$TESTAPP" --port "$port" --version-file out/version > "$work/churn.out" 2>&1 &
        app=$!
        exec {outfd}< "$work/churn.out"
        wait_log_line "$outfd" "listening" 10 || true
        exec {outfd}<&-
        kill -TERM "$app"; wait "$app" || true
        i=$((i + 1))
    done
    exec {go}>&- {done}<&-
    wait "$worker" || true
    BUILT_AT_NICE=$(build_nice_seen)
    cd "$work"
}

# steady_state NAME LOAD(open|closed) [BUILDS_NICE [churn]]: a testapp serving on its own under the load for
# STEADY_MS (open loop at RATE) or CAPACITY_MS (closed loop); with BUILDS_NICE, builds run back to back
# meanwhile (no swap) at that niceness, and with churn each build is followed by an app start and stop
# (churn_only). Sets STEADY_LINE and STEADY_SPAN_US.
steady_state() {
    local port rate=()
    port=$(free_port)
    "$TESTAPP" --port "$port" --version steady >/dev/null 2>&1 &
    app_pid=$!
    wait_answers "$port" steady 10
    if [[ -n ${3:-} ]]; then
        start_load "$port" "$1" "$RATE"
        if [[ ${4:-} == churn ]]; then churn_only "$3"; else builds_only "$3"; fi
        stop_load "$1"
        STEADY_LINE=$LOAD_LINE STEADY_SPAN_US=$LOAD_SPAN_US
    else
        local duration=$STEADY_MS
        if [[ $2 == open ]]; then rate=(--rate "$RATE"); else duration=$CAPACITY_MS; fi
        STEADY_LINE=$("$LOADGEN" --port "$port" --connections "$CONNECTIONS" "${rate[@]}" --duration-ms "$duration" | tail -n 1)
        STEADY_SPAN_US=$((duration * 1000))
    fi
    kill -TERM "$app_pid"; wait "$app_pid" || true
    app_pid=""
}

# ---- the run ------------------------------------------------------------------------------------------

measure_baselines
budget_us=$((BUILD_US + START_US + 15000))

reloads fd 0; fd_idle=$SERVED_US fd_cpu_idle=$HS_CPU_US
reloads restart 0; rs_idle=$SERVED_US

# What a closed loop reaches on this machine now; the open loop runs at RATE_SHARE % of it unless RATE is
# given.
steady_state closed-steady closed; closed_steady=$STEADY_LINE
capacity=$(per_second "$(field ok "$closed_steady")" "$STEADY_SPAN_US")
rate_note="given"
if [[ -z $RATE ]]; then RATE=$((capacity * RATE_SHARE / 100 / 100 * 100)); rate_note="$RATE_SHARE% of the closed loop's"; fi
((RATE > 0)) || { echo "reload.sh: the closed loop got no answer: $closed_steady" >&2; exit 1; }

# The target's comparison, in ROUNDS rounds of a steady window followed by the fd reloads back to back,
# then paced as a developer saves (one edit every PACE_MS): this machine is shared, so each reload pass is
# compared with the steady window of its round, and each verdict takes the median round.
round_lines=() paced_rounds=()
for r in $(seq 1 "$ROUNDS"); do
    steady_state steady open; st=$STEADY_LINE
    reloads fd open
    round_lines+=("$st|$LOAD_LINE|$SERVED_US|$BUILT_AT_NICE")
    fd_cpu_load=$HS_CPU_US
    FD_SPAN_US=$SPAN_US
    fd_rps=$(per_second "$(field ok "$LOAD_LINE")" "$LOAD_SPAN_US")
    reloads fd open "$BUILD_NICE" "$PACE_MS"
    paced_rounds+=("$st|$LOAD_LINE|$SERVED_US|$BUILT_AT_NICE")
done
# What the p99 is made of, once each: the build alone at hotswap's priority and at the lowered one (no
# swap), the fd reloads with the build at hotswap's priority, and restart mode; then a last steady window.
steady_state builds0 open 0; builds0_line=$STEADY_LINE builds0_nice=$BUILT_AT_NICE
steady_state buildsn open 10; buildsn_line=$STEADY_LINE buildsn_nice=$BUILT_AT_NICE
steady_state buildsi open idle; buildsi_line=$STEADY_LINE buildsi_nice=$BUILT_AT_NICE
# The floor: a reload's processes (the build at the default nice, the app started and stopped) without
# hotswap and without a swap.
steady_state churn open "$BUILD_NICE" churn; churn_line=$STEADY_LINE churn_nice=$BUILT_AT_NICE
reloads fd open 0; fd0_load=$SERVED_US fd0_line=$LOAD_LINE fd0_nice=$BUILT_AT_NICE
reloads fd open 10; fd10_load=$SERVED_US fd10_line=$LOAD_LINE fd10_nice=$BUILT_AT_NICE
reloads fd open idle; fdi_load=$SERVED_US fdi_line=$LOAD_LINE fdi_nice=$BUILT_AT_NICE
reloads restart open; rs_load=$SERVED_US rs_line=$LOAD_LINE rs_nice=$BUILT_AT_NICE
steady_state steady open; steady_last=$STEADY_LINE
# Secondary: the closed loop through fd reloads (its steady baseline is the capacity window above).
reloads fd closed; fdc_line=$LOAD_LINE fdc_nice=$BUILT_AT_NICE

# ---- report -------------------------------------------------------------------------------------------

# The median round by its p99 ratio (the upper one of the middle two for an even count).
ratio_x100() { echo $(($1 * 100 / ($2 > 0 ? $2 : 1))); }
median_of() {  # median_of ARRAY: the index of the median round of "steady|reloads|..." entries
    local -n rounds=$1
    for r in "${!rounds[@]}"; do
        IFS='|' read -r st fd _ _ <<<"${rounds[$r]}"
        echo "$(ratio_x100 "$(field p99_us "$fd")" "$(field p99_us "$st")") $r"
    done | sort -n | awk '{ v[NR] = $2 } END { print v[int(NR / 2) + 1] }'
}
median_round=$(median_of round_lines)
IFS='|' read -r steady_line fd_line fd_load fd_nice <<<"${round_lines[$median_round]}"
paced_round=$(median_of paced_rounds)
IFS='|' read -r paced_steady paced_line paced_load paced_nice <<<"${paced_rounds[$paced_round]}"
steady_p99=$(field p99_us "$steady_line")
steady_p99s=$(for l in "${round_lines[@]}"; do field p99_us "${l%%|*}"; done; field p99_us "$steady_last")
steady_lo=$(sort -n <<<"$steady_p99s" | head -n 1) steady_hi=$(sort -n <<<"$steady_p99s" | tail -n 1)

per_reload() { awk -v f="$1" -v n="$RELOADS" 'BEGIN { printf "%.2f", f / n }'; }
echo "reload benchmark: $RELOADS reloads per pass, $CONNECTIONS keep-alive connections, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "baselines (this run; medians of $SAMPLES):"
printf '  %-34s %s\n' "build alone" "$(ms "$BUILD_US")" \
    "app start alone (exec to answer)" "$(ms "$START_US")" \
    "target: build + start + 15 ms" "$(ms "$budget_us")" \
    "closed loop, as fast as possible" "$capacity requests/s" \
    "open-loop rate (all passes below)" "$RATE requests/s ($rate_note)"
echo
echo "open loop at $RATE requests/s: latency from each request's intended send time (svc p99: from the actual"
echo "send, without the client's own lateness); p99/steady against the steady window right before"
printf '%-30s %-5s %-7s %-7s %-7s %-7s %-11s %-7s %-9s\n' pass nice failed "p50 us" "p99 us" "max us" "p99/steady" "svc p99" "requests"
row() {  # row NAME NICE LINE BASELINE_P99
    printf '%-30s %-5s %-7s %-7s %-7s %-7s %-11s %-7s %-9s\n' "$1" "$2" "$(field failed "$3")" "$(field p50_us "$3")" \
        "$(field p99_us "$3")" "$(field max_us "$3")" "$(ratio "$(field p99_us "$3")" "$4")" \
        "$(field service_p99_us "$3")" "$(field ok "$3")"
}
for r in "${!round_lines[@]}"; do
    IFS='|' read -r st fd _ nice <<<"${round_lines[$r]}"
    mark=""; ((r == median_round)) && mark=" *"
    row "round $((r + 1)): steady state" - "$st" "$(field p99_us "$st")"
    row "round $((r + 1)): fd reloads$mark" "$nice" "$fd" "$(field p99_us "$st")"
    IFS='|' read -r _ paced _ nice <<<"${paced_rounds[$r]}"
    mark=""; ((r == paced_round)) && mark=" *"
    row "round $((r + 1)): 1 save/${PACE_MS} ms$mark" "$nice" "$paced" "$(field p99_us "$st")"
done
echo "  (* the median round of each kind, used for the targets; fd reloads served $fd_rps requests/s over their"
echo "   span; a paced pass is compared with its round's steady window too)"
echo "against the median round's steady p99 ($steady_p99 us):"
row "builds only, no swap" "$builds0_nice" "$builds0_line" "$steady_p99"
row "builds only, no swap" "$buildsn_nice" "$buildsn_line" "$steady_p99"
row "builds only, no swap" "$buildsi_nice" "$buildsi_line" "$steady_p99"
row "builds + app starts, no swap" "$churn_nice" "$churn_line" "$steady_p99"
row "fd reloads, --build-nice 0" "$fd0_nice" "$fd0_line" "$steady_p99"
row "fd reloads, --build-nice 10" "$fd10_nice" "$fd10_line" "$steady_p99"
row "fd reloads, --build-nice idle" "$fdi_nice" "$fdi_line" "$steady_p99"
row "restart reloads" "$rs_nice" "$rs_line" "$steady_p99"
row "steady state, last" - "$steady_last" "$steady_p99"
echo "  (nice: the niceness the build really ran at; \"builds + app starts, no swap\": the processes a reload"
echo "   starts, started by this script for as long as the reloads took: the floor on this machine)"
if ((steady_hi > 2 * steady_lo)); then
    echo "  note: the steady p99 ranged from $steady_lo to $steady_hi us within this run: the machine was busy"
    echo "        with other work, so single figures are noisy; rerun when it is quiet"
fi
echo
echo "closed loop (secondary: $CONNECTIONS connections as fast as possible; a stall delays only the requests in flight)"
printf '%-30s %-5s %-7s %-7s %-7s %-7s %-11s\n' pass nice failed "p50 us" "p99 us" "max us" "p99/steady"
closed_p99=$(field p99_us "$closed_steady")
for r in "steady state|-|$closed_steady" "fd reloads|$fdc_nice|$fdc_line"; do
    IFS='|' read -r name nice line <<<"$r"
    printf '%-30s %-5s %-7s %-7s %-7s %-7s %-11s\n' "$name" "$nice" "$(field failed "$line")" "$(field p50_us "$line")" \
        "$(field p99_us "$line")" "$(field max_us "$line")" "$(ratio "$(field p99_us "$line")" "$closed_p99")"
done
echo
printf '%-30s %-18s %-18s %-14s\n' "save->served (median)" idle "under load" "failed/reload"
printf '%-30s %-18s %-18s %-14s\n' "fd" "$(ms "$fd_idle") $(ratio "$fd_idle" "$budget_us")" "$(ms "$fd_load")" "$(per_reload "$(field failed "$fd_line")")" \
    "fd, 1 save per ${PACE_MS} ms" "-" "$(ms "$paced_load")" "$(per_reload "$(field failed "$paced_line")")" \
    "fd, --build-nice 0" "-" "$(ms "$fd0_load")" "$(per_reload "$(field failed "$fd0_line")")" \
    "fd, --build-nice 10" "-" "$(ms "$fd10_load")" "$(per_reload "$(field failed "$fd10_line")")" \
    "fd, --build-nice idle" "-" "$(ms "$fdi_load")" "$(per_reload "$(field failed "$fdi_line")")" \
    "restart" "$(ms "$rs_idle") $(ratio "$rs_idle" "$budget_us")" "$(ms "$rs_load")" "$(per_reload "$(field failed "$rs_line")")"
echo "  (idle: ratio to the target build + start + 15 ms; under load: to the first answer of the new version"
echo "   to the load itself; restart mode must fail requests: proof they are seen)"
echo "hotswap's own CPU per reload (its process alone, not the build's or the app's): $(ms "$fd_cpu_idle") idle,"
echo "  $(ms "$fd_cpu_load") under load (a reload's build alone takes $(ms "$BUILD_US"), the app's start alone $(ms "$START_US"))"
echo
fd_failed=0 fd_ok=0
for l in "${round_lines[@]}" "${paced_rounds[@]}"; do
    IFS='|' read -r _ fd _ _ <<<"$l"
    fd_failed=$((fd_failed + $(field failed "$fd"))) fd_ok=$((fd_ok + $(field ok "$fd")))
done
fd_p99=$(field p99_us "$fd_line")
verdict() { if eval "$2"; then echo "  ok    $1"; else echo "  MISS  $1"; fi; }
echo "targets, fd mode (open loop at $RATE requests/s, build at nice $fd_nice):"
verdict "0 failed requests: $fd_failed over $((2 * RELOADS * ROUNDS)) reloads ($fd_ok ok)" "((fd_failed == 0))"
verdict "p99 during reloads <= 2x steady p99, back to back (median of $ROUNDS rounds): $fd_p99 us vs $steady_p99 us ($(ratio "$fd_p99" "$steady_p99"))" "((fd_p99 <= 2 * steady_p99))"
paced_p99=$(field p99_us "$paced_line") churn_p99=$(field p99_us "$churn_line")
paced_steady_p99=$(field p99_us "$paced_steady")
verdict "p99 during reloads <= 2x steady p99, one save per ${PACE_MS} ms (median of $ROUNDS rounds): $paced_p99 us vs $paced_steady_p99 us ($(ratio "$paced_p99" "$paced_steady_p99"))" "((paced_p99 <= 2 * paced_steady_p99))"
echo "  info  back to back, against the floor (the same processes started without hotswap or a swap):"
echo "        $fd_p99 us vs $churn_p99 us ($(ratio "$fd_p99" "$churn_p99")); the floor itself is $(ratio "$churn_p99" "$steady_p99") of steady"
verdict "save-to-served <= build + start + 15 ms: $(ms "$fd_idle") vs $(ms "$budget_us")" "((fd_idle <= budget_us))"
