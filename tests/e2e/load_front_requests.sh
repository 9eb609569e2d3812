#!/usr/bin/env bash
# The front (DESIGN.md §4a) under keep-alive load through $RELOADS reloads (default 50), for requests a
# careless stop would lose: (d) a 300 ms endpoint, so that requests are in flight at every switch: all of
# them complete; (e) POSTs with a 16 KiB body (not idempotent: never retried, so only a drain without a
# race saves them); (f) an app as users write them, a Go server with no SIGTERM handler at all (it dies
# at once on SIGTERM) and a slow endpoint: the front signals the old one only after its in-flight requests
# ended, so none fails. The same app in plain fd mode loses requests (load_fd_keepalive.sh).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/front_load.sh"
go_fixture

new_front
reloads_under_load slow "$PORT" --path /slow --expect goapp -- "${FRONT[@]}" --ready notify \
    -- "$GOAPP" --notify --slow-ms 300 --tag "$TAG"
expect_none_failed "(d) 300 ms requests in flight at every switch"

new_front
reloads_under_load post "$PORT" --path /echo --post-bytes 16384 --expect "got 16384 bytes" -- "${FRONT[@]}" \
    --ready notify -- "$GOAPP" --notify --tag "$TAG"
expect_none_failed "(e) POSTs with a 16 KiB body"

new_front
reloads_under_load no-handler "$PORT" --path /slow --expect goapp -- "${FRONT[@]}" --ready notify \
    -- "$GOAPP" --notify --stop none --slow-ms 300 --tag "$TAG"
expect_none_failed "(f) a Go server with no SIGTERM handler, 300 ms requests"
