#!/usr/bin/env bash
# Fault matrix, hotswap itself is stopped (DESIGN.md §3): SIGTERM under load stops every generation the
# way a drain does (requests in flight are answered), kills a grandchild that left its group, and exits 0;
# SIGKILL leaves nothing behind either: PR_SET_PDEATHSIG takes the generation's first process down within
# a second, and the orphan guard the rest of its process group (here the server, started by a shell that
# does not exec it).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"

port=$(free_port)
url="http://127.0.0.1:$port/"
make_artifact_project "$WORK/project"
cd "$WORK/project"
set_args --version v1 --notify --grandchild
start_hotswap -w src -b ./build.sh --artifact out/app -l "127.0.0.1:$port" --ready notify \
    --drain-timeout 2s -- out/app
wait_until 30 body_has "$url" "testapp v1" || fail "v1 never served"
wait_log 'testapp grandchild [0-9]+ running'
start_load "$port"

# From the mark on the server is going away on purpose: requests begun before it must all succeed.
mark_load
status=0
stop_hotswap TERM || status=$?
((status == 0)) || fail "hotswap exited with $status after SIGTERM, expected 0"
grep -q 'SIGTERM received: stopping' "$LOG" || fail "no line says hotswap is stopping"
grep -q 'testapp v1 stopped' "$LOG" || fail "the app was not stopped gracefully"
expect_no_failed_requests "SIGTERM to hotswap"
expect_no_leftovers "after SIGTERM"
pass "SIGTERM: every generation and the escaped grandchild stopped, exit 0; $LOAD_LINE"

port=$(free_port)
url="http://127.0.0.1:$port/"
set_args --version v2 --notify
start_hotswap -w src -b ./build.sh -l "127.0.0.1:$port" --ready notify --no-listen-pid \
    -- sh -c 'out/app; echo "the app exited"'
wait_until 30 body_has "$url" "testapp v2" || fail "v2 never served"
app=$(tagged_pids)
[[ -n $app ]] || fail "no app process found"
shell=$(pgrep -P "$HS_PID" -x sh) || fail "no shell between hotswap and the app"
[[ $(ps -o ppid= -p "$app" | tr -d ' ') == "$shell" ]] || fail "the app is not the shell's child"
guard=$(pgrep -P "$HS_PID" -x hotswap-guard) || fail "no orphan guard runs"
kill -KILL "$HS_PID"
wait "$HS_PID" 2>/dev/null || true
HS_PID=""
for p in $shell $app; do wait_gone "$p" 1 || fail "process $p outlived hotswap's SIGKILL by more than a second"; done
wait_gone "$guard" 5 || fail "the orphan guard outlived its work"
pass "SIGKILL: the shell (PR_SET_PDEATHSIG) and the server it started (the orphan guard) are gone within a second"
