#!/usr/bin/env bash
# The front refuses bad input itself, each case with its status (tests/fixtures/conformance/client/bad.go):
# request smuggling shapes (Content-Length with Transfer-Encoding, Content-Lengths that differ, ...), lone
# CR or LF line ends and obs-fold → 400, an oversized request line → 414, oversized headers → 431, a head
# that comes slowly and never ends → 408 after [proxy] header_timeout; none of them reaches the app, and a
# normal client beside them keeps getting 200s. Then [proxy] max_connections: a connection over the cap
# waits or is refused, with a line in the log, while the connections under it are answered.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"
source "$(dirname "$0")/lib/conformance.sh"
build_conformance
conformance_project "$WORK/project" && cd "$WORK/project"

# start_front TOML_LINES: hotswap with the front on a free port and these [proxy] settings; sets port.
start_front() {
    port=$(free_port)
    printf '[proxy]\naddress = "127.0.0.1:%s"\n%s\n' "$port" "$1" > hotswap.toml
    start_hotswap -w src -b ./build.sh -- /bin/sh -c "$CONFORMANCE_RUN"
    wait_until 30 body_is "http://127.0.0.1:$port/" "hello from conformance v1" || fail "v1 never served through the front"
}

# Each part runs even when one before it failed, so that one run names every case the front gets wrong.
failed=()

start_front 'header_timeout = "1s"'
if "${WITH_TEST[@]}" "$CONFORMANCE_CLIENT" bad --front "127.0.0.1:$port" --header-timeout 1s; then
    pass "every bad input refused by the front with its status, a normal client undisturbed"
else
    failed+=("bad input (the FAIL lines above)")
fi
# The normal client's GET /, and the cases that may be passed on intact, are all the app may have seen.
reached=$(grep -E 'conformance v1 request ' "$LOG" | grep -vE 'request GET /$|may-pass' | cut -c1-160 || true)
if [[ -z $reached ]]; then
    pass "no refused request reached the app"
else
    echo "FAIL refused requests reached the app:"$'\n'"$reached"
    failed+=("refused requests reached the app")
fi
stop_hotswap TERM || fail "hotswap did not exit 0 after SIGTERM"

start_front 'max_connections = 4'
if "${WITH_TEST[@]}" "$CONFORMANCE_CLIENT" cap --front "127.0.0.1:$port" --max-connections 4; then
    wait_log 'max_connections' 10
    pass "a connection over max_connections waits or is refused with a log line, the others are answered"
else
    failed+=("connection cap (the FAIL lines above)")
fi
stop_hotswap TERM || fail "hotswap did not exit 0 after SIGTERM"
expect_no_leftovers "front bad input"
((${#failed[@]} == 0)) || fail "$(printf '%s; ' "${failed[@]}")"
