#!/usr/bin/env bash
# `hotswap serve` under a service manager that speaks sd_notify (an outer hotswap plays systemd: it passes
# NOTIFY_SOCKET and the listening socket, LISTEN_FDS=1, as Type=notify-reload with socket activation
# does, and shows every STATUS= it hears). Checked end to end: READY=1 once the first generation serves;
# an upgrade by a replaced binary, one by SIGHUP and a refused one are each bracketed by RELOADING=1 …
# READY=1 (driven by the reload_start/reload_end events), with a status saying what happened.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/serve_project.sh"

make_serve_dir
elf_release 1 bin/app
mkdir "$WORK/manager"
cd "$WORK/manager"
# The inner serve runs in the release directory; `exec` keeps its pid, which LISTEN_PID names.
start_hotswap --ready notify --ready-timeout 60s --drain-timeout 5s -l "127.0.0.1:$PORT" -- \
    sh -c 'cd "$1" && shift && exec "$@"' sh "$WORK/srv" \
    "$HOTSWAP" serve --ready notify --probation 1s --events "$EVENTS" -- "${ELF_COMMAND[@]}"
wait_log "app#1 │ .*listening on .*socket from systemd"
wait_log "app#1 status: serving app#1"
wait_log "✓ app#1 serving · "
wait_served v1
pass "READY=1 once the first generation serves, through the manager's socket"

# line_of PATTERN: the first log line matching PATTERN.
line_of() { grep -nE -- "$1" "$LOG" | head -n 1 | cut -d: -f1; }
# in_order PATTERN...: each pattern first appears after the one before.
in_order() {
    local previous=0 line
    for pattern in "$@"; do
        line=$(line_of "$pattern")
        [[ -n $line ]] && ((line > previous)) || fail "not in order: /$pattern/ (line ${line:-none}) after line $previous"
        previous=$line
    done
}

# 1. A binary renamed into place.
cd "$WORK/srv"
echo v2 >"$VERSION_FILE"
elf_release 2 "$WORK/srv/app.new"
deploy "$WORK/srv/app.new"
wait_log "app#1 status: app#2 serves · build [0-9]+-[0-9a-f]{12} · passed probation"
in_order "app#1 status: reloading: bin/app changed" "app#1 status: serving app#2" "app#1 status: app#2 serves"
served v2 || fail "v2 is not served"
pass "a replaced binary: RELOADING=1 (bin/app changed) … READY=1 (serving app#2), then its probation's end"

# 2. SIGHUP to the inner hotswap (systemctl reload).
echo v3 >"$VERSION_FILE"
kill -HUP "$(pgrep -P "$HS_PID" -f -- "serve --ready notify")"
wait_log "app#1 status: app#3 serves · build [0-9]+-[0-9a-f]{12} · passed probation"
in_order "app#1 status: reloading: reload requested \(signal\)" "app#1 status: app#3 serves"
served v3 || fail "v3 is not served"
pass "SIGHUP: RELOADING=1 … READY=1 the same way"

# 3. A refused binary: the reload ends (READY=1) with the refusal as status; v3 serves on.
elf_release 4 "$WORK/srv/app.new"
chmod 775 "$WORK/srv/app.new"
deploy "$WORK/srv/app.new"
wait_log "app#1 status: refusing to run .*bin/app: the file .*bin/app is writable by its group"
(($(log_count "app#1 status: reloading: bin/app changed") == 2)) || fail "the refused upgrade did not begin with RELOADING=1"
served v3 || fail "v3 stopped serving after a refused binary"
pass "a refused binary: RELOADING=1 … READY=1 with the refusal as STATUS=, v3 serves on"

stop_hotswap TERM || fail "the outer hotswap exited non-zero"
grep -q "app#1 status: stopping" "$LOG" || fail "no STOPPING=1/STATUS=stopping from the inner hotswap"
expect_no_leftovers "after both stopped"
pass "STOPPING=1 on shutdown; both exit 0, nothing left running"
