#!/usr/bin/env bash
# The inotify watch limit: when no more watches can be had, hotswap says so once (naming
# fs.inotify.max_user_watches and the number needed), polls the directories left, and misses nothing.
# The limit is lowered through HOTSWAP_MAX_WATCHES: the real one needs root to change and is shared by every
# program of the user.
source "$(dirname "$0")/lib/common.sh"

mkdir -p "$WORK/project/src/"{d1,d2,d3,d4,d5,d6,d7}
cd "$WORK/project"
export HOTSWAP_MAX_WATCHES=3
start_hotswap -w src -b 'echo built'
unset HOTSWAP_MAX_WATCHES
wait_log 'watching 8 directories'
wait_log 'fs.inotify.max_user_watches'
grep -q '8 directories need a watch, 3 have one and the other 5 are polled every 500 ms' "$LOG" ||
    fail "the message does not say how many watches are needed: $(grep -m1 watch "$LOG")"
grep -q 'sudo sysctl fs.inotify.max_user_watches=[0-9]' "$LOG" || fail "the message does not say what to run"
builds=1
wait_event build_end $builds '"ok":true'
pass "one message naming the limit, the watches needed and what to run"

for d in d1 d2 d3 d4 d5 d6 d7; do
    echo x > "src/$d/f.c"
    builds=$((builds + 1))
    wait_event build_end "$builds" '"ok":true'
    has_events change 1 "\"first\":\"src/$d/f\\.c[\" ]" || fail "the write in src/$d was not reported: $(grep change "$EVENTS")"
done
pass "a write in every directory, watched or polled, is built"

mkdir -p src/new/deeper && echo x > src/new/deeper/g.c
builds=$((builds + 1))
wait_event build_end "$builds" '"ok":true'
has_events change 1 '"first":"src/new/deeper/g\.c[" ]' || fail "a new directory beyond the limit was not watched: $(grep change "$EVENTS")"
[[ $(grep -c 'fs.inotify.max_user_watches' "$LOG") == 1 ]] || fail "the limit message was repeated"
pass "a new directory beyond the limit is polled, without a second message"
