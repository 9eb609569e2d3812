#!/usr/bin/env bash
# Live reload in a real browser (issue "browser live reload"): headless Chromium on examples/hello-web
# through the front, while the test edits the project (tests/e2e/lib/live_reload_browser.py): a source edit
# reloads the page once the new version serves; a stylesheet edit swaps in place, without a navigation or a
# build; a syntax error shows the compiler's output in the page, and the fix takes it away; ten tabs share one
# event stream and all reload.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
command -v go >/dev/null || fail "go is not installed (scripts/install-deps.sh installs golang-go)"
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh --test installs it)"
export GOPROXY=off GOFLAGS=-buildvcs=false GOCACHE=${GOCACHE:-${HOTSWAP_BINARY_DIR:-$WORK}/go-cache}
[[ -n ${HOME:-} || -n ${GOPATH:-} ]] || export GOPATH=$WORK/gopath
export TMPDIR=$WORK PYTHONDONTWRITEBYTECODE=1  # the browser's profile in the test's folder

cp -r "$HOTSWAP_SOURCE_DIR/examples/hello-web" "$WORK/web"
rm -rf "$WORK/web/.hotswap" "$WORK/web/server"
cd "$WORK/web"
PORT=$(free_port)
start_hotswap --proxy "127.0.0.1:$PORT" --probation 0s -- ./server --tag "$TAG"
wait_event switch 1 '"generation":1,' 90
"${WITH_TEST[@]}" python3 -B "$HOTSWAP_SOURCE_DIR/tests/e2e/lib/live_reload_browser.py" \
    "http://127.0.0.1:$PORT/" "$WORK/web" "$HOTSWAP" "$EVENTS" || fail "the browser's checks failed (above)"
stop_hotswap TERM || fail "hotswap did not exit 0"
expect_no_leftovers "live reload"
