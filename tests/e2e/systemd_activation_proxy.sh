#!/usr/bin/env bash
# Proxy mode behind a real `systemd-socket-activate`: the socket systemd holds for the --proxy address is
# the one hotswap accepts on itself (adopted, not bound again, not passed on); each generation binds its
# private $PORT as usual, and a reload under load through the adopted socket fails no request.
source "$(dirname "$0")/lib/common.sh"
command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is missing (scripts/install-deps.sh --test)"
mkdir -p "$WORK/project/src" && cd "$WORK/project"
echo v1 > src/version

port=$(free_port)
url="http://127.0.0.1:$port/"
: > "$LOG"
systemd-socket-activate -l "127.0.0.1:$port" -E NO_COLOR=1 "$HOTSWAP" -w src --proxy "127.0.0.1:$port" -- \
    "$TESTAPP" --tag "$TAG" --print-env --version-file src/version >> "$LOG" 2>&1 &
HS_PID=$!
wait_log 'Listening on 127.0.0.1:'"$port"
# systemd-socket-activate starts hotswap (in its own place: exec) at the first connection.
wait_until 30 body_has "$url" "testapp v1" || fail "v1 never served through the adopted proxy socket"
wait_log "proxying tcp://127.0.0.1:$port \(socket from systemd\)"
grep -qE "testapp env pid=[0-9]+ LISTEN_FDS=\(unset\)" "$LOG" \
    || fail "the app was passed the proxy's socket: $(grep 'testapp env' "$LOG")"
pass "the socket from systemd-socket-activate is the proxy's own; the app binds its private port"

start_load "$port"
echo v2 > src/version
wait_log '✓ app#2 serving'
wait_until 10 body_has "$url" "testapp v2" || fail "v2 not served"
expect_no_failed_requests "reload through an adopted proxy socket"
pass "a reload through the adopted proxy socket fails no request; $LOAD_LINE"

status=0
stop_hotswap TERM || status=$?
((status == 0)) || fail "hotswap exited with $status after SIGTERM"
expect_no_leftovers "systemd activation, proxy mode"
pass "SIGTERM stops it and exits 0"
