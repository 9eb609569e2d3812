#!/usr/bin/env bash
# Fault matrix, new generations that fail to start (DESIGN.md §3, §9), under load: one that exits at once,
# one that segfaults, one that never becomes ready, one whose command cannot run. Each time the old
# generation keeps serving, the exit event says why, the build is marked bad, not one request
# fails and nothing is left running.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"

port=$(free_port)
url="http://127.0.0.1:$port/"
make_artifact_project "$WORK/project"
cd "$WORK/project"
start_hotswap -w src -b ./build.sh --artifact out/app -l "127.0.0.1:$port" --ready notify \
    --ready-timeout 2s --drain-timeout 2s -- out/app
wait_until 30 body_has "$url" "testapp v1" || fail "v1 never served"
wait_event switch 1 '"generation":1,'
start_load "$port"

set_args --version v2 --notify --exit-now 3
wait_event exit 1 '"generation":2,.*"state":"starting","status":"exit status 3"'
wait_event reload_end 1 '"generation":1,.*"ok":false'
body_has "$url" "testapp v1" || fail "v1 stopped serving after app#2 exited"
pass "exits at once: app#1 keeps serving, the exit event says why"

set_args --version v3 --notify --segfault
wait_event exit 1 '"generation":3,.*"state":"starting","status":"killed by SIGSEGV"'
wait_event reload_end 2 '"generation":1,.*"ok":false'
body_has "$url" "testapp v1" || fail "v1 stopped serving after app#3 crashed"
pass "segfaults: app#1 keeps serving, the exit event says why"

set_args --version v4 --notify --never-ready
wait_event exit 1 '"generation":4,.*"reason":"not ready in time","state":"starting",.*"uptime_ms":(19[5-9][0-9]|[2-9][0-9]{3})[,}]'
wait_event reload_end 3 '"generation":1,.*"ok":false'
wait_log 'testapp v4 stopped'
body_has "$url" "testapp v1" || fail "v1 stopped serving after app#4 never became ready"
pass "never ready: stopped after --ready-timeout, app#1 keeps serving"

set_args --version v5 --notify
wait_event switch 1 '"generation":5,.*"previous":1,'
wait_until 10 body_has "$url" "testapp v5" || fail "v5 is not served after the fix"
expect_no_failed_requests "failed starts"
pass "the fix serves v5; $LOAD_LINE"

bad=$(grep -c '"outcome": "bad"' .hotswap/artifacts/index.json || true)
((bad == 3)) || fail "expected 3 builds marked bad in the artifact index, found $bad"
pass "the three failed builds are marked bad in .hotswap/artifacts/index.json"

status=0
stop_hotswap TERM || status=$?
((status == 0)) || fail "hotswap exited with $status after SIGTERM"
expect_no_leftovers "after the failed starts"
pass "nothing left running"
