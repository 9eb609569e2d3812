#!/usr/bin/env bash
# --events: every lifecycle event as one JSON line, to a file or to stdout (then the human output moves to
# stderr, so stdout is pure JSON lines for a program to read).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"

# every_line_is_an_event FILE: each line is a JSON object beginning with seq, time and event.
every_line_is_an_event() {
    local bad
    bad=$(grep -vcE '^\{"seq":[0-9]+,"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{15}Z","event":"[a-z_]+"[,}]' "$1" || true)
    [[ "$bad" -eq 0 ]] || { grep -vE '^\{"seq":' "$1" | head -5 >&2; fail "$bad lines of $1 are not events"; }
    if command -v jq >/dev/null; then jq -e . "$1" >/dev/null || fail "$1 holds invalid JSON"; fi
}

make_artifact_project
events=$EVENTS  # named explicitly below, so that start_hotswap appends to it (it empties only its own)
start_hotswap --events "$events"
wait_serving
wait_event switch
echo v2 >src/version.txt
touch watched/trigger  # a change the watcher sees: change, build, spawn, ready, switch, drain, exit
wait_until 30 serves v2 || fail "v2 never served"
expect 0 reload
expect 1 rollback 99-000000000000
stop_hotswap TERM || fail "hotswap exited non-zero"
for e in build_start build_end spawn ready switch change drain exit request; do
    has_events "$e" 1 || { cat "$events" >&2; fail "no $e event"; }
done
every_line_is_an_event "$events"
grep -E '"event":"build_end"' "$events" | grep '"ok":true' | grep -qE '"duration_ms":[0-9]+' ||
    fail "build_end lacks ok/duration_ms"
grep -qE '"event":"request","cmd":"reload","from":"control"' "$events" || fail "the control request is not recorded"
seqs=$(grep -oE '^\{"seq":[0-9]+' "$events" | cut -d: -f2 | tr '\n' ' ')
[[ "$seqs" == "$(seq -s ' ' 1 "$(wc -l <"$events")") " ]] || fail "seq must count 1, 2, 3…: $seqs"
pass "--events FILE: every lifecycle event as a JSON line, numbered"

# Appends: a second run adds to the same file.
lines_before=$(wc -l <"$events")
start_hotswap --events "$events"
wait_serving
stop_hotswap TERM || true
(($(wc -l <"$events") > lines_before)) || fail "a second run did not append"
pass "--events FILE appends"

# --events -: stdout is only events.
"${WITH_TEST[@]}" "$HOTSWAP" --events - >"$WORK/stdout.jsonl" 2>"$LOG" &
HS_PID=$!
wait_serving
EVENTS="$WORK/stdout.jsonl" wait_event switch
wait_log "app#1 serving"
stop_hotswap TERM || fail "hotswap exited non-zero"
every_line_is_an_event "$WORK/stdout.jsonl"
grep -qE "app#1 │ testapp v[0-9]+ listening" "$LOG" || fail "the app's output must go to stderr with --events -"
pass "--events -: stdout carries only events; people read stderr"

expect 1 --events "$WORK/no/such/dir/events.jsonl" -- true
grep -q -- "--events: open(.*no/such/dir/events.jsonl)" "$OUT" "$ERR" || { show_last; fail "the error does not name --events and the file"; }
pass "an unwritable --events file is a clear error"
