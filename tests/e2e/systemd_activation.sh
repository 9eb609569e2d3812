#!/usr/bin/env bash
# hotswap behind a real `systemd-socket-activate`: the socket systemd hands to hotswap (LISTEN_FDS for
# hotswap's own pid) is adopted and passed on to every generation with its name; a reload under load on
# that socket fails no request.
source "$(dirname "$0")/lib/common.sh"
command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate is missing (scripts/install-deps.sh --test)"
mkdir -p "$WORK/project/src" && cd "$WORK/project"
echo v1 > src/version

port=$(free_port)
url="http://127.0.0.1:$port/"
: > "$LOG"
systemd-socket-activate -l "127.0.0.1:$port" --fdname=web -E NO_COLOR=1 "$HOTSWAP" -w src --ready notify -- /bin/sh -c \
    "exec '$TESTAPP' --tag $TAG --notify --print-env --version \$(cat src/version)" >> "$LOG" 2>&1 &
HS_PID=$!
wait_log 'Listening on 127.0.0.1:'"$port"
# systemd-socket-activate starts hotswap (in its own place: exec) at the first connection.
wait_until 30 body_has "$url" "testapp v1" || fail "v1 never served through the adopted socket"
wait_log "listening on tcp://127.0.0.1:$port \(socket from systemd\)"
grep -qE "testapp env pid=([0-9]+) LISTEN_FDS=1 LISTEN_PID=\1 LISTEN_FDNAMES=web" "$LOG" \
    || fail "the app did not get the adopted socket with its name: $(grep 'testapp env' "$LOG")"
pass "the socket from systemd-socket-activate reaches the app as fd 3, named web"

start_load "$port"
echo v2 > src/version
wait_log '✓ app#2 serving'
wait_until 10 body_has "$url" "testapp v2" || fail "v2 not served"
expect_no_failed_requests "reload on an adopted socket"
pass "a reload on the adopted socket fails no request; $LOAD_LINE"

status=0
stop_hotswap TERM || status=$?
((status == 0)) || fail "hotswap exited with $status after SIGTERM"
expect_no_leftovers "systemd activation"
pass "SIGTERM stops it and exits 0"
