#!/usr/bin/env bash
# The proof that the front's load harness (lib/front_load.sh) sees failed requests: the same keep-alive
# load and reloads in plain fd mode (`-l ADDR`, one socket shared by every generation, the app owning the
# client connections) fail requests with the apps that pass through the front (load_front_keepalive.sh,
# load_front_requests.sh): a graceful Go server closes idle keep-alive connections under the clients' next
# requests, and a server with no SIGTERM handler dies with the requests it was serving.
# FD_RELOADS (default 10) reloads per case: a few are enough to show failures.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/front_load.sh"
RELOADS=${FD_RELOADS:-10}
go_fixture

# expect_some_failed NAME: the last case failed requests, and some succeeded.
expect_some_failed() {
    ((LOAD_OK > 0)) || fail "$1: no request succeeded ($LOAD_LINE)"
    ((LOAD_FAILED > 0)) || fail "$1: no failed request in fd mode, the harness cannot see failures ($LOAD_LINE)"
    pass "$1: $LOAD_FAILED failed requests over $RELOADS reloads, as expected in fd mode (${CASE_SECONDS} s)"
}

port=$(free_port)
reloads_under_load fd-graceful "$port" --expect goapp -- -l "127.0.0.1:$port" --probation 0s --ready notify \
    -- "$GOAPP" --notify --tag "$TAG"
expect_some_failed "fd mode, graceful Go server"

port=$(free_port)
reloads_under_load fd-no-handler "$port" --path /slow --expect goapp -- -l "127.0.0.1:$port" --probation 0s \
    --ready notify -- "$GOAPP" --notify --stop none --slow-ms 300 --tag "$TAG"
expect_some_failed "fd mode, a Go server with no SIGTERM handler, 300 ms requests"
