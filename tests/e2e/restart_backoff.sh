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
wait_event exit 1 '"action":"restart","artifact":"1-[0-9a-f]+","generation":1,.*"state":"serving","status":"killed by SIGABRT"'
wait_event restart 1 '"artifact":"1-[0-9a-f]+","attempt":1,"delay_ms":500,"generation":1,'
wait_log 'last output: testapp v1 crashing on purpose'  # the hint the user reads with the crash
wait_event spawn 1 '"artifact":"1-[0-9a-f]+","generation":2,.*"reason":"restart"'
wait_event switch 1 '"generation":2,'
wait_event exit 1 '"action":"restart","artifact":"1-[0-9a-f]+","generation":2,.*"state":"serving","status":"killed by SIGABRT"'
wait_event restart 1 '"artifact":"1-[0-9a-f]+","attempt":2,"delay_ms":1000,"generation":2,'
wait_event spawn 1 '"artifact":"1-[0-9a-f]+","generation":3,.*"reason":"restart"'
wait_event switch 1 '"generation":3,'
pass "a crash after probation restarts the same build, backing off 0.5 s, 1 s"

set_args --version v2 --notify
wait_event switch 1 '"generation":4,'
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
wait_event exit 1 '"action":"report-and-wait",.*"generation":1,.*"status":"killed by SIGABRT"'
set_args --version v2 --notify
wait_event switch 1 '"generation":2,'
(($(count_events restart) == 0)) || fail "--restart never restarted the server: $(grep restart "$EVENTS")"
stop_hotswap TERM || fail "hotswap did not exit 0"
pass "--restart never: the crash is reported, the next change starts the app"

# A plain command (no listener, no readiness): its exit is its result.
printf 'echo "checked $(cat src/args)"; exit 3\n' > check.sh
start_hotswap -w src -- /bin/sh check.sh
wait_event exit 1 '"action":"report-and-wait",.*"generation":1,.*"status":"exit status 3"'
set_args again
wait_log 'app#2 │ checked again'
wait_event exit 1 '"action":"report-and-wait",.*"generation":2,.*"status":"exit status 3"'
(($(count_events spawn) == 2)) || fail "the plain command ran more often than the changes: $(event_names)"
stop_hotswap TERM || fail "hotswap did not exit 0"
pass "a plain command is reported with its exit status and runs again at the next change"
