#!/usr/bin/env bash
# Fault matrix, builds that fail (DESIGN.md §3, §9), under load: a compiler error, a build hanging past
# --build-timeout, a build that succeeds without producing the --artifact binary. Each time the running
# generation keeps serving, one line says why, not one request fails and nothing is left running.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"

port=$(free_port)
url="http://127.0.0.1:$port/"
make_artifact_project "$WORK/project"
cd "$WORK/project"
start_hotswap -w src -b ./build.sh --build-timeout 1s --artifact out/app -l "127.0.0.1:$port" --ready notify \
    --drain-timeout 2s -- out/app
wait_until 30 body_has "$url" "testapp v1" || fail "v1 never served"
start_load "$port"

set_args --version v2 build-error
wait_event build_end 1 '"ok":false,"reason":"[^"]*exit status 1'
wait_event reload_end 1 '"generation":1,.*"ok":false'
grep -q "src/args:1: error: syntax error near 'error'" "$LOG" || fail "the build's error output is not shown"
pass "build fails: app#1 keeps serving, the compiler's error is shown"

set_args --version v3 build-hang
wait_event build_end 1 '"duration_ms":[0-9]{4,},"ok":false,"reason":"[^"]*timeout'
wait_event reload_end 2 '"generation":1,.*"ok":false'
pgrep -f "sleep 600" >/dev/null && pgrep -f "sleep 600" | while read -r p; do
    [[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" == "$WORK"* ]] && fail "the hung build (pid $p) is still running"
done
pass "build hangs: killed after --build-timeout, app#1 keeps serving"

set_args --version v4 build-nothing
wait_event build_end 1 '"ok":false,"reason":"[^"]*out/app'
wait_event reload_end 3 '"generation":1,.*"ok":false'
pass "build produces no binary: a failed build, app#1 keeps serving"

body_has "$url" "testapp v1" || fail "v1 stopped serving after the failed builds"
set_args --version v5 --notify
wait_event switch 1 '"generation":2,.*"previous":1,'
wait_until 10 body_has "$url" "testapp v5" || fail "v5 is not served after the fix"
expect_no_failed_requests "failed builds"
pass "the fix serves v5; $LOAD_LINE"

status=0
stop_hotswap TERM || status=$?
((status == 0)) || fail "hotswap exited with $status after SIGTERM"
expect_no_leftovers "after the failed builds"
pass "nothing left running"
