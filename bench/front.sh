#!/usr/bin/env bash
# Front benchmark (the HTTP front, DESIGN.md §4a): hotswap's `--proxy` against HAProxy, with one static
# backend (bench/static_server: one thread, epoll) behind every proxy. In one run:
#  1. throughput, keep-alive (wrk, 1 thread, CONNECTIONS connections, DURATION per pass, ROUNDS rounds
#     that take every target in turn): direct to the backend, via the front, via HAProxy in mode http
#     (`nbthread 1`, `http-reuse always`), via HAProxy in mode tcp (and via the front's own tcp mode);
#     each proxy's req/s as a share of direct in the same round, and the front's share over
#     haproxy-http's (target >= 1.1);
#  2. the latency a proxy adds: p50/p99 through it minus direct, from the same wrk passes (target: the
#     front's p99 added <= haproxy-http's); and, as information, the same at a fixed rate well below
#     saturation (open loop, tests/fixtures/loadgen), where latency is not just 1 / throughput;
#  3. memory with IDLE_CONNECTIONS idle keep-alive clients (bench/idle_clients: one request on each, then
#     held): VmRSS of the front process (hotswap itself, not its app) against HAProxy's;
#  4. failed requests per reload with keep-alive clients through the front (loadgen, 8 connections,
#     closed loop) during RELOADS `hotswap reload`s: behind an app that stops gracefully on SIGTERM
#     (testapp) and one that exits at once (static_server), against the byte proxy (`--proxy-protocol
#     tcp`, proxy mode before the front) in the same run (target: 0 through the front).
# Targets: the front's share >= 1.1x haproxy-http's; the front's p99 added <= haproxy-http's; 0 failed
# requests per reload through the front. PARTS="throughput latency memory reloads" (the default) picks
# parts to rerun one (latency alone then needs RATE=N).
# PIN=1 (the default) pins the servers and proxies to CPU SERVER_CPU (0) and the load generators to CPU
# LOAD_CPU (1): on two cores the load generator then never competes with what it measures, and a proxy
# shares its core with the backend the same way in every target, which keeps the shares steady.
# A hotswap without the front (no --proxy-protocol) runs with today's byte proxy in its place, so the
# harness can be checked before the front exists; the report says so.
#
# Run by `bench/run.sh front`, which sets HOTSWAP (a Release build) and HOTSWAP_BUILD_DIR (its build
# directory, holding bench/static_server, bench/idle_clients, tests/testapp and tests/loadgen). Needs
# haproxy and wrk (scripts/install-deps.sh --bench). PROFILE=1 always records a perf profile of the front
# (otherwise only when it misses a target and perf is installed). KEEP_WORK=1 keeps the logs.
set -euo pipefail
: "${HOTSWAP:?set HOTSWAP to a Release hotswap binary (bench/run.sh does)}"
: "${HOTSWAP_BUILD_DIR:?set HOTSWAP_BUILD_DIR to its build directory (bench/run.sh does)}"
STATIC=$HOTSWAP_BUILD_DIR/bench/static_server
IDLE=$HOTSWAP_BUILD_DIR/bench/idle_clients
TESTAPP=$HOTSWAP_BUILD_DIR/tests/testapp
LOADGEN=$HOTSWAP_BUILD_DIR/tests/loadgen
for tool in "$STATIC" "$IDLE" "$TESTAPP" "$LOADGEN"; do
    [[ -x $tool ]] || { echo "front.sh: $tool is needed (a build with -DHOTSWAP_TESTS=ON)" >&2; exit 1; }
done
for tool in haproxy wrk curl; do
    command -v "$tool" >/dev/null || { echo "front.sh: $tool is needed (scripts/install-deps.sh --bench)" >&2; exit 1; }
