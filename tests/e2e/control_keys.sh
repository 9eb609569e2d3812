#!/usr/bin/env bash
# Interactive keys in a real terminal (script(1) gives hotswap a pseudo-terminal; we type into it through a
# FIFO): r reloads, b rolls back, h shows the help, q quits with status 0. Without a terminal, no keys.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"

command -v script >/dev/null || { echo "SKIP: script(1) (util-linux) is not installed"; exit 77; }

make_artifact_project
mkfifo "$WORK/keyboard"
# Both script and, through the shell it runs, hotswap die with this test (see WITH_TEST).
script_command=$(printf '%q ' exec "${WITH_TEST[@]}" "$HOTSWAP" --events "$EVENTS")
"${WITH_TEST[@]}" script -qfec "$script_command" "$LOG" <"$WORK/keyboard" >/dev/null 2>&1 &
script_pid=$!
exec 5>"$WORK/keyboard"  # hold the keyboard open: script ends its session at EOF
wait_until 10 pgrep -P "$script_pid" || fail "script did not start hotswap"
HS_PID=$(pgrep -P "$script_pid")  # so that a failure still stops hotswap
press() { printf '%s' "$1" >&5; }

wait_log "keys: r reload · b rollback · q quit · h help"
wait_serving
expect_serves v1
pass "in a terminal, hotswap offers the keys"

echo v2 >src/version.txt
press r
wait_until 30 serves v2 || fail "r did not reload"
wait_log "reload: app#2 serves"
pass "r reloads"

press b
wait_until 30 serves v1 || fail "b did not roll back"
wait_event rollback 1 '"reason":"requested"'
wait_event switch 1 '"generation":3,'
pass "b rolls back"

press h
wait_log "keys: r reload · b rollback · q quit · h help" 10 2
press x
press q
wait_until 30 has_exited "$HS_PID" || fail "q did not stop hotswap"
status=0
wait "$script_pid" || status=$?
HS_PID=""
[[ $status -eq 0 ]] || fail "hotswap exited with $status after q, expected 0"
wait_log "stopped"
exec 5>&-
pass "h shows the help, other keys do nothing, q quits with status 0"

# Without a terminal the keys are off (and stdin is left alone).
start_hotswap </dev/null
wait_serving
grep -q "keys: r reload" "$LOG" && fail "keys offered without a terminal"
stop_hotswap TERM || fail "hotswap exited non-zero"
pass "no terminal, no keys"
