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
wait_log '✗ app#1 was not ready within 1(\.00)? s \(waited for READY=1 on NOTIFY_SOCKET\)'
grep -q '✓ app#1 serving' "$LOG" && fail "READY=1 from outside the group made app#1 ready"
stop_hotswap TERM || fail "hotswap did not exit 0"
expect_no_leftovers "outside group"
pass "READY=1 from a process outside the generation's group is ignored"

port=$(free_port)
start_hotswap -v -l "127.0.0.1:$port" --ready notify --ready-timeout 1s -- "$TESTAPP" --tag "$TAG" --notify-oversized
wait_log 'notify socket: dropped a datagram of [0-9]+ bytes \(limit 4096\)'
wait_log '✗ app#1 was not ready within 1(\.00)? s'
grep -q '✓ app#1 serving' "$LOG" && fail "an oversized datagram made app#1 ready"
stop_hotswap TERM || fail "hotswap did not exit 0"
pass "an oversized notify datagram is dropped"

port=$(free_port)
start_hotswap -l "127.0.0.1:$port" --ready notify -- "$TESTAPP" --tag "$TAG" --exit-now 7
wait_log '✗ app#1 exited before it was ready \(exit status 7\) · nothing is running; fix it and save to try again'
stop_hotswap TERM || fail "hotswap did not exit 0"
pass "exits before ready: reported with its exit status"