done
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
RELOADS=${RELOADS:-20}
RELOAD_CONNECTIONS=${RELOAD_CONNECTIONS:-8}
# `hotswap reload` answers once the new version has passed probation (5 s by default): shorter, so the K
# reloads take seconds, long enough that the previous version has drained before the next reload.
RELOAD_PROBATION=${RELOAD_PROBATION:-1s}
RATE_SHARE=${RATE_SHARE:-25}  # the open loop's rate, in % of the slowest proxy's closed-loop req/s
OPEN_MS=${OPEN_MS:-3000}
PIN=${PIN:-1}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PROFILE=${PROFILE:-0}
PARTS=${PARTS:-throughput latency memory reloads}  # a subset, to rerun one part
export NO_COLOR=1
# Every idle client is a descriptor in the proxy (and, in mode tcp, one more towards the backend).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (($(ulimit -n) < IDLE_CONNECTIONS + 200)); then
    echo "front.sh: ulimit -n is $(ulimit -n): IDLE_CONNECTIONS=$IDLE_CONNECTIONS needs $((IDLE_CONNECTIONS + 200)) or more (or a smaller IDLE_CONNECTIONS)" >&2
    exit 1
fi
# A proxy in mode tcp holds two descriptors per client: as many idle clients as the limit lets it hold.
TCP_IDLE_CONNECTIONS=$((($(ulimit -n) - 300) / 2))
((TCP_IDLE_CONNECTIONS < IDLE_CONNECTIONS)) || TCP_IDLE_CONNECTIONS=$IDLE_CONNECTIONS

