#!/usr/bin/env bash
# The gradual shift through the front (issue "gradual shift", docs/operations.md "Gradual shift") under
# $CONNECTIONS keep-alive connections of a Go server, steps 10 % and 50 % of 1 s each:
#   - a good version goes through every step and serves everything; 0 failed requests, and each step's
#     requests split by its weight within ±3 points (counted by the front, in the step's shift_analysis);
#   - one that answers 500 to every 5th request is aborted in the first step, and the users' failed
#     requests are few (the figure is printed; the bound checked is the 5xx share of the requests it takes to
#     prove it, far below the step's size);
#   - one that adds 50 ms to every request is aborted on latency;
#   - one that crashes during the step is aborted, and no idempotent request fails (the front retries them);
# each abort leaves the old version serving everything, marks the build bad with the reason, and makes
# `hotswap reload` exit 1 with it.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/front_load.sh"
go_fixture
CONNECTIONS=${CONNECTIONS:-16}

goapp_project "$WORK/project"
cat >hotswap.toml <<'TOML'
[shift]
steps = [10, 50, 100]
step_time = "1s"
TOML

PORT=$(free_port)
start_hotswap -w watched -b ./build.sh --artifact out/app --proxy "127.0.0.1:$PORT" --ready notify \
    --ready-timeout 5s --probation 0s --drain-timeout 5s -- out/app
wait_first_switch
URL="http://127.0.0.1:$PORT/"

# reload_to GENERATION ARGS EXPECTED_STATUS: the next build runs goapp with ARGS, asked for under load.
reload_to() {
    echo "$2" >src/args
    start_load "$PORT" "$CONNECTIONS" --expect goapp
    reload_once "$1" "$3"
    stop_load
}
# aborted_with GENERATION REGEX: the shift of GENERATION ended in an abort whose reason matches REGEX, the
# reload said it, the old version serves, and the build is marked bad with it.
aborted_with() {
    wait_event shift_end 1 "\"generation\":$1,.*\"ok\":false"
    grep -E '"event":"shift_end"' "$EVENTS" | grep -E "\"generation\":$1," | grep -qE -- "$2" ||
        fail "app#$1's shift did not end on \"$2\": $(grep -E '"event":"shift_end"' "$EVENTS" | tail -1)"
    grep -qE -- "$2" "$WORK/reload.out" || fail "hotswap reload did not say \"$2\": $(cat "$WORK/reload.out")"
    body_has "$URL" "goapp v2" || fail "v2 does not serve after app#$1's abort: $(http_get "$URL" 2>&1)"
    "$HOTSWAP" history >"$WORK/history.out" 2>&1
    grep -E "^$1-" "$WORK/history.out" | grep -E "bad" | grep -qE -- "$2" ||
        fail "build $1 is not marked bad with the reason: $(cat "$WORK/history.out")"
}

# 1. A good version: every step, then the switch; the weights held.
reload_to 2 "--version v2 --notify" 0
((LOAD_FAILED == 0 && LOAD_OK > 0)) || fail "good version: $LOAD_FAILED failed requests ($LOAD_LINE)"
for step in 1 2; do
    line=$(grep -E '"event":"shift_analysis"' "$EVENTS" | grep -E '"generation":2,' | grep -E "\"step\":$step,")
    [[ $line =~ \"decision\":\"next\" && $line =~ \"step_requests_new\":([0-9]+) ]] || fail "no step $step decision: $line"
    new=${BASH_REMATCH[1]}
    [[ $line =~ \"step_requests_old\":([0-9]+) ]] || fail "step $step: no count of app#1's requests: $line"
    old=${BASH_REMATCH[1]}
    [[ $line =~ \"weight\":([0-9]+) ]] || fail "step $step: no weight: $line"
    weight=${BASH_REMATCH[1]}
    share=$((1000 * new / (new + old)))  # per mille
    ((share >= weight * 10 - 30 && share <= weight * 10 + 30)) ||
        fail "step $step (weight $weight): app#2 took $share ‰ of $((new + old)) requests"
    echo "step $step: weight $weight %, app#2 took $((share / 10)).$((share % 10)) % of $((new + old)) requests"
done
has_events switch 1 '"generation":2,' || fail "app#2 never switched in"
pass "a good version went through 10 % and 50 % and serves; 0 failed ($LOAD_OK ok); weights within ±3 points"

# 2. 500 on every 5th request: aborted in the first step, at the requests that prove it.
reload_to 3 "--version v3 --notify --fail-every 5" 1
# (4 errors in the 20 it takes, with the requests that ended before the abort took effect: 4 of 20 to 25)
aborted_with 3 "5xx (1[5-9]|20) % on new \(app#3\) vs 0 % on old \(app#2\) over [0-9]+ requests"
line=$(grep -E '"event":"shift_analysis"' "$EVENTS" | grep -E '"generation":3,')
[[ $line =~ \"step\":1, && $line =~ \"step_requests_new\":([0-9]+) ]] || fail "app#3 not aborted in step 1: $line"
exposed=${BASH_REMATCH[1]}
((LOAD_FAILED <= 10)) || fail "20 % 500s: $LOAD_FAILED requests failed before the abort (app#3 took $exposed)"
pass "20 % 500s: aborted in step 1 after app#3 took $exposed requests; users saw $LOAD_FAILED 500s ($LOAD_OK ok)"

# 3. 50 ms more on every request: aborted on latency; nothing fails.
reload_to 4 "--version v4 --notify --delay-ms 50" 1
aborted_with 4 "p99 latency"
((LOAD_FAILED == 0)) || fail "+50 ms: $LOAD_FAILED failed requests ($LOAD_LINE)"
pass "+50 ms: aborted on p99 latency; 0 failed ($LOAD_OK ok)"

# 4. A crash during the step: aborted, and no GET fails (the front retries what the crash cut off).
reload_to 5 "--version v5 --notify --crash-at-request 40" 1
wait_event exit 1 '"generation":5,'
# Whichever the loop hears first: the exit, or the requests the crash cut off (a run of failures).
grep -qE "exited during its traffic shift|app#5 failed [0-9]+ requests in a row" "$WORK/reload.out" ||
    fail "reload did not say app#5 exited: $(cat "$WORK/reload.out")"
body_has "$URL" "goapp v2" || fail "v2 does not serve after app#5 crashed"
((LOAD_FAILED == 0)) || fail "crash during the shift: $LOAD_FAILED failed requests ($LOAD_LINE)"
pass "a crash in step 1: aborted, v2 serves; 0 failed ($LOAD_OK ok)"

stop_hotswap TERM || fail "hotswap did not exit 0 after SIGTERM"
expect_no_leftovers "shift"
