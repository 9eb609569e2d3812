#!/usr/bin/env bash
# sd_notify to the service manager, with a real manager in front: an outer hotswap plays systemd for an
# inner one (it passes NOTIFY_SOCKET and a listening socket, LISTEN_FDS=1, exactly as systemd's
# Type=notify-reload + socket activation does). The outer one shows every STATUS= it receives and marks the
# inner one ready only on READY=1. Checked: READY=1 only once the inner's first generation serves, the
# reload bracketed by RELOADING=1 … READY=1 with a status, STOPPING=1 on shutdown, and the inner's own
# generations never see the outer NOTIFY_SOCKET (they report to the inner one, or nothing would serve).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"

make_artifact_project
echo --ready-delay-ms\ 300 >src/app-args  # the inner's first generation is not ready at once
mkdir "$WORK/manager"
cd "$WORK/manager"
outer_port=$(free_port)
# The inner hotswap adopts the outer's socket (LISTEN_FDS) instead of binding its own [[listen]].
PORT=$outer_port
start_hotswap --ready notify --ready-timeout 60s -l "127.0.0.1:$outer_port" -- "$HOTSWAP" -c "$WORK/project/hotswap.toml"
wait_log "app#1 │ .*listening on .*socket from systemd"
wait_log "✓ app#1 serving"
# The inner's first generation served before the outer heard READY=1.
grep -n "app#1 │ hotswap │ ✓ app#1 serving" "$LOG" | head -1 | cut -d: -f1 >"$WORK/inner_line"
grep -n "✓ app#1 serving · " "$LOG" | grep -v "app#1 │" | head -1 | cut -d: -f1 >"$WORK/outer_line"
(($(cat "$WORK/inner_line") < $(cat "$WORK/outer_line"))) || fail "READY=1 came before the inner app served"
grep -q "app#1 status: serving app#1" "$LOG" || fail "no STATUS=serving app#1 from the inner hotswap"
expect_serves v1
pass "READY=1 (with STATUS=) once the first generation serves, through the manager's socket"

cd "$WORK/project"
echo v2 >src/version.txt
expect 0 reload
wait_log "app#1 status: reloading: reload requested \(control\)"
wait_log "app#1 status: app#2 serves"
expect_serves v2
pass "hotswap reload: RELOADING=1 … READY=1, with the status in between and after"

kill -HUP "$(pgrep -P "$HS_PID" -f -- "-c $WORK/project/hotswap.toml")"
wait_log "app#1 status: reloading: reload requested \(signal\)"
wait_log "app#1 status: app#3 serves"
pass "SIGHUP (systemd's reload) works the same way"

stop_hotswap TERM || fail "the outer hotswap exited non-zero"
grep -q "app#1 status: stopping" "$LOG" || fail "no STOPPING=1/STATUS=stopping from the inner hotswap"
grep -q "MAINPID" "$LOG" && fail "MAINPID must never be sent"
pass "STOPPING=1 on shutdown; both exit 0"
