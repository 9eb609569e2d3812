#!/usr/bin/env bash
# Every client verb against a real supervisor: status (from a subdirectory too), reload that waits for the
# new version, history, rollback to the previous and to a named build, stop that returns once hotswap is gone.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"

make_artifact_project
start_hotswap
wait_serving
expect_serves v1
pass "v1 serves"

[[ $(stat -c %a "$XDG_RUNTIME_DIR/hotswap") == 700 ]] || fail "the control socket's directory must be 0700"
[[ $(stat -c %a "$XDG_RUNTIME_DIR"/hotswap/*.sock) == 600 ]] || fail "the control socket must be 0600"
expect 0 status
out_has "supervising $WORK/project"
out_has "app#1 +serving +pid [0-9]+"
expect 0 status --ready
expect 0 status --json
out_has '"serving": true'
out_has '"ok": true'
(cd src/deep && expect 0 status) || fail "status from a subdirectory"
pass "status, status --ready, status --json, from a subdirectory too"

echo v2 >src/version.txt
expect 0 reload
out_has "app#2 serves"
expect_serves v2
pass "reload exits 0 once the new version serves, and it does"

expect 0 history
[[ $(grep -cE '^[0-9]+-[0-9a-f]+ ' "$OUT") -eq 2 ]] || { show_last; fail "history should list two builds"; }
out_has "good"
expect 0 history --json
v2_id=$(grep -oE '"id": "2-[0-9a-f]+"' "$OUT" | cut -d'"' -f4)
[[ -n "$v2_id" ]] || { show_last; fail "no id of build 2 in history --json"; }
pass "history lists the builds with their outcomes"

expect 0 rollback
expect_serves v1
wait_event switch 1 '"generation":3,'
pass "rollback serves the previous good build"

expect 0 rollback "$v2_id"
expect_serves v2
pass "rollback ID serves that build"

expect 1 rollback 99-000000000000
err_has "no build 99-000000000000"
expect_serves v2
pass "rollback to an unknown build says so and changes nothing"

app_pids=$(pgrep -P "$HS_PID")  # the generations: hotswap's own children, not other tests'
expect 0 stop
out_has "stopping hotswap"
out_has "^stopped"
has_exited "$HS_PID" || fail "hotswap still runs after 'hotswap stop' returned"
wait "$HS_PID" || fail "hotswap exited non-zero after stop"
HS_PID=""
for p in $app_pids; do is_gone "$p" || fail "app process $p survived the stop"; done
pass "stop returns once hotswap and its app are gone"

expect 3 status
err_has "no hotswap is running"
pass "no supervisor: exit 3"
