#!/usr/bin/env bash
# Soak (DESIGN.md §9): 200 reloads in a row under load, each a real edit → build → artifact → new
# generation → switch. No request may fail, and hotswap's open fd count and resident memory must be the
# same after the last reload as after the first: nothing leaks per reload (fds, timers, generations,
# artifacts beyond [artifacts] keep).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"
RELOADS=${RELOADS:-200}

# Under AddressSanitizer freed memory sits in a quarantine first, which would read as growth.
if grep -qs 'HOTSWAP_SANITIZE:BOOL=ON' "${HOTSWAP_BINARY_DIR:-/nonexistent}/CMakeCache.txt"; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
fi

fd_count() { ls "/proc/$HS_PID/fd" | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$HS_PID/status"; }
# One generation; hotswap's orphan guard is a child too, for hotswap's whole life.
only_one_child() { [[ $(ps -o comm= --ppid "$HS_PID" | grep -cvx hotswap-guard) -eq 1 ]]; }
# The settled state after a switch: the old generation reaped, one child left, the fd count steady.
LAST_FDS=-1
fds_settled() {
    only_one_child || return 1
    local now
    now=$(fd_count)
    [[ $now == "$LAST_FDS" ]] && return 0
    LAST_FDS=$now
    return 1
}

port=$(free_port)
url="http://127.0.0.1:$port/"
make_artifact_project "$WORK/project"
cd "$WORK/project"
start_hotswap -w src -b ./build.sh --artifact out/app -l "127.0.0.1:$port" --ready notify --drain-timeout 5s -- out/app
wait_until 30 body_has "$url" "testapp v1" || fail "v1 never served"
start_load "$port" 2

set_args --version v2 --notify
wait_event switch 1 '"generation":2,'
wait_until 10 fds_settled || fail "hotswap did not settle after the first reload"
fds_first=$LAST_FDS
rss_first=$(rss_kb)

started=$SECONDS
for i in $(seq 3 $((RELOADS + 1))); do
    set_args --version "v$i" --notify
    wait_event switch 1 "\"generation\":$i," 60
done
elapsed=$((SECONDS - started))
wait_until 10 body_has "$url" "testapp v$((RELOADS + 1))" || fail "the last version is not served"
LAST_FDS=-1
wait_until 10 fds_settled || fail "hotswap did not settle after the last reload"
fds_last=$LAST_FDS
rss_last=$(rss_kb)
expect_no_failed_requests "$RELOADS reloads"
echo "after reload 1:   fds=$fds_first rss=${rss_first} kB"
echo "after reload $RELOADS: fds=$fds_last rss=${rss_last} kB ($((RELOADS - 1)) reloads in ${elapsed} s)"
pass "$RELOADS reloads under load, 0 failed requests; $LOAD_LINE"

((fds_last == fds_first)) || fail "hotswap's fd count grew from $fds_first to $fds_last over $RELOADS reloads"
# The same memory, within what the allocator rounds to: 512 kB over 200 reloads is 2.5 kB a reload.
((rss_last - rss_first <= 512)) || fail "hotswap's RSS grew from $rss_first kB to $rss_last kB over $RELOADS reloads"
kept=$(ls .hotswap/artifacts | grep -cE '^[0-9]+-[0-9a-f]{12}$')
((kept <= 6)) || fail "$kept artifacts kept, expected at most 5 (+ the serving one)"
pass "fd count ($fds_first → $fds_last) and RSS ($rss_first → $rss_last kB) unchanged, $kept artifacts kept"

stop_hotswap TERM || fail "hotswap did not exit 0"
expect_no_leftovers "soak"
