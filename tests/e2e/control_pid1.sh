#!/usr/bin/env bash
# hotswap as PID 1 of a container (a new PID namespace): it reaps orphans that end up with it, and SIGTERM /
# SIGINT sent from outside (docker stop, kubectl delete) stop the app gracefully and end it with status 0.
# Needs permission to create a PID namespace (root, here); skips with a message when it has none.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"

if ! unshare --pid --fork --mount-proc true >/dev/null 2>&1; then
    echo "SKIP: cannot create a PID namespace here (unshare --pid needs root or user namespaces)"
    exit 77
fi

PORT=$(free_port)
mkdir -p "$WORK/project"
cd "$WORK/project"
# The app's wrapper leaves an orphan behind: a child of a subshell that is gone at once, so the orphan is
# re-parented to PID 1, which must reap it when it exits. The orphan waits on a FIFO, so the test decides
# when it exits.
mkfifo "$WORK/release"
cat >hotswap.toml <<TOML
[run]
cmd = "(exec cat '$WORK/release' >/dev/null &) ; exec '$TESTAPP' --notify --version v1"
[[listen]]
address = "127.0.0.1:$PORT"
[ready]
kind = "notify"
TOML

# start_pid1: hotswap as PID 1 of a new PID namespace; sets HS_PID (unshare) and PID1 (hotswap, host pid).
start_pid1() {
    "${WITH_TEST[@]}" unshare --pid --fork --mount-proc --kill-child "$HOTSWAP" >"$LOG" 2>&1 &
    HS_PID=$!
    wait_until 10 pgrep -P "$HS_PID" || fail "hotswap did not start under unshare"
    PID1=$(pgrep -P "$HS_PID")
    grep -qE '^NSpid:\s+[0-9]+\s+1$' "/proc/$PID1/status" || fail "hotswap is not PID 1 in its namespace"
}

start_pid1
wait_serving
expect_serves v1
pass "hotswap runs as PID 1 and serves"

# The orphan, found by what it runs and by the PID namespace it runs in (tests may run side by side).
orphan_in_namespace() {
    local p
    for p in $(pgrep -f "cat $WORK/release"); do
        [[ "$(readlink "/proc/$p/ns/pid")" == "$(readlink "/proc/$PID1/ns/pid")" ]] && echo "$p"
    done
    return 0
}
has_orphan() { [[ -n "$(orphan_in_namespace)" ]]; }
wait_until 10 has_orphan || fail "the orphan never appeared"
orphan=$(orphan_in_namespace)
[[ $(awk '/^PPid:/ {print $2}' "/proc/$orphan/status") == "$PID1" ]] || fail "the orphan was not re-parented to PID 1"
echo >"$WORK/release"  # the orphan reads this and exits
wait_gone "$orphan" 10 || fail "the orphan was left a zombie: PID 1 did not reap it"
pass "an orphan re-parented to PID 1 is reaped when it exits"

app=$(pgrep -P "$PID1")  # the generation, and no other test's
kill -TERM "$PID1"
status=0
wait "$HS_PID" || status=$?
HS_PID=""
[[ $status -eq 0 ]] || fail "PID 1 exited with $status after SIGTERM, expected 0"
grep -q "SIGTERM received: stopping" "$LOG" || fail "SIGTERM did not reach hotswap as PID 1"
grep -q "testapp v1 stopped" "$LOG" || fail "the app was not stopped gracefully"
for p in $app; do is_gone "$p" || fail "app process $p survived"; done
pass "SIGTERM from outside: graceful stop, exit 0"

start_pid1
wait_serving
kill -INT "$PID1"
status=0
wait "$HS_PID" || status=$?
HS_PID=""
[[ $status -eq 0 ]] || fail "PID 1 exited with $status after SIGINT, expected 0"
grep -q "SIGINT received: stopping" "$LOG" || fail "SIGINT did not reach hotswap as PID 1"
pass "SIGINT from outside: graceful stop, exit 0"
