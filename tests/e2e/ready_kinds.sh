#!/usr/bin/env bash
# Each readiness kind of DESIGN.md §5 gates the switch: notify (READY=1), http (2xx from a URL), tcp
# (connect), log (a line matching a regex) and delay (the default, with a hint). The app takes 300 ms to
# get ready; each kind must wait for it, and in a reload the old generation stops only after the new one
# is ready.
source "$(dirname "$0")/lib/common.sh"
mkdir -p "$WORK/project" && cd "$WORK/project"  # watched: the log stays outside

ready_ms() {  # ready_ms GEN: the ready_ms of that generation's switch event
    local ms
    ms=$(grep -E '"event":"switch"' "$EVENTS" | grep -E "\"generation\":$1," | grep -oE '"ready_ms":[0-9]+' | head -n 1)
    ms=${ms#*:}
    echo "${ms:-0}"
}

# check_kind NAME READY_ARGS... -- APP_ARGS...: starts hotswap, waits for app#1 to serve, checks the wait.
check_kind() {
    local name=$1; shift
    local ready=()
    while [[ $1 != -- ]]; do ready+=("$1"); shift; done
    shift
    port=$(free_port)
    start_hotswap -l "127.0.0.1:$port" "${ready[@]}" -- "$TESTAPP" --tag "$TAG" --version v1 --ready-delay-ms 300 "$@"
    wait_event switch 1 '"generation":1,'
    local ms
    ms=$(ready_ms 1)
    # hotswap starts its clock when exec succeeds, a little after the app's own clock started: allow 50 ms.
    ((ms >= 250)) || fail "$name: app#1 was called ready after $ms ms, before the app was ($(grep switch "$EVENTS"))"
    body_has "http://127.0.0.1:$port/" "testapp v1" || fail "$name: v1 not served"
    stop_hotswap TERM || fail "$name: hotswap did not exit 0"
    expect_no_leftovers "$name"
    pass "$name: ready after $ms ms, not before the app (300 ms)"
}

check_kind notify --ready notify -- --notify
hp=$(free_port)
check_kind http --ready "http:http://127.0.0.1:$hp/" -- --health-port "$hp"
hp=$(free_port)
check_kind tcp --ready "tcp:127.0.0.1:$hp" -- --health-port "$hp"
check_kind log --ready 'log:v[0-9]+ listening$' --
check_kind "delay (the default)" --
grep -q 'readiness: waiting 500 ms after start; for an exact signal use --ready notify' "$LOG" \
    || fail "the default delay readiness gives no hint"
pass "the default delay says how to do better"

# A probe on the shared socket would be answered by the old generation: hotswap says so.
port=$(free_port)
start_hotswap -l "127.0.0.1:$port" --ready "http:http://127.0.0.1:$port/" -- "$TESTAPP" --tag "$TAG"
wait_log "port $port is the shared listener"
stop_hotswap TERM || fail "hotswap did not exit 0"
pass "a probe aimed at the shared listener is warned about"

# The switch waits for readiness: in a reload, the old generation stops only after the new one is ready.
mkdir -p "$WORK/p/src" && cd "$WORK/p"
echo v1 > src/version
port=$(free_port)
start_hotswap -w src -l "127.0.0.1:$port" --ready notify -- /bin/sh -c \
    "exec '$TESTAPP' --tag $TAG --notify --ready-delay-ms 300 --version \$(cat src/version)"
wait_event switch 1 '"generation":1,'
echo v2 > src/version
wait_event switch 1 '"generation":2,'
wait_log 'testapp v1 stopped'
ready_line=$(grep -nE 'app#2 │ testapp v2 listening' "$LOG" | cut -d: -f1)
stop_line=$(grep -nE 'app#1 │ testapp v1 stopped' "$LOG" | cut -d: -f1)
((ready_line < stop_line)) || fail "app#1 stopped (line $stop_line) before app#2 was ready (line $ready_line)"
stop_hotswap TERM || fail "hotswap did not exit 0"
expect_no_leftovers "reload"
pass "the old generation stops only after the new one is ready"
