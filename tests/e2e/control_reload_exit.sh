#!/usr/bin/env bash
# `hotswap reload` exit codes: 0 only when the new version serves; 1 with the reason when the build fails,
# when the new version never gets ready or exits at once, and the old version keeps serving throughout.
# `status --ready` is 1 while nothing serves (a readiness probe), 3 when nothing runs here.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"

make_artifact_project
start_hotswap
wait_serving
expect_serves v1

echo error >src/version.txt
expect 1 reload
err_has "build failed"
expect_serves v1
expect 1 reload --json
out_has '"ok": false'
out_has '"error": ".*build failed'
pass "a failed build: exit 1 with the reason, v1 still serves"

echo v2 >src/version.txt
echo --never-ready >src/app-args
expect 1 reload
err_has "not ready within"
expect_serves v1
pass "a new version that never gets ready: exit 1 with the reason, v1 still serves"

echo "--exit-now 3" >src/app-args
expect 1 reload
err_has "exited before it was ready \(exit status 3\)"
expect_serves v1
pass "a new version that exits at once: exit 1 with the reason, v1 still serves"

: >src/app-args
expect 0 reload
expect_serves v2
expect 0 status --ready
pass "the fix: exit 0 and v2 serves"

stop_hotswap TERM || fail "hotswap exited non-zero after SIGTERM"

# A first version that never gets ready: hotswap runs, nothing serves.
echo --never-ready >src/app-args
start_hotswap
wait_until 30 "$HOTSWAP" status || fail "the control socket never answered"
expect 1 status --ready
expect 0 status
out_has "nothing serves right now|nothing is running yet"
pass "status --ready exits 1 while nothing serves"
stop_hotswap TERM || true

cd "$WORK"
expect 3 status --ready
err_has "no hotswap is running for this directory"
pass "status --ready exits 3 where no hotswap runs"
