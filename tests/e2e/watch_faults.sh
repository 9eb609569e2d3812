#!/usr/bin/env bash
# The watcher's fault cases through the real binary: inotify queue overflow (hotswap stopped while more
# events than the queue holds happen), directories deleted, recreated and renamed (the watched root
# included), symlink loops. Each ends in a build and a clear line, never in a missed change.
source "$(dirname "$0")/lib/common.sh"

mkdir -p "$WORK/project/src/a/b" "$WORK/project/src/c"
cd "$WORK/project"
echo 1 > src/a/b/f.c
ln -s .. src/a/b/loop    # a loop through the parent: never followed
ln -s loop2 src/c/loop2  # a link to itself

start_hotswap -w src -b 'echo built'
wait_log 'watching 4 directories, 3 files'
builds=1
wait_event build_end $builds '"ok":true'
pass "symlink loops are not followed (4 directories, the links counted as files)"

# build_after WHAT [FIRST PATHS]: the change just made leads to one more build (after a change event whose
# first path is FIRST, an extended regex, among PATHS paths; "first" goes on with " and N more" then).
build_after() {
    builds=$((builds + 1))
    wait_event build_end "$builds" '"ok":true'
    [[ -z ${2:-} ]] || has_events change 1 "\"first\":\"$2[\" ].*\"paths\":$3[,}]" || fail "$1: no change event of $2 ($3 paths): $(grep change "$EVENTS")"
    pass "$1"
}

# Queue overflow: hotswap cannot read while stopped, so the kernel drops events and says so.
queue=$(cat /proc/sys/fs/inotify/max_queued_events)
kill -STOP "$HS_PID"
for ((i = 0; i < queue / 2 + 500; i++)); do printf 'x' >> src/a/x.c; printf 'x' >> src/a/y.c; done
mkdir src/made-while-stopped && echo new > src/made-while-stopped/n.c
kill -CONT "$HS_PID"
build_after "queue overflow: the whole tree rescanned and built"
# A rescan has no path to name: the change event's "first" holds the log's words, so the log is read.
grep -qE 'changed: the whole tree \(rescan\)' "$LOG" || fail "queue overflow: no rescan reported"
echo after > src/made-while-stopped/n.c
build_after "a directory made while events were lost is watched after the rescan" 'src/made-while-stopped/n\.c' 1

rm -rf src/a
build_after "a deleted directory" 'src/a/[^" ]*' '([2-9]|[1-9][0-9]+)'
mkdir -p src/a/b && echo 2 > src/a/b/g.c
build_after "the directory recreated, its new file seen" 'src/a/b/g\.c' 1
mv src/a src/renamed
build_after "a renamed directory" 'src/a' 2
echo 3 > src/renamed/b/h.c
build_after "a write under the new name" 'src/renamed/b/h\.c' 1

mv src src-away
build_after "the watched root renamed away" 'src' 1
echo 4 > src-away/x.c
mkdir -p src && echo 5 > src/back.c
build_after "the root's name back: watched again" 'src/back\.c' 1
(($(count_events change 'src-away') == 0)) || fail "a change in the renamed-away root was reported: $(grep src-away "$EVENTS")"
rm -rf src
build_after "the root deleted" 'src/back\.c' 2
mkdir src && echo 6 > src/again.c
build_after "and recreated" 'src/again\.c' 1

status=0
stop_hotswap TERM || status=$?
[[ $status -eq 0 ]] || fail "hotswap exited with $status"
pass "stopped cleanly"
