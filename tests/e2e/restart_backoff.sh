#!/usr/bin/env bash
# Crash restarts (DESIGN.md §3): a server that crashes after its probation is started again from the same
# artifact after a backoff (0.5 s, then 1 s, ...), under load with no failed request; with --restart never
# it is only reported. A plain command that exits on its own is reported with its exit status and runs
# again at the next change, never restarted in a loop.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"

port=$(free_port)
url="http://127.0.0.1:$port/"
make_artifact_project "$WORK/project"
cd "$WORK/project"
set_args --version v1 --notify --crash-after-ms 1500
start_hotswap -w src -b ./build.sh --artifact out/app -l "127.0.0.1:$port" --ready notify \
    --probation 500ms --drain-timeout 2s -- out/app
wait_until 30 body_has "$url" "testapp v1" || fail "v1 never served"
start_load "$port"
wait_log '✗ app#1 crashed after .* \(killed by SIGABRT\) · restarting in 500 ms \(restart 1\) · last output: testapp v1 crashing on purpose'
wait_log '✓ app#2 serving again after a restart'
wait_log '✗ app#2 crashed after .* \(killed by SIGABRT\) · restarting in 1(\.00)? s \(restart 2\)'
wait_log '✓ app#3 serving again after a restart'
pass "a crash after probation restarts the same build, backing off 0.5 s, 1 s"

set_args --version v2 --notify
wait_log '✓ app#4 serving'
wait_until 10 body_has "$url" "testapp v2" || fail "v2 is not served"
expect_no_failed_requests "crash restarts"
pass "a fixed build ends the crash loop; $LOAD_LINE"
stop_hotswap TERM || fail "hotswap did not exit 0"
expect_no_leftovers "after the crash restarts"

# --restart never: reported, not restarted.
port=$(free_port)
url="http://127.0.0.1:$port/"
set_args --version v1 --notify --crash-after-ms 200
start_hotswap -w src -b ./build.sh --artifact out/app -l "127.0.0.1:$port" --ready notify \
    --probation 100ms --restart never -- out/app
wait_log '✗ app#1 exited \(killed by SIGABRT\) · it starts again at the next change'
set_args --version v2 --notify
wait_log '✓ app#2 serving'
grep -q "restarting in" "$LOG" && fail "--restart never restarted the server"
stop_hotswap TERM || fail "hotswap did not exit 0"
pass "--restart never: the crash is reported, the next change starts the app"

# A plain command (no listener, no readiness): its exit is its result.
printf 'echo "checked $(cat src/args)"; exit 3\n' > check.sh
start_hotswap -w src -- /bin/sh check.sh
wait_log 'app#1 exited \(exit status 3\) · it runs again at the next change'
set_args again
wait_log 'app#2 │ checked again'
wait_log 'app#2 exited \(exit status 3\) · it runs again at the next change'
(( $(log_count 'app#[0-9]+ │ checked') == 2 )) || fail "the plain command ran more often than the changes"
stop_hotswap TERM || fail "hotswap did not exit 0"
pass "a plain command is reported with its exit status and runs again at the next change"
