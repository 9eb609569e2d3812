#!/usr/bin/env bash
# Shift benchmark (the gradual shift, docs/operations.md "Gradual shift"): how many requests a bad version
# gets, and how long it keeps them, before the shift's analysis takes it out, at the defaults (steps
# 10,50,100, the serve default behind the front; every threshold at its default), under a steady open-loop
# load of RATE requests a second over CONNECTIONS keep-alive connections (tests/fixtures/loadgen), for two
# bad versions of a Go server (tests/fixtures/goapp):
#   - 20 % 500s   (-fail-every 5)
#   - +50 ms      (-delay-ms 50 on every request)
# ROUNDS reloads each; per round, from the shift's own events: requests that ended on the bad version
# (exposed), of those its errors, and the time from the shift's start to the abort; from the load generator:
# the failed requests users saw. Medians are printed, and the time a good version's shift takes (each bad
# round is followed by a good one, so that every round starts alike).
# The baseline, computed in the same run at the rate measured here: Flagger's documented defaults
# (docs.flagger.app, "Deployment Strategies" and "Metrics Analysis": analysis interval 1m, threshold 5 failed
# checks before rollback, stepWeight 10, maxWeight 50, request-success-rate min 99 % and request-duration
# p99 max 500 ms over 1m). The 20 % case fails each check, the weight holds at 10 %, and the rollback comes
# at the 5th failed check: 300 s at 10 % of the rate. The +50 ms case never fails a 500 ms p99 check: the
# version is promoted after 5 steps of 60 s (10…50 %), then serves everything. Each hotswap figure is given
# with its ratio to Flagger's.
#
# Run by `bench/run.sh shift`, which sets HOTSWAP (a Release build) and HOTSWAP_BUILD_DIR (holding
# tests/loadgen). Needs go (scripts/install-deps.sh). KEEP_WORK=1 keeps the logs.
set -euo pipefail
: "${HOTSWAP:?set HOTSWAP to a Release hotswap binary (bench/run.sh does)}"
: "${HOTSWAP_BUILD_DIR:?set HOTSWAP_BUILD_DIR to its build directory (bench/run.sh does)}"
LOADGEN=$HOTSWAP_BUILD_DIR/tests/loadgen
[[ -x $LOADGEN ]] || { echo "shift.sh: $LOADGEN is needed (a build with -DHOTSWAP_TESTS=ON)" >&2; exit 1; }
command -v go >/dev/null || { echo "shift.sh: go is needed (scripts/install-deps.sh)" >&2; exit 1; }
RATE=${RATE:-1000}
CONNECTIONS=${CONNECTIONS:-16}
ROUNDS=${ROUNDS:-5}
export NO_COLOR=1
root=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/hotswap-bench-shift.XXXXXX")
started=()
cleanup() {
    local i
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do kill -TERM "${started[i]}" 2>/dev/null || true; done
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do wait "${started[i]}" 2>/dev/null || true; done
    if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "shift.sh: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# shellcheck source=../scripts/lib/free_port.sh
source "$root/scripts/lib/free_port.sh"
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.5f", a / b; else print "n/a" }'; }
# wait_for FILE REGEX SECONDS: until a line of FILE matches REGEX.
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -qsE -- "$2" "$1"; do
        ((SECONDS < deadline)) || { echo "shift.sh: no /$2/ in $1 within $3 s" >&2; return 1; }
        sleep 0.02
    done
}
json_field() { sed -E "s/.*\"$1\":([0-9.]+).*/\\1/" <<<"$2"; }

# The Go server, built once (standard library only, offline).
(cd "$root/tests/fixtures/goapp" && GOFLAGS=-buildvcs=false GOPROXY=off GOCACHE=${GOCACHE:-$work/go-cache} \
    go build -o "$work/goapp" .) || { echo "shift.sh: cannot build tests/fixtures/goapp" >&2; exit 1; }

# An artifact project: src/args holds goapp's arguments, the build writes out/app (load_front_shift.sh's).
project=$work/project
mkdir -p "$project/src" "$project/watched"
cd "$project"
echo "--version v1 --notify" >src/args
cat >build.sh <<SH
#!/bin/sh
mkdir -p out
printf '#!/bin/sh\\nexec "%s" %s "\$@"\\n' "$work/goapp" "\$(cat src/args)" >out/app.tmp
chmod +x out/app.tmp && mv out/app.tmp out/app
SH
chmod +x build.sh
port=$(free_port)
events=$work/events.jsonl
setpriv --pdeathsig KILL "$HOTSWAP" --events "$events" -w watched -b ./build.sh --artifact out/app \
    --proxy "127.0.0.1:$port" --ready notify --probation 0s --shift 10,50,100 -- out/app >"$work/hotswap.log" 2>&1 &
