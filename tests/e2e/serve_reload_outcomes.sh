#!/usr/bin/env bash
# `hotswap reload` tells the truth in serve mode: exit 0 only once the new binary serves and has passed
# probation (saying meanwhile what it waits for); exit 1 with the reason when the new binary crashed
# within probation and was rolled back, and when it was refused (group-writable). The old version serves
# throughout, and reload_end says the same as the exit status.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/serve_project.sh"

make_serve_dir
script_release v1 bin/app
start_serve --probation 2s -- bin/app
wait_served v1
wait_good 1  # v1 passed probation: the build a rollback goes back to

# 1. A good binary: exit 0, after probation, with a note while waiting.
script_release v2 "$WORK/srv/app.new"
deploy "$WORK/srv/app.new"
expect 0 reload
err_has "app#[0-9]+ serving; on probation for 2(\.00)? s"
out_has "app#[0-9]+ serves · build [0-9]+-[0-9a-f]{12} · passed probation \(2(\.00)? s\)"
served v2 || fail "v2 is not served after reload exited 0"
pass "reload exits 0 once the new binary has passed probation, and says what it waits for"

# 2. A binary that crashes 300 ms after it took over: rolled back, exit 1 with the reason.
script_release v3 "$WORK/srv/app.new" --crash-after-ms 300
deploy "$WORK/srv/app.new"
expect 1 reload
err_has "app#[0-9]+ died [0-9.]+ m?s after taking over \(killed by SIGABRT\) · rolled back: app#[0-9]+ serves build [0-9]+-[0-9a-f]{12} again"
served v2 || fail "v2 is not served after the rollback"
grep -E '"event":"reload_end"' "$EVENTS" | grep '"ok":false' | grep -q 'rolled back' || fail "no reload_end ok:false for the rollback"
pass "a binary that dies within probation: rolled back, reload exits 1 with the reason"

# 3. A group-writable binary: refused, exit 1 with what to do; the old version keeps serving.
script_release v4 "$WORK/srv/app.new"
chmod 775 "$WORK/srv/app.new"
deploy "$WORK/srv/app.new"
expect 1 reload
err_has "refusing to run .*bin/app: the file .*bin/app is writable by its group \(mode 0775\), so they could replace the program; fix it with: chmod go-w .*bin/app"
served v2 || fail "v2 is not served after the refusal"
expect 0 status --ready
grep -qE '"event":"refused".*writable by its group' "$EVENTS" || fail "no refused event"
pass "a group-writable binary is refused: reload exits 1 with the fix, the old version serves"

# The fix is seen on its own: the mode change makes the same file acceptable.
chmod go-w bin/app
wait_served v4
pass "after chmod go-w the binary is taken without being asked"

# Every reload_start has its reload_end (v4's once its probation is over), and only the good upgrades
# ended ok.
wait_event reload_end 2 '"ok":true'
(($(count_events reload_start) == $(count_events reload_end))) || fail "unpaired reload_start/reload_end: $(event_names)"
(($(count_events reload_end '"ok":true') == 2)) || fail "expected 2 successful upgrades: $(grep reload_end "$EVENTS")"
stop_hotswap TERM || fail "hotswap serve exited non-zero after SIGTERM"
expect_no_leftovers "after serve stopped"
pass "every reload_start has its reload_end; nothing left running"