work=$(mktemp -d "${TMPDIR:-/tmp}/hotswap-bench-front.XXXXXX")
started=()  # pids of everything this script started, stopped in reverse order
cleanup() {
    local i
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do kill -TERM "${started[i]}" 2>/dev/null || true; done
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do wait "${started[i]}" 2>/dev/null || true; done
    if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "front.sh: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP  # through the EXIT trap, so nothing started here outlives an interrupted run

# shellcheck source=../scripts/lib/free_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/free_port.sh"
srv=() load=()
if [[ $PIN == 1 ]] && (($(nproc) >= 2)); then srv=(taskset -c "$SERVER_CPU") load=(taskset -c "$LOAD_CPU"); fi
# Every long-lived process starts through this: pinned to the server CPU, and killed if this script dies
# without its EXIT trap (setpriv's parent-death signal; hotswap takes its own children down the same way).
daemon=("${srv[@]}" setpriv --pdeathsig KILL)

stop_pid() {  # stop_pid PID: TERM, wait, and forget it
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local kept=() p
    for p in "${started[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
    started=("${kept[@]}")
}
# wait_serving PORT SECONDS: until a GET on PORT answers 2xx.
wait_serving() {
    local deadline=$((SECONDS + $2))
    until curl -sf -m 1 -o /dev/null "http://127.0.0.1:$1/"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}
# wait_line FILE TEXT SECONDS [PID]: until FILE holds a line with TEXT (false once PID has exited).
wait_line() {
    local deadline=$((SECONDS + $3))
    until grep -qs -- "$2" "$1"; do
        ((SECONDS < deadline)) || return 1
        [[ -z ${4:-} ]] || kill -0 "$4" 2>/dev/null || return 1
        sleep 0.05
    done
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
share() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print 0 }'; }
pct() { awk -v s="$1" 'BEGIN { printf "%.1f %%", s * 100 }'; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }
field() { sed -E "s/.*[ ^]$1=([0-9]+).*/\\1/" <<<" $2"; }

# ---- the peers ------------------------------------------------------------------------------------

front_kind="the front (--proxy-protocol auto)"
if "$HOTSWAP" --help 2>&1 | grep -q -- '--proxy-protocol'; then
    have_front=1
else
    have_front=0 front_kind="today's byte proxy (this hotswap has no --proxy-protocol: the front stands in)"
fi

# start_hotswap NAME PORT PROTOCOL(auto|tcp|-) [--probation T] APP...: hotswap serving APP behind --proxy on
# PORT, from a directory of its own with its own control socket; sets HS_PID. Waits until the port answers.
start_hotswap() {
    local name=$1 port=$2 protocol=$3 proto_args=()
    shift 3
    [[ $1 == --probation ]] && { proto_args+=(--probation "$2"); shift 2; }
    [[ $protocol != - ]] && proto_args+=(--proxy-protocol "$protocol")
    mkdir -p "$work/$name/src"
    # The front's connection limit (10,000 by default) above the idle clients of part 3, and its header
    # timeout as long as HAProxy's timeouts here, so that no idle client is closed during the run.
    ((have_front)) && printf '[proxy]\naddress = "127.0.0.1:%d"\nmax_connections = %d\nheader_timeout = "10m"\n' \
        "$port" $((IDLE_CONNECTIONS + 100)) > "$work/$name/hotswap.toml"
    (
        cd "$work/$name"
        export HOTSWAP_CONTROL_SOCKET=$work/$name.sock
        exec "${daemon[@]}" "$HOTSWAP" run -w src --proxy "127.0.0.1:$port" "${proto_args[@]}" -- "$@"
    ) > "$work/$name.log" 2>&1 &
    HS_PID=$!
    started+=("$HS_PID")
    wait_serving "$port" 30 || { echo "front.sh: $name never served on $port" >&2; tail "$work/$name.log" >&2; exit 1; }
}
hs_reload() { HOTSWAP_CONTROL_SOCKET=$work/$1.sock "$HOTSWAP" reload > "$work/$1.reload" 2>&1; }

# start_haproxy NAME MODE(http|tcp) PORT BACKEND_PORT: sets HA_PID.
start_haproxy() {
    local reuse=""
    # Like for like: the front adds X-Forwarded-For, -Proto and -Host to every request by default, so
    # HAProxy in http mode is told to do the same work.
    [[ $2 == http ]] && reuse="  http-reuse always
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]"
    # Timeouts long enough that nothing idle is closed during the run; maxconn above the idle clients.
    # HAProxy sizes its descriptors for two per connection and by default refuses to start when ulimit -n
    # is lower: `no strict-limits` makes that a warning (mode http needs a handful upstream, mode tcp gets
    # fewer idle clients: TCP_IDLE_CONNECTIONS).
    cat > "$work/$1.cfg" <<CFG
global
  nbthread 1
  maxconn $((IDLE_CONNECTIONS + 100))
  no strict-limits
defaults
  mode $2
  maxconn $((IDLE_CONNECTIONS + 100))
  timeout connect 5s
  timeout client 10m
  timeout server 10m
  timeout http-keep-alive 10m
frontend fe
  bind 127.0.0.1:$3
  default_backend be
backend be
$reuse
  server app 127.0.0.1:$4
CFG
    "${daemon[@]}" haproxy -db -f "$work/$1.cfg" > "$work/$1.log" 2>&1 &
    HA_PID=$!
    started+=("$HA_PID")
    wait_serving "$3" 10 || { echo "front.sh: haproxy $1 never served" >&2; cat "$work/$1.log" >&2; exit 1; }
}

backend_port=$(free_port)
"${daemon[@]}" "$STATIC" --port "$backend_port" > "$work/direct.log" 2>&1 &
backend_pid=$!
started+=("$backend_pid")
wait_serving "$backend_port" 10 || { echo "front.sh: static_server never served" >&2; exit 1; }
front_port=$(free_port)
front_proto=-
((have_front)) && front_proto=auto
start_hotswap front "$front_port" "$front_proto" "$STATIC"
front_pid=$HS_PID
ha_http_port=$(free_port)
start_haproxy haproxy-http http "$ha_http_port" "$backend_port"
ha_http_pid=$HA_PID
ha_tcp_port=$(free_port)
start_haproxy haproxy-tcp tcp "$ha_tcp_port" "$backend_port"
ha_tcp_pid=$HA_PID
targets=(direct front haproxy-http haproxy-tcp)
declare -A port_of=([direct]=$backend_port [front]=$front_port [haproxy-http]=$ha_http_port [haproxy-tcp]=$ha_tcp_port)
declare -A pid_of=([direct]=$backend_pid [front]=$front_pid [haproxy-http]=$ha_http_pid [haproxy-tcp]=$ha_tcp_pid)
if ((have_front)); then
    port_of[front-tcp]=$(free_port)
    start_hotswap front-tcp "${port_of[front-tcp]}" tcp "$STATIC"
    pid_of[front-tcp]=$HS_PID
    targets+=(front-tcp)
