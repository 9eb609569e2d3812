#!/usr/bin/env bash
# The promise: under continuous load, 20 reloads in fd mode fail 0 requests. The same harness in restart
# mode must see failures, which proves it can see them.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"
: "${LOADGEN:?}"
RELOADS=${RELOADS:-20}

run_reloads() {  # run_reloads MODE: prints the loadgen summary line
    local mode=$1 port
    port=$(free_port)
    rm -rf "$WORK/project" && make_reload_project "$WORK/project" && cd "$WORK/project"
    local listen=()
    [[ $mode == fd ]] && listen=(-l "127.0.0.1:$port" --ready notify)
    start_hotswap -w src -b ./build.sh "${listen[@]}" -- /bin/sh -c "exec '$TESTAPP' --port $port --notify --version \$(cat out/version)"
    wait_until 30 body_has "http://127.0.0.1:$port/" "testapp v1" || fail "$mode: v1 never served"
    "${WITH_TEST[@]}" "$LOADGEN" --port "$port" --connections 8 > "$WORK/load.out" &
    local load_pid=$!
    wait_until 10 grep -q running "$WORK/load.out"
    for i in $(seq 2 $((RELOADS + 1))); do
        reload_to "v$i" "$i"
    done
    # Let the last switch settle under load before counting.
    wait_until 10 body_has "http://127.0.0.1:$port/" "testapp v$((RELOADS + 1))"
    kill -INT "$load_pid"; wait "$load_pid"
    stop_hotswap TERM
    # Every process was hotswap's own to stop: none is reported as left behind (the orphan guard, a child
    # of hotswap's, is not one).
    (($(count_events leftovers) == 0)) || fail "$1 mode: a clean stop reported processes left behind: $(grep leftovers "$EVENTS")"
    cd "$WORK"
    tail -n 1 "$WORK/load.out"
}

fd=$(run_reloads fd)
echo "fd mode, $RELOADS reloads:      $fd"
restart=$(run_reloads restart)
echo "restart mode, $RELOADS reloads: $restart"

fd_failed=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$fd")
fd_ok=$(sed -E 's/^ok=([0-9]+).*/\1/' <<<"$fd")
restart_failed=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$restart")
((fd_ok > 0)) || fail "no request succeeded in fd mode"
((fd_failed == 0)) || fail "fd mode failed $fd_failed requests over $RELOADS reloads"
pass "fd mode: 0 failed requests over $RELOADS reloads ($fd_ok ok)"
((restart_failed > 0)) || fail "restart mode showed no failures: the harness cannot see them"
pass "restart mode: $restart_failed failed requests (the harness sees failures)"
