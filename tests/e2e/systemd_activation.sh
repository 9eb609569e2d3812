#!/usr/bin/env bash
# hotswap behind a real `systemd-socket-activate`:
#  - fd mode: the socket systemd hands to hotswap (LISTEN_FDS for hotswap's own pid) is adopted and passed
#    on to every generation with its name;
#  - proxy mode: the socket systemd holds for the --proxy address is the one hotswap accepts on itself
#    (adopted, not bound again, not passed on); each generation binds its private $PORT as usual;
# and in both, a reload under load through the adopted socket fails no request.
source "$(dirname "$0")/lib/common.sh"
command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is missing (scripts/install-deps.sh --test)"

# activated NAME ARGS...: a project of its own (one hotswap per directory), v1 in src/version, and
# `systemd-socket-activate -l 127.0.0.1:$port ARGS...` started (port: chosen by the caller, whose ARGS
# may name it too); sets url.
activated() {
    local name=$1; shift
    mkdir -p "$WORK/$name/src" && cd "$WORK/$name"
    echo v1 > src/version
    url="http://127.0.0.1:$port/"
    : > "$LOG"
    : > "$EVENTS"
    "${WITH_TEST[@]}" systemd-socket-activate -l "127.0.0.1:$port" "$@" >> "$LOG" 2>&1 &
    HS_PID=$!
    wait_log 'Listening on 127.0.0.1:'"$port"
    # systemd-socket-activate starts hotswap (in its own place: exec) at the first connection.
    wait_until 30 body_has "$url" "testapp v1" || fail "$name: v1 never served through the adopted socket"
}

# reload_then_stop NAME: v2 under load through the adopted socket, no request failed; then SIGTERM.
reload_then_stop() {
    start_load "$port"
    echo v2 > src/version
    wait_event switch 1 '"generation":2,'
    wait_until 10 body_has "$url" "testapp v2" || fail "$1: v2 not served"
    expect_no_failed_requests "$1: reload on an adopted socket"
    pass "$1: a reload on the adopted socket fails no request; $LOAD_LINE"
    local status=0
    stop_hotswap TERM || status=$?
    ((status == 0)) || fail "$1: hotswap exited with $status after SIGTERM"
    expect_no_leftovers "$1: systemd activation"
    pass "$1: SIGTERM stops it and exits 0"
}

port=$(free_port)
activated fd --fdname=web -E NO_COLOR=1 "$HOTSWAP" --events "$EVENTS" -w src --ready notify -- /bin/sh -c \
    "exec '$TESTAPP' --tag $TAG --notify --print-env --version \$(cat src/version)"
wait_log "listening on tcp://127.0.0.1:$port \(socket from systemd\)"
grep -qE "testapp env pid=([0-9]+) LISTEN_FDS=1 LISTEN_PID=\1 LISTEN_FDNAMES=web" "$LOG" \
    || fail "the app did not get the adopted socket with its name: $(grep 'testapp env' "$LOG")"
pass "fd: the socket from systemd-socket-activate reaches the app as fd 3, named web"
reload_then_stop fd

port=$(free_port)
activated proxy -E NO_COLOR=1 "$HOTSWAP" --events "$EVENTS" -w src --proxy "127.0.0.1:$port" -- \
    "$TESTAPP" --tag "$TAG" --print-env --version-file src/version
wait_log "proxying tcp://127.0.0.1:$port \(socket from systemd\)"
grep -qE "testapp env pid=[0-9]+ LISTEN_FDS=\(unset\)" "$LOG" \
    || fail "the app was passed the proxy's socket: $(grep 'testapp env' "$LOG")"
pass "proxy: the socket from systemd-socket-activate is the proxy's own; the app binds its private port"
reload_then_stop proxy
