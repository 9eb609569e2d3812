#!/usr/bin/env bash
# Fault matrix, new generations that fail to start (DESIGN.md §3, §9), under load: one that exits at once,
# one that segfaults, one that never becomes ready, one whose command cannot run. Each time the old
# generation keeps serving, the user reads one line saying why, the build is marked bad, not one request
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
wait_log 'app#1 serving'
start_load "$port"

set_args --version v2 --notify --exit-now 3
wait_log '✗ app#2 exited before it was ready \(exit status 3\) · app#1 is still serving the previous version'
body_has "$url" "testapp v1" || fail "v1 stopped serving after app#2 exited"
pass "exits at once: app#1 keeps serving, one line says why"

set_args --version v3 --notify --segfault
wait_log '✗ app#3 exited before it was ready \(killed by SIGSEGV'
body_has "$url" "testapp v1" || fail "v1 stopped serving after app#3 crashed"
pass "segfaults: app#1 keeps serving, one line says why"

set_args --version v4 --notify --never-ready
wait_log '✗ app#4 was not ready within 2(\.00)? s \(waited for READY=1 on NOTIFY_SOCKET\) · app#1 is still serving'
wait_log 'testapp v4 stopped'
body_has "$url" "testapp v1" || fail "v1 stopped serving after app#4 never became ready"
pass "never ready: stopped after --ready-timeout, app#1 keeps serving"

set_args --version v5 --notify
wait_log '✓ app#5 serving'
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
