#!/usr/bin/env bash
# The front passes HTTP through faithfully: every case of the conformance client
# (tests/fixtures/conformance/client/cases.go: methods, HTTP/1.0 and 1.1, keep-alive, pipelining, chunked
# bodies both ways with trailers, 100-continue, 103, HEAD/204/304, 5 MB bodies streamed both ways, a
# WebSocket echo) gets the same answer from the conformance app directly and through the front, less
# hop-by-hop fields, Date, and the X-Forwarded-For/-Proto/-Host the front adds (checked, then left out).
# Then a WebSocket session across a reload: opened before it, it keeps echoing on v1 until it is closed,
# while one opened after it echoes on v2; v1 stops once its session closed.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"
source "$(dirname "$0")/lib/conformance.sh"
build_conformance

direct_port=$(free_port)
"${WITH_TEST[@]}" "$CONFORMANCE_APP" --tag "$TAG" --version v1 --listen "127.0.0.1:$direct_port" > "$WORK/direct.log" 2>&1 &
direct_pid=$!
wait_until 10 body_is "http://127.0.0.1:$direct_port/" "hello from conformance v1" ||
    fail "the app did not serve directly: $(cat "$WORK/direct.log")"

conformance_project "$WORK/project" && cd "$WORK/project"
for app_socket in port fd; do
    port=$(free_port)
    start_hotswap -w src -b ./build.sh --proxy "127.0.0.1:$port" --app-socket "$app_socket" -- /bin/sh -c "$CONFORMANCE_RUN"
    wait_until 30 body_is "http://127.0.0.1:$port/" "hello from conformance v1" || fail "v1 never served through the front"
    "${WITH_TEST[@]}" "$CONFORMANCE_CLIENT" compare --direct "127.0.0.1:$direct_port" --front "127.0.0.1:$port" ||
        fail "the front changed answers (app socket $app_socket): see the FAIL lines above"
    pass "every conformance case answered the same directly and through the front (app socket $app_socket)"
    [[ $app_socket == fd ]] && break
    stop_hotswap TERM || fail "hotswap did not exit 0 after SIGTERM"
done

"${WITH_TEST[@]}" "$CONFORMANCE_CLIENT" ws-reload --front "127.0.0.1:$port" --old v1 --new v2 \
    --reload-cmd "echo v2 > src/version.txt" || fail "a WebSocket session across a reload: see the FAIL line above"
wait_event switch 1 '"generation":2,'
wait_event exit 1 '"generation":1,'
wait_log 'conformance v1 stopped'
pass "a WebSocket session opened before a reload stays on v1 until closed, one opened after it goes to v2"

stop_hotswap TERM || fail "hotswap did not exit 0 after SIGTERM"
kill -TERM "$direct_pid"
wait "$direct_pid" || fail "the app run directly did not exit 0 after SIGTERM"
expect_no_leftovers "front conformance"
