#!/usr/bin/env bash
# Every -l form of DESIGN.md §8 reaches the app the systemd way (fds 3.., LISTEN_FDS, LISTEN_PID = the
# app's own pid, LISTEN_FDNAMES), and the app holds exactly stdio and its listeners, nothing else. A stale
# unix socket file is replaced; a live one or a file that is not a socket is refused with a clear message.
# --no-listen-pid serves commands that fork through a shell.
source "$(dirname "$0")/lib/common.sh"
mkdir -p "$WORK/project" && cd "$WORK/project"  # watched: the log and sockets stay outside

app_pid() { grep -oE 'testapp env pid=[0-9]+' "$LOG" | tail -n 1 | grep -oE '[0-9]+$'; }

# serve_on FORM CURL_ARGS...: hotswap listens on FORM; curl (with CURL_ARGS) must reach the app.
serve_on() {
    local form=$1; shift
    start_hotswap -l "$form" --ready 'log:listening' -- "$TESTAPP" --tag "$TAG" --print-env
    wait_event switch 1 '"generation":1,'
    curl -sS --max-time 5 "$@" | grep -q "hello from testapp v1" || fail "$form: the app does not answer"
    grep -q "testapp env pid=$(app_pid) LISTEN_FDS=1 LISTEN_PID=$(app_pid) LISTEN_FDNAMES=default" "$LOG" \
        || fail "$form: wrong socket-activation variables: $(grep 'testapp env' "$LOG")"
    stop_hotswap TERM || fail "$form: hotswap did not exit 0"
    pass "-l $form"
}

port=$(free_port); serve_on "tcp://127.0.0.1:$port" "http://127.0.0.1:$port/"
port=$(free_port); serve_on "127.0.0.1:$port" "http://127.0.0.1:$port/"
port=$(free_port); serve_on ":$port" "http://127.0.0.1:$port/"
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
    port=$(free_port); serve_on "[::1]:$port" "http://[::1]:$port/"
else
    echo "skip: no IPv6 loopback here, [::1]:PORT not tried"
fi
serve_on "unix://$WORK/app.sock" --unix-socket "$WORK/app.sock" http://localhost/
[[ ! -e $WORK/app.sock ]] || fail "the unix socket file was left behind"
serve_on "unix:@hotswap-$TAG" --abstract-unix-socket "hotswap-$TAG" http://localhost/

# Two named listeners: fds 3 and 4, LISTEN_FDNAMES in order; the app's fds are exactly 0-4.
port=$(free_port)
start_hotswap -l "web=127.0.0.1:$port" -l "admin=unix://$WORK/admin.sock" --ready notify -- \
    "$TESTAPP" --tag "$TAG" --print-env --notify
wait_event switch 1 '"generation":1,'
pid=$(app_pid)
fds=$(ls "/proc/$pid/fd" | sort -n | paste -sd' ')
[[ $fds == "0 1 2 3 4" ]] || fail "the app holds fds '$fds', expected exactly '0 1 2 3 4': $(ls -l "/proc/$pid/fd")"
for fd in 3 4; do [[ $(readlink "/proc/$pid/fd/$fd") == socket:* ]] || fail "fd $fd is not a socket"; done
grep -q "LISTEN_FDS=2 LISTEN_PID=$pid LISTEN_FDNAMES=web:admin NOTIFY_SOCKET=set" "$LOG" \
    || fail "wrong variables for two listeners: $(grep 'testapp env' "$LOG")"
body_has "http://127.0.0.1:$port/" "testapp v1" || fail "web listener does not answer"
curl -sS --max-time 5 --unix-socket "$WORK/admin.sock" http://localhost/ | grep -q "testapp v1" || fail "admin listener does not answer"
pass "two named listeners: fds 3 and 4, LISTEN_FDNAMES=web:admin, the app holds exactly 0-4"

# A stale socket file (its owner was killed) is replaced.
kill -KILL "$HS_PID"; wait "$HS_PID" 2>/dev/null || true; HS_PID=""
expect_no_leftovers "after SIGKILL"
[[ -S $WORK/admin.sock ]] || fail "expected a stale socket file after SIGKILL"
port=$(free_port)
start_hotswap -l "unix://$WORK/admin.sock" --ready 'log:listening' -- "$TESTAPP" --tag "$TAG"
wait_event switch 1 '"generation":1,'
curl -sS --max-time 5 --unix-socket "$WORK/admin.sock" http://localhost/ | grep -q "testapp v1" || fail "no answer on the replaced socket"
pass "a stale unix socket file is replaced"

# A live socket is not stolen; a file that is not a socket is not removed.
mkdir -p "$WORK/other"  # a second hotswap for the same directory is refused earlier, by the control socket
status=0
(cd "$WORK/other" && "$HOTSWAP" -l "unix://$WORK/admin.sock" -- "$TESTAPP") > "$WORK/second.out" 2>&1 || status=$?
((status == 1)) || fail "a second hotswap on a live socket exited $status, expected 1"
grep -q "is in use by another process (stop it or choose another path)" "$WORK/second.out" || fail "$(cat "$WORK/second.out")"
stop_hotswap TERM || fail "hotswap did not exit 0"
echo data > "$WORK/file.sock"
status=0
(cd "$WORK/other" && "$HOTSWAP" -l "unix://$WORK/file.sock" -- "$TESTAPP") > "$WORK/second.out" 2>&1 || status=$?
((status == 1)) || fail "listening on a regular file exited $status, expected 1"
grep -q "exists and is not a socket (remove it or choose another path)" "$WORK/second.out" || fail "$(cat "$WORK/second.out")"
[[ $(cat "$WORK/file.sock") == data ]] || fail "the regular file was touched"
pass "a live socket and a regular file are refused, each with a clear message"

# Through a shell that forks (no exec): LISTEN_PID would name the shell, so --no-listen-pid leaves it out.
port=$(free_port)
start_hotswap -l "127.0.0.1:$port" --no-listen-pid --ready 'log:listening' -- /bin/sh -c "'$TESTAPP' --tag $TAG --print-env; true"
wait_event switch 1 '"generation":1,'
grep -q "LISTEN_FDS=1 LISTEN_PID=(unset)" "$LOG" || fail "--no-listen-pid still set LISTEN_PID: $(grep 'testapp env' "$LOG")"
body_has "http://127.0.0.1:$port/" "testapp v1" || fail "the app behind a forking shell does not answer"
stop_hotswap TERM || fail "hotswap did not exit 0"
expect_no_leftovers "forking shell"
pass "--no-listen-pid: the app behind a forking shell takes the socket"
