#!/usr/bin/env bash
# Fault matrix, generations that do not stop when asked (DESIGN.md §3), under load: one that drains and
# then hangs, ignoring SIGTERM (SIGKILL after --drain-timeout), and one that forked a grandchild which left
# the process group and ignores polite signals (found through /proc as an orphan of hotswap, the child
# subreaper, and killed). Not one request fails, nothing is left running. Last, without load: a process
# that ignores SIGTERM and keeps serving is killed after the drain timeout too.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"

port=$(free_port)
url="http://127.0.0.1:$port/"
make_artifact_project "$WORK/project"
cd "$WORK/project"
set_args --version v1 --notify --hang-on-term
start_hotswap -w src -b ./build.sh --artifact out/app -l "127.0.0.1:$port" --ready notify \
    --drain-timeout 1s -- out/app
wait_until 30 body_has "$url" "testapp v1" || fail "v1 never served"
start_load "$port"

set_args --version v2 --notify --grandchild
wait_event switch 1 '"generation":2,'
wait_log 'testapp v1 drained but hanging'
wait_event drain 1 '"drain_timeout_ms":1000,"generation":1,.*"signal":"SIGTERM"'
wait_event kill 1 '"generation":1,.*"reason":"drain timeout"'
pass "ignores SIGTERM after draining: SIGKILL after the drain timeout"

wait_log 'testapp grandchild [0-9]+ running'
grandchild=$(grep -oE 'testapp grandchild [0-9]+ running' "$LOG" | grep -oE '[0-9]+' | head -n 1)
kill -0 "$grandchild" || fail "the grandchild is not running"
[[ "$(ps -o pgid= -p "$grandchild" | tr -d ' ')" != "$(ps -o pgid= -p "$(pgrep -f -- "--version v2 --notify --grandchild" | head -n 1)" | tr -d ' ')" ]] \
    || fail "the grandchild did not leave the process group"
set_args --version v3 --notify
wait_event switch 1 '"generation":3,'
wait_event leftovers 1 "\"pids\":\\[$grandchild\\]"
wait_gone "$grandchild" 5 || fail "the grandchild $grandchild survived its generation"
pass "a grandchild that left the group and ignores signals is killed with its generation"

wait_until 10 body_has "$url" "testapp v3" || fail "v3 is not served"
expect_no_failed_requests "stops that need force"
pass "$LOAD_LINE"

set_args --version v4 --notify --ignore-term
wait_event switch 1 '"generation":4,'
set_args --version v5 --notify
wait_event switch 1 '"generation":5,'
wait_event drain 1 '"drain_timeout_ms":1000,"generation":4,.*"signal":"SIGTERM"'
wait_event kill 1 '"generation":4,.*"reason":"drain timeout"'
pass "ignores SIGTERM and keeps serving: SIGKILL after the drain timeout"

status=0
stop_hotswap TERM || status=$?
((status == 0)) || fail "hotswap exited with $status after SIGTERM"
expect_no_leftovers "after the forced stops"
pass "nothing left running"
