#!/usr/bin/env bash
# --poll: the polling backend (for filesystems inotify does not see) builds on edits, new directories and
# deletions, with the same ignore rules; and `--poll` alone means every 500 ms.
source "$(dirname "$0")/lib/common.sh"

mkdir -p "$WORK/project/src/gen"
cd "$WORK/project"
echo 1 > src/main.c
echo 'gen/' > src/.gitignore
start_hotswap -w src -b 'echo built' --poll=50
wait_log 'watching 1 directories, 2 files'
builds=1
wait_log '✓ built in' 30 $builds
pass "the ignored directory is pruned"

next_build() {
    builds=$((builds + 1))
    wait_log '✓ built in' 30 "$builds"
    grep -qE -- "$2" "$LOG" || fail "$1: no line /$2/"
    pass "$1"
}
echo 2 > src/main.c
next_build "an edit" 'changed: src/main.c$'
echo x > src/gen/ignored.c
mkdir -p src/lib/deep && echo 3 > src/lib/deep/new.c
next_build "a new directory (and not the ignored one)" 'changed: src/lib/deep/new.c$'
grep -q 'gen/ignored.c' "$LOG" && fail "a file in an ignored directory was reported"
rm src/main.c
next_build "a deletion" 'changed: src/main.c$'
