#!/usr/bin/env bash
# `hotswap serve` (DESIGN.md §1, §8) under load: the first generation starts at once and serves; a new
# binary renamed into place (built beside it, chmod, mv, as a deploy does) is taken, copied into the store
# and swapped in on the same socket; SIGHUP upgrades too (systemd's reload). Not one request fails, every
# upgrade is bracketed by reload_start … reload_end, and nothing is left running after SIGTERM.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/serve_project.sh"

make_serve_dir
elf_release 1 bin/app
start_serve --probation 1s -- "${ELF_COMMAND[@]}"
wait_served v1
wait_event switch 1 '"generation":1,'
expect 0 status --ready
[[ -n $(ls .hotswap/artifacts | grep -E '^1-[0-9a-f]{12}$') ]] || fail "the first binary was not kept in the store"
pass "serve starts the binary at once and serves it"

start_load "$PORT"

# 1. A new binary renamed into place.
echo v2 >"$VERSION_FILE"
elf_release 2 "$WORK/srv/app.new"
mv "$WORK/srv/app.new" bin/app
wait_served v2
wait_event reload_end 1 '"ok":true'
grep -qE '"event":"reload_start".*"trigger":"artifact"' "$EVENTS" || fail "no reload_start with trigger artifact"
grep -E '"event":"reload_end"' "$EVENTS" | grep -qE '"generation":2' || fail "reload_end does not name app#2"
wait_event change 1 '"first":"[^"]*bin/app[" ]'
# The generation runs the kept copy, never bin/app itself.
pgrep -f -- "\.hotswap/artifacts/2-[0-9a-f]{12} --notify" >/dev/null || fail "app#2 does not run the kept copy"
pass "a binary renamed into place is taken and swapped in (reload_start trigger artifact … reload_end ok)"

# 2. SIGHUP: the binary as it is now (the same one), started again; it reads v3.
echo v3 >"$VERSION_FILE"
kill -HUP "$HS_PID"
wait_served v3
wait_event reload_end 2 '"ok":true'
grep -qE '"event":"reload_start".*"trigger":"sighup"' "$EVENTS" || fail "no reload_start with trigger sighup"
pass "SIGHUP upgrades (reload_start trigger sighup … reload_end ok)"

expect_no_failed_requests "serve upgrades"
pass "no failed request over both upgrades; $LOAD_LINE"

# Every upgrade: one reload_start, then its switch, then one reload_end (the first start is no upgrade).
bracket=$(event_names | tr ' ' '\n' | grep -E '^(reload_start|switch|reload_end)$' | paste -sd' ')
[[ $bracket == "switch reload_start switch reload_end reload_start switch reload_end" ]] ||
    fail "upgrades not bracketed by reload_start … reload_end: $(event_names)"
pass "events: each upgrade is reload_start … switch … reload_end"

status=0
stop_hotswap TERM || status=$?
((status == 0)) || fail "hotswap serve exited with $status after SIGTERM"
expect_no_leftovers "after serve stopped"
pass "SIGTERM: exit 0, nothing left running"
