#!/usr/bin/env bash
# A test killed by CTest's timeout leaves nothing running. CTest kills a test that times out by killing
# its shell (bash script.sh) with SIGKILL: no trap runs, so nothing is stopped by the test itself. An
# inner test starts hotswap (an app serving on its socket) and the load generator, then hangs; once all
# is running it is killed the way CTest does it, and then nothing it started may remain: not hotswap,
# not its orphan guard, not the app, not the load generator.
source "$(dirname "$0")/lib/common.sh"

((${#WITH_TEST[@]} > 0)) || { echo "SKIP: this setpriv(1) has no --pdeathsig"; exit 77; }

port=$(free_port)
mkdir -p "$WORK/inner-tmp"
# The inner test, a test like any other (common.sh, start_hotswap, start_load), with its work directory
# under ours. When all runs it writes its pids to $WORK/pids, then waits for ever (a read from a FIFO
# nobody writes: no child process of its own).
cat >"$WORK/inner.sh" <<SH
source '$HOTSWAP_SOURCE_DIR/tests/e2e/lib/common.sh'
mkdir -p "\$WORK/project" && cd "\$WORK/project"
start_hotswap -l 127.0.0.1:$port --ready notify -- '$TESTAPP' --notify --version v1 --tag "\$TAG"
wait_until 30 body_is http://127.0.0.1:$port/ 'hello from testapp v1' || fail 'v1 never served'
start_load $port 2
{ echo "tag=\$TAG"; echo "pids=\$HS_PID \$LOAD_PID \$(pgrep -P "\$HS_PID" | paste -sd' ')"; } >'$WORK/pids.tmp'
mv '$WORK/pids.tmp' '$WORK/pids'
mkfifo "\$WORK/never"
read -r <"\$WORK/never"
SH

TMPDIR=$WORK/inner-tmp "${WITH_TEST[@]}" bash "$WORK/inner.sh" >"$WORK/inner.log" 2>&1 &
inner=$!
wait_until 60 test -f "$WORK/pids" || fail "the inner test did not get everything running: $(cat "$WORK/inner.log")"
inner_tag=$(sed -n 's/^tag=//p' "$WORK/pids")
read -ra pids <<<"$(sed -n 's/^pids=//p' "$WORK/pids")"
((${#pids[@]} >= 4)) || fail "expected hotswap, the load generator, the guard and the app, got pids ${pids[*]}"
for p in "${pids[@]}"; do kill -0 "$p" || fail "process $p of the inner test is not running"; done
pass "the inner test runs hotswap, its guard, the app and the load generator (pids ${pids[*]})"

kill -KILL "$inner"  # what CTest does when a test times out
wait "$inner" 2>/dev/null || true
all_gone() {
    local p
    for p in "${pids[@]}"; do is_gone "$p" || return 1; done
    [[ -z $(pgrep -f -- "--tag $inner_tag") ]]
}
wait_until 10 all_gone ||
    fail "processes of the killed test remain: $(ps -o pid=,args= -p "$(paste -sd, <<<"$(printf '%s\n' "${pids[@]}")")")"
pass "killing the test's shell with SIGKILL kills everything it started"