started+=($!)
wait_for "$events" '"event":"switch".*"generation":1,' 30

setpriv --pdeathsig KILL "$LOADGEN" --port "$port" --connections "$CONNECTIONS" --rate "$RATE" --expect goapp \
    >"$work/load.out" 2>"$work/load.err" &
load_pid=$!
started+=("$load_pid")
wait_for "$work/load.out" answered 10
load_started=$(date +%s.%N)

generation=1
# round CASE ARGS: one reload to a bad version with goapp ARGS; appends "exposed errors ms" to $work/CASE.
round() {
    generation=$((generation + 1))
    echo "--version v$generation --notify $2" >src/args
    "$HOTSWAP" reload >"$work/reload.out" 2>&1 && { echo "shift.sh: $1: the bad version was not aborted" >&2; exit 1; }
    wait_for "$events" "\"event\":\"shift_end\".*\"generation\":$generation,.*\"ok\":false" 30
    local line
    line=$(grep -E '"event":"shift_end"' "$events" | grep -E "\"generation\":$generation,")
    echo "$(json_field requests "$line") $(json_field errors "$line") $(json_field duration_ms "$line")" >>"$work/$1"
    # The bad version's in-flight requests finish; then back to a good one so each round starts alike.
    generation=$((generation + 1))
    echo "--version v$generation --notify" >src/args
    "$HOTSWAP" reload >"$work/reload.out" 2>&1 || { echo "shift.sh: a good version failed: $(cat "$work/reload.out")" >&2; exit 1; }
    line=$(grep -E '"event":"shift_end"' "$events" | grep -E "\"generation\":$generation,")
    json_field duration_ms "$line" >>"$work/good"
}
for ((i = 0; i < ROUNDS; i++)); do round errors "--fail-every 5"; done
for ((i = 0; i < ROUNDS; i++)); do round latency "--delay-ms 50"; done
kill -INT "$load_pid"
wait "$load_pid" || true
load_ended=$(date +%s.%N)
load_line=$(tail -n 1 "$work/load.out")
ok=$(sed -E 's/.*ok=([0-9]+).*/\1/' <<<"$load_line")
failed=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$load_line")
measured_rate=$(awk -v n=$((ok + failed)) -v a="$load_started" -v b="$load_ended" 'BEGIN { printf "%.0f", n / (b - a) }')

echo "load: open loop, $RATE req/s asked, $measured_rate req/s measured, $CONNECTIONS keep-alive connections; $ROUNDS rounds per case"
echo "users' failed requests over the whole run (all rounds, both cases): $failed of $((ok + failed))"
echo "a good version's shift (10 %, 50 %, then the switch): $(median <"$work/good") ms (median of $((2 * ROUNDS)))"
report() {  # report CASE TITLE FLAGGER_EXPOSED FLAGGER_SECONDS FLAGGER_NOTE
    local exposed errors ms
    exposed=$(awk '{ print $1 }' "$work/$1" | median)
    errors=$(awk '{ print $2 }' "$work/$1" | median)
    ms=$(awk '{ print $3 }' "$work/$1" | median)
    printf '%s\n' "$2"
    printf '  hotswap (defaults):  %8s requests to the bad version (%s of them errors), aborted %s ms after the shift began (medians of %d)\n' \
        "$exposed" "$errors" "$ms" "$ROUNDS"
    printf '  Flagger (defaults):  %8s requests to the bad version, %s\n' "$3" "$5"
    printf '  ratio hotswap/Flagger: exposure %s, time to abort %s\n' "$(ratio "$exposed" "$3")" "$(ratio "$ms" "$(($4 * 1000))")"
}
# 20 % 500s: every 60 s check fails at 10 %; rollback at the 5th: 300 s × 10 % of the rate.
flagger_errors=$((measured_rate * 300 / 10))
report errors "20 % 500s (-fail-every 5)" "$flagger_errors" 300 "rolled back 300 s after the start (5 failed checks of 60 s at 10 %)"
# +50 ms: never above a 500 ms p99: promoted after 10,20,30,40,50 % for 60 s each (90 s of the whole rate), then all.
flagger_latency=$((measured_rate * 90))
report latency "+50 ms on every request (-delay-ms 50)" "$flagger_latency" 300 \
    "never rolled back (p99 under its 500 ms threshold): promoted after 300 s, then it serves everything; the ratio counts the first 300 s"
