#!/usr/bin/env bash
# notify readiness believes only the generation's own processes (DESIGN.md §5): READY=1 from a process in
# another process group, or inside an oversized datagram, is dropped, so such a generation never becomes
# ready and is stopped after --ready-timeout. A generation that exits before it is ready is reported.
source "$(dirname "$0")/lib/common.sh"
mkdir -p "$WORK/project" && cd "$WORK/project"  # watched: the log stays outside

port=$(free_port)
start_hotswap -v -l "127.0.0.1:$port" --ready notify --ready-timeout 1s -- "$TESTAPP" --tag "$TAG" --notify-outside-group
wait_log 'testapp notify sent from pid [0-9]+ outside the group'
sender=$(grep -oE 'notify sent from pid [0-9]+' "$LOG" | grep -oE '[0-9]+$')
wait_log "ignored a notify message from pid $sender: not part of any generation"
wait_event exit 1 '"generation":1,.*"reason":"not ready in time","state":"starting",.*"uptime_ms":(9[5-9][0-9]|[1-9][0-9]{3})[,}]'
(($(count_events ready) + $(count_events switch) == 0)) || fail "READY=1 from outside the group made app#1 ready: $(event_names)"
stop_hotswap TERM || fail "hotswap did not exit 0"
expect_no_leftovers "outside group"
pass "READY=1 from a process outside the generation's group is ignored"

port=$(free_port)
start_hotswap -v -l "127.0.0.1:$port" --ready notify --ready-timeout 1s -- "$TESTAPP" --tag "$TAG" --notify-oversized
wait_log 'notify socket: dropped a datagram of [0-9]+ bytes \(limit 4096\)'
wait_event exit 1 '"generation":1,.*"reason":"not ready in time","state":"starting",.*"uptime_ms":(9[5-9][0-9]|[1-9][0-9]{3})[,}]'
(($(count_events ready) + $(count_events switch) == 0)) || fail "an oversized datagram made app#1 ready: $(event_names)"
stop_hotswap TERM || fail "hotswap did not exit 0"
pass "an oversized notify datagram is dropped"

port=$(free_port)
start_hotswap -l "127.0.0.1:$port" --ready notify -- "$TESTAPP" --tag "$TAG" --exit-now 7
wait_event exit 1 '"generation":1,.*"state":"starting","status":"exit status 7"'
(($(count_events switch) == 0)) || fail "app#1 served although it exited before it was ready: $(event_names)"
wait_log 'nothing is running; fix it and save to try again'  # the hint the user reads
stop_hotswap TERM || fail "hotswap did not exit 0"
pass "exits before ready: reported with its exit status"