fi

# ---- the report's head ----------------------------------------------------------------------------

pin_note="not pinned"
((${#srv[@]})) && pin_note="servers and proxies on CPU $SERVER_CPU, load generators on CPU $LOAD_CPU"
echo "front benchmark: the front is $front_kind"
echo "  $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $pin_note; backend bench/static_server"
echo "  $(haproxy -v | head -n 1 | cut -d' ' -f1-3), nbthread 1"
busy_note() {
    if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
        echo "  note: the machine is busy with other work (load average $(cut -d' ' -f1 /proc/loadavg) > $(nproc) cores): shares and"
        echo "        ratios compare targets measured in turn within each round, absolute figures are low and noisy"
    fi
}
busy_note
verdicts=()
verdict() { if eval "$2"; then verdicts+=("  ok    $1"); else verdicts+=("  MISS  $1"); fi; }
median_of() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
part_started=$SECONDS
part_took() { echo "  (this part: $((SECONDS - part_started)) s)"; part_started=$SECONDS; }

# ---- 1 + 2: throughput and added latency (wrk) -------------------------------------------------------

# cpu_ticks PID: CPU time PID has used (utime + stime, in clock ticks).
cpu_ticks() {
    local s
    read -r s < "/proc/$1/stat"
    s=${s##*) }
    # shellcheck disable=SC2086 # split on purpose: the fields of /proc/PID/stat
    set -- $s
    echo $((${12} + ${13}))
}
# wrk_pass PORT DURATION PID: prints "req/s p50_us p99_us errors cpu_us_per_request" of one wrk pass, the
# last the CPU time of PID (the proxy, or the backend for direct) per request.
wrk_pass() {
    local before after
    before=$(cpu_ticks "$3")
    "${load[@]}" wrk -t1 -c"$CONNECTIONS" -d"$2" --latency "http://127.0.0.1:$1/" > "$work/wrk.out"
    after=$(cpu_ticks "$3")
    awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
        function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
        /^ +50%/ { p50 = us($2) } /^ +99%/ { p99 = us($2) } /^Requests\/sec:/ { rps = $2 } / requests in / { requests = $1 }
        /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 } /Non-2xx/ { errors += $NF }
        END { printf "%d %d %d %d %.2f\n", rps, p50, p99, errors, (requests > 0 ? ticks * 1000000 / hz / requests : 0) }' "$work/wrk.out"
}

# profile_front: a perf profile of the front process under wrk (self time by library and by symbol).
profile_front() {
    echo
    if ! command -v perf >/dev/null; then
        echo "perf profile: perf is not installed (apt-get install linux-perf)"
        return
    fi
    "${load[@]}" wrk -t1 -c"$CONNECTIONS" -d6s "http://127.0.0.1:$front_port/" > /dev/null &
    local wrk_pid=$!
    started+=("$wrk_pid")
    sleep 0.5
    perf record -q -F 1999 -p "$front_pid" -o "$work/perf.data" -- sleep 4 > /dev/null 2>&1 || true
    stop_pid "$wrk_pid"
    echo "perf profile of the front process under wrk -c$CONNECTIONS, 4 s (self time; the kernel's share is its syscalls):"
    echo "  by library:"
    perf report -i "$work/perf.data" --stdio --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -n 6 || true
    echo "  by symbol (>= 1 %):"
    perf report -i "$work/perf.data" --stdio --no-children --sort dso,sym --percent-limit 1 2>/dev/null |
        grep -E '^ +[0-9]' | head -n 30 || true
    command -v strace >/dev/null || return 0
    # The kernel's share is mostly syscalls: how many each proxy makes per request tells where it goes.
    echo "syscalls per request under wrk -c$CONNECTIONS (strace -c, 2 s; requests = sendto calls / 2, one to the app and"
    echo "one to the client; failed: calls that returned an error, EAGAIN mostly):"
    local t sends
    for t in front haproxy-http; do
        "${load[@]}" wrk -t1 -c"$CONNECTIONS" -d4s "http://127.0.0.1:${port_of[$t]}/" > /dev/null &
        wrk_pid=$!
        started+=("$wrk_pid")
        sleep 0.5
        timeout -s INT 2 strace -c -f -p "${pid_of[$t]}" -o "$work/strace-$t" > /dev/null 2>&1 || true
        stop_pid "$wrk_pid"
        sends=$(awk '$NF == "sendto" { print $4 }' "$work/strace-$t")
        awk -v t="$t" -v req=$((${sends:-0} / 2)) '
            $NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {
                calls[$NF] = $4; errors[$NF] = (NF == 6 ? $5 : 0); total += $4; failed += (NF == 6 ? $5 : 0) }
            END {
                if (req == 0) { printf "  %-13s no requests seen\n", t; exit }
                line = ""
                for (c in calls) if (calls[c] / req >= 0.05) line = line sprintf(" %s %.2f%s", c, calls[c] / req, errors[c] ? sprintf(" (%.2f failed)", errors[c] / req) : "")
                printf "  %-13s %.2f in all, %.2f failed:%s\n", t, total / req, failed / req, line }' "$work/strace-$t"
    done
}

declare -A rps_rounds
part_throughput() {
    for t in "${targets[@]}"; do wrk_pass "${port_of[$t]}" 1s "${pid_of[$t]}" > /dev/null; done  # warm-up
    local ratio_rounds="" t rps p50 p99 errors cpu d_rps d_p50 d_p99
    local -A p50_rounds p99_rounds share_rounds added50_rounds added99_rounds errors_of cpu_rounds pass
    for _ in $(seq 1 "$ROUNDS"); do
        for t in "${targets[@]}"; do pass[$t]=$(wrk_pass "${port_of[$t]}" "$DURATION" "${pid_of[$t]}"); done
        read -r d_rps d_p50 d_p99 _ <<<"${pass[direct]}"
        for t in "${targets[@]}"; do
            read -r rps p50 p99 errors cpu <<<"${pass[$t]}"
            rps_rounds[$t]+="$rps " p50_rounds[$t]+="$p50 " p99_rounds[$t]+="$p99 " cpu_rounds[$t]+="$cpu "
            share_rounds[$t]+="$(share "$rps" "$d_rps") "
            added50_rounds[$t]+="$((p50 - d_p50)) " added99_rounds[$t]+="$((p99 - d_p99)) "
            errors_of[$t]=$((${errors_of[$t]:-0} + errors))
        done
        # The verdict's ratio, round by round: both shares come from the same round.
        ratio_rounds+="$(awk -v f="$(share "${pass[front]%% *}" "$d_rps")" -v h="$(share "${pass[haproxy-http]%% *}" "$d_rps")" \
            'BEGIN { if (h > 0) printf "%.3f", f / h; else print 0 }') "
    done
    echo
    echo "throughput, keep-alive: wrk -t1 -c$CONNECTIONS -d$DURATION --latency, $ROUNDS rounds taking the targets in turn"
    echo "(medians of the rounds; share: of direct in the same round; added: p50/p99 minus direct's in the same round)"
    printf '%-14s %-10s %-9s %-9s %-9s %-10s %-10s %-7s %-8s\n' target "req/s" share "p50 us" "p99 us" "p50 added" "p99 added" errors "cpu/req"
    for t in "${targets[@]}"; do
        printf '%-14s %-10s %-9s %-9s %-9s %-10s %-10s %-7s %-8s\n' "$t" "$(median_of "${rps_rounds[$t]}")" \
            "$(pct "$(median_of "${share_rounds[$t]}")")" "$(median_of "${p50_rounds[$t]}")" "$(median_of "${p99_rounds[$t]}")" \
            "$(median_of "${added50_rounds[$t]}")" "$(median_of "${added99_rounds[$t]}")" "${errors_of[$t]}" "$(median_of "${cpu_rounds[$t]}") us"
    done
    echo "  (cpu/req: CPU time of the proxy process per request, user + system; for direct, the backend's: a figure"
    echo "   that other work on the machine disturbs less than req/s)"
    echo "  req/s by round:"
    for t in "${targets[@]}"; do printf '    %-12s %s\n' "$t" "$(xargs <<<"${rps_rounds[$t]}")"; done
    local front_ratio front_added99 ha_added99
    front_ratio=$(median_of "$ratio_rounds")
    front_added99=$(median_of "${added99_rounds[front]}") ha_added99=$(median_of "${added99_rounds[haproxy-http]}")
    part_took
    verdict "throughput share, front / haproxy-http >= 1.1: $(pct "$(median_of "${share_rounds[front]}")") / $(pct "$(median_of "${share_rounds[haproxy-http]}")") = ${front_ratio}x (median of the rounds' ratios: $(xargs <<<"$ratio_rounds"))" \
        "awk -v r=$front_ratio 'BEGIN { exit !(r >= 1.1) }'"
    verdict "p99 added, front <= haproxy-http: $front_added99 us vs $ha_added99 us (wrk, saturated)" "((front_added99 <= ha_added99))"
    verdicts+=("  info  CPU per request, front vs haproxy-http: $(median_of "${cpu_rounds[front]}") us vs $(median_of "${cpu_rounds[haproxy-http]}") us")
    # A perf profile when asked, or when the front misses one of these targets.
    if [[ $PROFILE == 1 ]] || { ((have_front)) && { awk -v r="$front_ratio" 'BEGIN { exit !(r < 1.1) }' || ((front_added99 > ha_added99)); }; }; then
        profile_front
    fi
}

# ---- open loop: latency at a fixed rate -----------------------------------------------------------------

part_latency() {
    local t m slowest=""
    if [[ -z ${RATE:-} ]]; then
        for t in "${targets[@]}"; do
            [[ -n ${rps_rounds[$t]:-} ]] || { echo "front.sh: latency needs RATE=N without the throughput part" >&2; exit 1; }
            m=$(median_of "${rps_rounds[$t]}")
            [[ -z $slowest || ${m%.*} -lt $slowest ]] && slowest=${m%.*}
        done
        RATE=$((slowest * RATE_SHARE / 100 / 100 * 100))
        ((RATE >= 100)) || RATE=100
    fi
    # ROUNDS rounds taking every target in turn, as above: a figure per target is the median of its rounds.
    local -A open50_rounds open99_rounds openmax_rounds openfailed_of
    local l o50 o99 d50 d99
    for _ in $(seq 1 "$ROUNDS"); do
        for t in "${targets[@]}"; do
            l=$("${load[@]}" "$LOADGEN" --port "${port_of[$t]}" --connections 8 --rate "$RATE" --duration-ms "$OPEN_MS" | tail -n 1)
            open50_rounds[$t]+="$(field p50_us "$l") " open99_rounds[$t]+="$(field p99_us "$l") "
            openmax_rounds[$t]+="$(field max_us "$l") "
            openfailed_of[$t]=$((${openfailed_of[$t]:-0} + $(field failed "$l")))
        done
    done
    echo
    echo "latency at a fixed rate (information): loadgen, 8 connections, open loop at $RATE req/s (RATE, or $RATE_SHARE % of"
    echo "the slowest target's req/s), ${OPEN_MS} ms, $ROUNDS rounds (medians; added: against direct's medians)"
    printf '%-14s %-8s %-8s %-8s %-10s %-10s %-7s\n' target "p50 us" "p99 us" "max us" "p50 added" "p99 added" failed
    d50=$(median_of "${open50_rounds[direct]}") d99=$(median_of "${open99_rounds[direct]}")
    for t in "${targets[@]}"; do
        o50=$(median_of "${open50_rounds[$t]}") o99=$(median_of "${open99_rounds[$t]}")
        printf '%-14s %-8s %-8s %-8s %-10s %-10s %-7s\n' "$t" "$o50" "$o99" "$(median_of "${openmax_rounds[$t]}")" \
            "$((o50 - d50))" "$((o99 - d99))" "${openfailed_of[$t]}"
    done
    part_took
}

# ---- 3: memory with idle keep-alive clients ---------------------------------------------------------------

part_memory() {
    local rss_targets=(front haproxy-http haproxy-tcp) t idle_pid
    local -A rss_before rss_held held_note idle_count
    for t in "${rss_targets[@]}"; do
        idle_count[$t]=$IDLE_CONNECTIONS
        # (Without the front, today's byte proxy stands in: a mode tcp too.)
        [[ $t == *tcp || ($t == front && $have_front == 0) ]] && idle_count[$t]=$TCP_IDLE_CONNECTIONS
        rss_before[$t]=$(rss_kb "${pid_of[$t]}")
        "${load[@]}" "$IDLE" --port "${port_of[$t]}" --connections "${idle_count[$t]}" > "$work/idle-$t.out" 2>&1 &
        idle_pid=$!
        started+=("$idle_pid")
        held_note[$t]=""
        if wait_line "$work/idle-$t.out" "idle_clients holding" 120 "$idle_pid"; then
            sleep 1  # let the proxy settle its buffers after the last answer
            rss_held[$t]=$(rss_kb "${pid_of[$t]}")
            kill -0 "$idle_pid" 2>/dev/null || held_note[$t]="(some closed: $(tail -n 1 "$work/idle-$t.out"))"
        else
            rss_held[$t]=$(rss_kb "${pid_of[$t]}")
            held_note[$t]="(not all held: $(tail -n 1 "$work/idle-$t.out"))"
        fi
        stop_pid "$idle_pid"
    done
    echo
    echo "memory: VmRSS of the proxy process with $IDLE_CONNECTIONS idle keep-alive clients (one request each, then held)"
    printf '%-14s %-8s %-10s %-10s %-16s\n' proxy clients before held "per connection"
    for t in "${rss_targets[@]}"; do
        printf '%-14s %-8s %-10s %-10s %-16s %s\n' "$t" "${idle_count[$t]}" "$(mb "${rss_before[$t]}")" "$(mb "${rss_held[$t]}")" \
            "$(awk -v a="${rss_before[$t]}" -v b="${rss_held[$t]}" -v n="${idle_count[$t]}" 'BEGIN { printf "%d bytes", (b - a) * 1024 / n }')" "${held_note[$t]}"
    done
    echo "  (front: the hotswap process alone, not its app; before: after the parts above, with no client;"
    echo "   mode tcp holds two descriptors per client, so as many clients as ulimit -n $(ulimit -n) lets it hold)"
    part_took
    verdicts+=("  info  RSS with $IDLE_CONNECTIONS idle clients, front vs haproxy-http: $(mb "${rss_held[front]}") vs $(mb "${rss_held[haproxy-http]}")")
}

# ---- 4: failed requests per reload ---------------------------------------------------------------------

# reload_pass NAME PROTOCOL APP...: RELOADS `hotswap reload`s under keep-alive load; sets RELOAD_LINE (the
# load's figures), RELOAD_REFUSED (reloads that did not end with the new version serving) and RELOAD_MS
# (the median time a `hotswap reload` took).
reload_pass() {
    local name=$1 protocol=$2 port pid load_pid t0 took=()
    shift 2
    port=$(free_port)
    start_hotswap "$name" "$port" "$protocol" --probation "$RELOAD_PROBATION" "$@"
    pid=$HS_PID
    "${load[@]}" "$LOADGEN" --port "$port" --connections "$RELOAD_CONNECTIONS" > "$work/$name.load" &
    load_pid=$!
    started+=("$load_pid")
    wait_line "$work/$name.load" answered 10 "$load_pid" || { echo "front.sh: $name: the load got no answer" >&2; exit 1; }
    RELOAD_REFUSED=0
    for _ in $(seq 1 "$RELOADS"); do
        t0=${EPOCHREALTIME/./}
        hs_reload "$name" || RELOAD_REFUSED=$((RELOAD_REFUSED + 1))
        took+=($(((${EPOCHREALTIME/./} - t0) / 1000)))
    done
    kill -INT "$load_pid"
    wait "$load_pid" || true
    stop_pid "$load_pid"
    RELOAD_LINE=$(tail -n 1 "$work/$name.load")
    RELOAD_MS=$(printf '%s\n' "${took[@]}" | median)
    stop_pid "$pid"
}
part_reloads() {
    local rows=() protocols=("$front_proto") app protocol label cmd row line refused reload_ms front_failed=0 front_passes=0
    ((have_front)) && protocols+=(tcp)
    for app in testapp static_server; do
        cmd=("$TESTAPP")
        [[ $app == static_server ]] && cmd=("$STATIC")
        for protocol in "${protocols[@]}"; do
            label="front"
            [[ $protocol == tcp ]] && label="byte proxy (tcp)"
            reload_pass "reload-$app-${protocol/-/plain}" "$protocol" "${cmd[@]}"
            rows+=("$label|$app|$RELOAD_LINE|$RELOAD_REFUSED|$RELOAD_MS")
        done
    done
    echo
    echo "failed requests per reload: loadgen, $RELOAD_CONNECTIONS keep-alive connections (closed loop), $RELOADS x hotswap reload"
    echo "(back to back, --probation $RELOAD_PROBATION: each reload answers once the new version has passed it)"
    printf '%-18s %-14s %-9s %-8s %-14s %-9s %-16s\n' proxy app ok failed failed/reload refused "reload (median)"
    for row in "${rows[@]}"; do
        IFS='|' read -r label app line refused reload_ms <<<"$row"
        printf '%-18s %-14s %-9s %-8s %-14s %-9s %-16s\n' "$label" "$app" "$(field ok "$line")" "$(field failed "$line")" \
            "$(awk -v f="$(field failed "$line")" -v n="$RELOADS" 'BEGIN { printf "%.2f", f / n }')" "$refused" "$reload_ms ms"
        if [[ $label == front ]]; then
            front_failed=$((front_failed + $(field failed "$line"))) front_passes=$((front_passes + 1))
        fi
    done
    echo "  (testapp stops gracefully on SIGTERM; static_server exits at once, which the front must not depend on;"
    echo "   refused: reloads that did not end with the new version serving)"
    part_took
    verdict "0 failed requests through the front: $front_failed over $((front_passes * RELOADS)) reloads" "((front_failed == 0))"
}

# ---- the run ----------------------------------------------------------------------------------------

# alive_or_exit: every server and proxy of the run must still be there (a figure from a dead one is none).
alive_or_exit() {
    local t
    for t in "${!pid_of[@]}"; do
        kill -0 "${pid_of[$t]}" 2>/dev/null && continue
        local status=0
        wait "${pid_of[$t]}" || status=$?
        echo "front.sh: $t (pid ${pid_of[$t]}) has exited (status $status: above 128, killed by signal $((status - 128))); its log ends with:" >&2
        tail -n 20 "$work/$t.log" >&2 || true
        exit 1
    done
}
for part in $PARTS; do
    alive_or_exit
    case $part in
        throughput | latency | memory | reloads) "part_$part" ;;
        *) echo "front.sh: unknown part '$part' (PARTS: throughput latency memory reloads)" >&2; exit 1 ;;
    esac
done
alive_or_exit
echo
busy_note
echo "targets ($front_kind):"
printf '%s\n' "${verdicts[@]}"
