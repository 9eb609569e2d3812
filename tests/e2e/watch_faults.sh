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
wait_log '✓ built in' 30 $builds
pass "symlink loops are not followed (4 directories, the links counted as files)"

# build_after WHAT [LOG-REGEX]: the change just made leads to one more build (and that log line).
build_after() {
    builds=$((builds + 1))
    wait_log '✓ built in' 30 "$builds"
    [[ -z ${2:-} ]] || grep -qE -- "$2" "$LOG" || fail "$1: no line /$2/ in the log"
    pass "$1"
}

# Queue overflow: hotswap cannot read while stopped, so the kernel drops events and says so.
queue=$(cat /proc/sys/fs/inotify/max_queued_events)
kill -STOP "$HS_PID"
for ((i = 0; i < queue / 2 + 500; i++)); do printf 'x' >> src/a/x.c; printf 'x' >> src/a/y.c; done
mkdir src/made-while-stopped && echo new > src/made-while-stopped/n.c
kill -CONT "$HS_PID"
build_after "queue overflow: the whole tree rescanned and built" 'changed: the whole tree \(rescan\)'
echo after > src/made-while-stopped/n.c
build_after "a directory made while events were lost is watched after the rescan" 'changed: src/made-while-stopped/n.c$'

rm -rf src/a
build_after "a deleted directory" 'changed: src/a/.* and [0-9]+ more'
mkdir -p src/a/b && echo 2 > src/a/b/g.c
build_after "the directory recreated, its new file seen" 'changed: src/a/b/g.c$'
mv src/a src/renamed
build_after "a renamed directory" 'changed: src/a and 1 more'
echo 3 > src/renamed/b/h.c
build_after "a write under the new name" 'changed: src/renamed/b/h.c$'

mv src src-away
build_after "the watched root renamed away" 'changed: src$'
echo 4 > src-away/x.c
mkdir -p src && echo 5 > src/back.c
build_after "the root's name back: watched again" 'changed: src/back.c$'
grep -q 'src-away' "$LOG" && fail "a change in the renamed-away root was reported"
rm -rf src
build_after "the root deleted" 'changed: src/back.c and 1 more'
mkdir src && echo 6 > src/again.c
build_after "and recreated" 'changed: src/again.c$'

status=0
stop_hotswap TERM || status=$?
[[ $status -eq 0 ]] || fail "hotswap exited with $status"
pass "stopped cleanly"
