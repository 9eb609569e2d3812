#!/usr/bin/env bash
# examples/hello-go end to end, as a user meets it: its own hotswap.toml (go build, fd mode, notify
# readiness, Go standard library only), real inotify, a copy of the example in $WORK. The first build
# serves v1; editing version.go serves v2 with no failed request under load; a syntax error leaves v2
# serving and shows the compiler's error; the fix serves v3; SIGINT stops everything and exits 0. Then the
# same binary runs under systemd-socket-activate, without hotswap.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/go_offline.sh"

# The load generator and the server under systemd-socket-activate run in the background: stop them on any
# exit, so that a failure leaves nothing running (nor holding the test's output open), then clean up.
load_pid="" activated=""
stop_background() {
    local p
    for p in $load_pid $activated; do kill -KILL "$p" 2>/dev/null || true; done
}
trap 'exit_status=$?; stop_background; (exit $exit_status); cleanup' EXIT

# start_activated PROGRAM: runs PROGRAM under systemd-socket-activate on two free ports (LISTEN_FDS=2),
# taking others if one was taken in the meantime; sets port, port2 and activated.
start_activated() {
    local attempt
    for attempt in 1 2 3; do
        port=$(free_port)
        port2=$(free_port)
        "${WITH_TEST[@]}" systemd-socket-activate -l "127.0.0.1:$port" -l "127.0.0.1:$port2" "$1" > "$WORK/activated.log" 2>&1 &
        activated=$!
        wait_until 10 grep -qiE "listening on|failed" "$WORK/activated.log" || true
        grep -q "Listening on" "$WORK/activated.log" && return 0
        kill -KILL "$activated" 2>/dev/null || true
        wait "$activated" 2>/dev/null || true
        activated=""
    done
    fail "systemd-socket-activate did not listen: $(cat "$WORK/activated.log")"
}

# Pids of the processes whose working directory is DIR or below it.
processes_in() {
    local p
    for p in /proc/[0-9]*; do
        [[ "$(readlink "$p/cwd" 2>/dev/null)" == "$1"* ]] && echo "${p#/proc/}"
    done
    return 0
}

# set_version VERSION_TEXT: rewrites the file users edit, the way an editor saves it.
set_version() {
    printf 'package main\n\nconst version = %s\n' "$1" > version.go.tmp
    mv version.go.tmp version.go
}

app=$WORK/hello-go
port=$(free_port)
url="http://127.0.0.1:$port/"
mkdir -p "$app"
tar -C "$HOTSWAP_SOURCE_DIR/examples/hello-go" --exclude=./server -cf - . | tar -C "$app" -xf -
cd "$app"

start_hotswap -l "127.0.0.1:$port"
wait_until 60 body_is "$url" "hello from hello-go v1" || fail "v1 never served"
wait_log 'hello-go: v1 serving on fd 3 passed by the supervisor'
wait_event switch 1 '"generation":1,'
pass "the first build serves v1 on the socket hotswap passed, ready through NOTIFY_SOCKET"

"${WITH_TEST[@]}" "$LOADGEN" --port "$port" --connections 2 > "$WORK/load.out" 2>&1 &
load_pid=$!
wait_until 10 grep -q running "$WORK/load.out" || fail "the load generator did not start"
set_version '"v2"'
wait_until 60 body_is "$url" "hello from hello-go v2" || fail "v2 never served after the edit"
wait_log 'hello-go: v1 stopped'
kill -INT "$load_pid"
wait "$load_pid"
load_pid=""
load=$(tail -n 1 "$WORK/load.out")
[[ $load =~ ^ok=([0-9]+)\ failed=([0-9]+) ]] || fail "unexpected load generator output: $load"
((BASH_REMATCH[1] > 0)) || fail "no request succeeded during the reload: $load"
((BASH_REMATCH[2] == 0)) || fail "requests failed while v2 replaced v1: $load"
pass "editing version.go serves v2, and v1 shut down gracefully with 0 failed requests ($load)"

set_version '"v3" +'
# No reload_end is awaited here: this edit may come while v2's attempt is still in probation, and then it
# joins that attempt, which ends with v2's probation, whatever the build does. What serves is checked below.
wait_event build_end 1 '"ok":false'
grep -qE 'version\.go:[0-9]+:[0-9]+: syntax error' "$LOG" || fail "the compiler's error is not in hotswap's output"
body_is "$url" "hello from hello-go v2" || fail "v2 stopped serving after a failed build"
pass "a syntax error keeps v2 serving and shows the compiler's error"

set_version '"v3"'
wait_until 60 body_is "$url" "hello from hello-go v3" || fail "v3 never served after the fix"
pass "the fix serves v3"

cd "$WORK"
app_pids=$(pgrep -P "$HS_PID" || true)
[[ -n $app_pids ]] || fail "hotswap has no app process"
status=0
stop_hotswap INT || status=$?
((status == 0)) || fail "hotswap exited with $status after SIGINT, expected 0"
for p in $app_pids; do is_gone "$p" || fail "app process $p survived hotswap's exit"; done
left=$(processes_in "$app")
[[ -z $left ]] || fail "processes left running in the example's directory: $(ps -o pid=,args= -p "${left//$'\n'/,}")"
grep -q 'hello-go: v3 stopped' "$LOG" || fail "hello-go v3 did not shut down gracefully"
pass "SIGINT stops hello-go gracefully and hotswap exits 0, no process left"

# Without hotswap: systemd's own socket activation passes the socket, and no NOTIFY_SOCKET.
start_activated "$app/server"
body_is "http://127.0.0.1:$port/" "hello from hello-go v3" ||
    fail "no answer under systemd-socket-activate: $(cat "$WORK/activated.log")"
wait_until 10 grep -q 'hello-go: v3 serving on fds 3-4' "$WORK/activated.log" ||
    fail "hello-go did not take the sockets passed by systemd-socket-activate"
body_is "http://127.0.0.1:$port2/" "hello from hello-go v3" ||
    fail "no answer on the second socket passed by systemd-socket-activate: $(cat "$WORK/activated.log")"
kill -TERM "$activated"
status=0
wait "$activated" || status=$?
activated=""
((status == 0)) || fail "hello-go exited with $status after SIGTERM under systemd-socket-activate"
pass "hello-go serves both sockets of systemd-socket-activate, no hotswap needed, and exits 0 on SIGTERM"
