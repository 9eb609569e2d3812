#!/usr/bin/env bash
# `hotswap serve` never starts a binary that is still being written in place: a copy written in two steps
# (two opens, and one writer holding the file open across a pause) is seen half-written, said to be
# incomplete, and taken only once it is whole. Nothing is started from the half file, the old version
# serves throughout, and each whole binary is one upgrade.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/serve_project.sh"

make_serve_dir
elf_release 1 bin/app
start_serve --probation 1s -- "${ELF_COMMAND[@]}"
wait_served v1
wait_event switch 1

# 1. Two writes, each with its own open: the first half, then (once hotswap has seen it) the rest.
echo v2 >"$VERSION_FILE"
elf_release 2 "$WORK/full"
size=$(stat -c %s "$WORK/full")
half=$((size / 2))
head -c "$half" "$WORK/full" >bin/app
wait_log "bin/app is incomplete \($half of [0-9]+ bytes\): it is still being written"
served v1 || fail "v1 stopped serving while bin/app was half-written"
(($(count_events spawn) == 1)) || fail "something was started from the half-written file: $(event_names)"
tail -c +"$((half + 1))" "$WORK/full" >>bin/app
wait_served v2
wait_event reload_end 1 '"ok":true'
pass "written in two steps: incomplete in between, nothing started, then taken whole"

# 2. One writer that keeps the file open across the pause.
echo v3 >"$VERSION_FILE"
elf_release 3 "$WORK/full"
{
    head -c "$half" "$WORK/full"
    wait_log "bin/app is incomplete \($half of [0-9]+ bytes\)" 30 2
    served v2 || fail "v2 stopped serving while bin/app was half-written"
    tail -c +"$((half + 1))" "$WORK/full"
} >bin/app
wait_served v3
wait_event reload_end 2 '"ok":true'
pass "one writer pausing with the file open: nothing started until it was whole"

# Exactly one generation per whole binary, none failed, none refused.
(($(count_events spawn) == 3)) || fail "expected 3 generations: $(event_names)"
(($(count_events refused) == 0)) || fail "a binary was refused: $(grep refused "$EVENTS")"
(($(count_events exit '"state":"starting"') == 0)) || fail "a generation failed to start: $(grep '"state":"starting"' "$EVENTS")"
stop_hotswap TERM || fail "hotswap serve exited non-zero after SIGTERM"
expect_no_leftovers "after serve stopped"
pass "one generation per whole binary, no failed start; nothing left running"
