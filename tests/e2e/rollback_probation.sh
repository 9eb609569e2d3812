#!/usr/bin/env bash
# Fault matrix, a build that becomes ready and then dies within --probation (DESIGN.md §3), under load:
# its artifact is marked bad and the last good artifact starts again on the same sockets (automatic
# rollback), with not one failed request: connections wait in the shared backlog meanwhile.
# (testapp's crash answers the requests it holds before it aborts: no supervisor can save a request
# inside a process that dies; what is counted is every other request.)
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"

port=$(free_port)
url="http://127.0.0.1:$port/"
make_artifact_project "$WORK/project"
cd "$WORK/project"
start_hotswap -w src -b ./build.sh --artifact out/app -l "127.0.0.1:$port" --ready notify \
    --probation 3s --drain-timeout 2s -- out/app
wait_until 30 body_has "$url" "testapp v1" || fail "v1 never served"
wait_event switch 1 '"generation":1,'
start_load "$port"

set_args --version v2 --notify --crash-after-ms 300
wait_event switch 1 '"generation":2,'
wait_event exit 1 '"action":"rollback","artifact":"2-[0-9a-f]+","generation":2,.*"state":"serving","status":"killed by SIGABRT"'
wait_event rollback 1 '"from":"2-[0-9a-f]+","generation":2,.*"to":"1-[0-9a-f]+"'
wait_event spawn 1 '"artifact":"1-[0-9a-f]+","generation":3,.*"reason":"rollback"'
wait_event switch 1 '"artifact":"1-[0-9a-f]+",.*"generation":3,'
wait_until 10 body_has "$url" "testapp v1" || fail "v1 is not served after the rollback"
grep -q '"outcome": "bad"' .hotswap/artifacts/index.json || fail "build 2 is not marked bad"
# The rollback ran the kept copy of build 1, not whatever out/app holds now.
grep -qE "app#3 │ testapp v1 starting" "$LOG" || fail "the rollback did not run build 1"
pass "dies within probation: build 2 marked bad, build 1 serves again"

set_args --version v3 --notify
wait_event switch 1 '"generation":4,'
wait_until 10 body_has "$url" "testapp v3" || fail "v3 is not served"
expect_no_failed_requests "rollback"
pass "a fixed build serves again; $LOAD_LINE"

status=0
stop_hotswap TERM || status=$?
((status == 0)) || fail "hotswap exited with $status after SIGTERM"
expect_no_leftovers "after the rollback"
ls .hotswap/artifacts | grep -qE '^[0-9]+-[0-9a-f]{12}$' || fail "no artifact named <seq>-<sha256/12>"
[[ -z $(find .hotswap/artifacts -type f -name '[0-9]*' -perm /222) ]] || fail "an artifact is writable"
pass "nothing left running; artifacts are kept read-only as <seq>-<sha256/12>"

# The lifecycle as --events saw it, in order, for the build that died and the rollback.
events=$(event_names)
# (the old generation's exit and the new one's crash may come in either order; reload_start opens the
# upgrade attempt right after the change)
[[ $events =~ change(\ reload_start)?\ build_start\ build_end\ spawn\ ready\ switch\ drain(\ exit)+\ rollback\ spawn\ ready\ switch ]] \
    || fail "events out of order: $events"
grep -qE '"event":"rollback".*"from":"2-[0-9a-f]{12}".*|"event":"rollback".*"to":"1-[0-9a-f]{12}"' "$EVENTS" \
    || fail "the rollback event does not name the builds: $(grep rollback "$EVENTS")"
pass "events: change, build_start, build_end, spawn, ready, switch, drain, exit, rollback, in order"
