#!/usr/bin/env bash
# The front's promise (DESIGN.md §4a) for keep-alive clients: $CONNECTIONS keep-alive connections (wrk's
# default, 64) through $RELOADS reloads (default 50) fail no request, for the three kinds of app a user
# puts behind it: (a) a Go server that shuts down gracefully on SIGTERM (http.Server.Shutdown, which closes
# idle keep-alive connections at once) binding $PORT; (b) the same server taking its own socket at fd 3
# (--app-socket fd, LISTEN_FDS=1); (c) a plain $PORT app (testapp, tcp readiness). 0 socket errors, 0
# non-2xx. The same load in plain fd mode fails requests (load_fd_keepalive.sh).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/front_load.sh"
go_fixture

# every_generation_served_on WHERE: each of the RELOADS + 1 generations took the socket it was meant to
# (goapp logs "serving on fd 3" or "serving on port N"): the case tested the kind of app it names.
every_generation_served_on() {
    (($(log_count "goapp v1: serving on $1") == RELOADS + 1)) ||
        fail "not every generation served on $1: $(grep -m 3 'serving on' "$LOG")"
}

new_front
reloads_under_load go-port "$PORT" --expect goapp -- "${FRONT[@]}" --ready notify \
    -- "$GOAPP" --notify --tag "$TAG"
every_generation_served_on port
expect_none_failed "(a) graceful Go server on \$PORT"

new_front
reloads_under_load go-fd "$PORT" --expect goapp -- "${FRONT[@]}" --app-socket fd --ready notify \
    -- "$GOAPP" --notify --tag "$TAG"
every_generation_served_on "fd 3"
expect_none_failed "(b) graceful Go server on fd 3 (--app-socket fd)"

new_front
reloads_under_load plain-port "$PORT" --expect testapp -- "${FRONT[@]}" -- "$TESTAPP" --tag "$TAG"
expect_none_failed "(c) plain \$PORT app"
