#!/usr/bin/env bash
# examples/hello-cpp end to end, as a user meets it: its own hotswap.toml (cmake build, fd mode, notify
# readiness through libhotswap), real inotify, a copy of the example in $WORK. The first build serves v1;
# editing version.hpp serves v2 with no failed request under load; a syntax error leaves v2 serving and
# shows the compiler's error; the fix serves v3; SIGINT stops everything and exits 0. Then the same binary
# runs under systemd-socket-activate, without hotswap.
source "$(dirname "$0")/lib/common.sh"

# The load generator and the server under systemd-socket-activate run in the background: stop them on any
# exit, so that a failure leaves nothing running (nor holding the test's output open), then clean up.
load_pid="" activated=""
stop_background() {
    local p
    for p in $load_pid $activated; do kill -KILL "$p" 2>/dev/null || true; done
}
trap 'exit_status=$?; stop_background; (exit $exit_status); cleanup' EXIT

# start_activated PROGRAM: runs PROGRAM under systemd-socket-activate on a free port, taking another port
# if that one was taken in the meantime; sets port and activated.
start_activated() {
    local attempt
    for attempt in 1 2 3; do
        port=$(free_port)
        "${WITH_TEST[@]}" systemd-socket-activate -l "127.0.0.1:$port" "$1" > "$WORK/activated.log" 2>&1 &
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
    printf '#pragma once\ninline constexpr const char* kVersion = %s;\n' "$1" > version.hpp.tmp
    mv version.hpp.tmp version.hpp
}

app=$WORK/hello-cpp
port=$(free_port)
url="http://127.0.0.1:$port/"
mkdir -p "$app"
tar -C "$HOTSWAP_SOURCE_DIR/examples/hello-cpp" --exclude=./build -cf - . | tar -C "$app" -xf -
cd "$app"
# Configure once, here, with libhotswap from this source tree (the copy is not next to src/lib); the
# build command of hotswap.toml reconfigures in an instant and builds.
cmake -S . -B build -G Ninja -DHOTSWAP_LIB_DIR="$HOTSWAP_SOURCE_DIR/src/lib" >/dev/null

start_hotswap --proxy "127.0.0.1:$port"
wait_until 60 body_is "$url" "hello from hello-cpp v1" || fail "v1 never served"
wait_log 'hello-cpp v1 serving on fd 3 passed by the supervisor'
wait_event switch 1 '"generation":1,'
pass "the first build serves v1 on the socket hotswap passed, ready through libhotswap's notify"

"${WITH_TEST[@]}" "$LOADGEN" --port "$port" --connections 2 > "$WORK/load.out" 2>&1 &
load_pid=$!
wait_until 10 grep -q running "$WORK/load.out" || fail "the load generator did not start"
set_version '"v2"'
wait_until 60 body_is "$url" "hello from hello-cpp v2" || fail "v2 never served after the edit"
wait_log 'hello-cpp v1 stopped'
kill -INT "$load_pid"
wait "$load_pid"
load_pid=""
load=$(tail -n 1 "$WORK/load.out")
[[ $load =~ ^ok=([0-9]+)\ failed=([0-9]+) ]] || fail "unexpected load generator output: $load"
((BASH_REMATCH[1] > 0)) || fail "no request succeeded during the reload: $load"
((BASH_REMATCH[2] == 0)) || fail "requests failed while v2 replaced v1: $load"
pass "editing version.hpp serves v2, and v1 drained gracefully with 0 failed requests ($load)"

set_version '"v3" this is not C++'
# No reload_end is awaited here: this edit may come while v2's attempt is still in probation, and then it
# joins that attempt, which ends with v2's probation, whatever the build does. What serves is checked below.
wait_event build_end 1 '"ok":false'
grep -qE 'version\.hpp:[0-9]+:[0-9]+: error' "$LOG" || fail "the compiler's error is not in hotswap's output"
body_is "$url" "hello from hello-cpp v2" || fail "v2 stopped serving after a failed build"
pass "a syntax error keeps v2 serving and shows the compiler's error"

set_version '"v3"'
wait_until 60 body_is "$url" "hello from hello-cpp v3" || fail "v3 never served after the fix"
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
grep -q 'hello-cpp v3 stopped' "$LOG" || fail "hello-cpp v3 did not stop gracefully"
pass "SIGINT stops hello-cpp gracefully and hotswap exits 0, no process left"

# Without hotswap: systemd's own socket activation passes the socket, and no NOTIFY_SOCKET.
start_activated "$app/build/hello-cpp"
body_is "http://127.0.0.1:$port/" "hello from hello-cpp v3" ||
    fail "no answer under systemd-socket-activate: $(cat "$WORK/activated.log")"
wait_until 10 grep -q 'hello-cpp v3 serving on fd 3' "$WORK/activated.log" ||
    fail "hello-cpp did not take the socket passed by systemd-socket-activate"
kill -TERM "$activated"
status=0
wait "$activated" || status=$?
activated=""
((status == 0)) || fail "hello-cpp exited with $status after SIGTERM under systemd-socket-activate"
pass "hello-cpp serves under systemd-socket-activate, no hotswap needed, and exits 0 on SIGTERM"
