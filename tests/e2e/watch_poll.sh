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
wait_event build_end $builds '"ok":true'
pass "the ignored directory is pruned"

# next_build WHAT PATH: one more build, after a change event of PATH alone (the last one so far).
next_build() {
    builds=$((builds + 1))
    wait_event build_end "$builds" '"ok":true'
    local last
    last=$(grep -E '"event":"change"' "$EVENTS" | tail -n 1)
    [[ $last == *"\"first\":\"$2\",\"paths\":1}"* ]] || fail "$1: the last change is not $2 alone: $last"
    pass "$1"
}
echo 2 > src/main.c
next_build "an edit" src/main.c
echo x > src/gen/ignored.c
# The new tree appears at once (made beside the project, then renamed in): a poll between the file's
# creation and its write would see it twice, empty and then written, which is two changes, not one.
mkdir -p "$WORK/staging/lib/deep" && echo 3 > "$WORK/staging/lib/deep/new.c" && mv "$WORK/staging/lib" src/lib
next_build "a new directory (and not the ignored one)" src/lib/deep/new.c
(($(count_events change 'gen/ignored') == 0)) || fail "a file in an ignored directory was reported: $(grep gen/ignored "$EVENTS")"
rm src/main.c
next_build "a deletion" src/main.c
