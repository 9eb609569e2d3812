#!/usr/bin/env bash
# What a failure shows (DESIGN.md §3): the line saying why comes with the tail of the output of what failed,
# so the reason is next to the verdict even when other lines came in between: a generation that exits
# before it is ready, and a failed build under --quiet, whose output is not shown as it runs.
source "$(dirname "$0")/lib/common.sh"

port=$(free_port)
mkdir -p "$WORK/project" && cd "$WORK/project"
start_hotswap -l "127.0.0.1:$port" --ready notify -- "$TESTAPP" --version v1 --exit-now 3 --tag "$TAG"
wait_log '✗ app#1 exited before it was ready \(exit status 3\)'
wait_log 'last output of app#1:'
wait_log '\| testapp v1 starting \(pid [0-9]+\)'
# The exit event names the process that exited (it once read -1: the pid was taken after it was released).
wait_event exit 1 '"generation":1,.*"pid":[1-9][0-9]*,'
# The tail follows the verdict, not only the live output before it.
verdict=$(grep -nE 'exited before it was ready' "$LOG" | head -1 | cut -d: -f1)
tail_at=$(grep -nE '\| testapp v1 starting' "$LOG" | head -1 | cut -d: -f1)
((tail_at > verdict)) || fail "the output's tail does not follow the verdict: $(cat "$LOG")"
stop_hotswap TERM || true
pass "a generation that fails before ready shows the tail of its output under the verdict"

start_hotswap -q -b 'sh -c "echo src/main.c:3: error: expected a semicolon; exit 2"' -- true
wait_log '✗ the build failed \(exit status 2\)'
wait_log 'last output of the build:'
wait_log '\| src/main.c:3: error: expected a semicolon'
stop_hotswap TERM || true
pass "--quiet: a failed build shows its last lines"
expect_no_leftovers "after the failures"
