#!/usr/bin/env bash
# What a new version goes through before users see it (issue "gradual shift", docs/operations.md "Before
# the switch"), through the front, with a Go server:
#   1. --check CMD: run against the new version alone, on its private port; a failing check blocks the
#      switch (the old one serves, the check's output reaches the user), a passing one lets it happen;
#   2. during a shift, status shows each generation's weight and a sticky cookie keeps a client on one version;
#   3. --shadow N in the dev loop: a new version that breaks one endpoint is switched in, with a warning
#      naming the request ("GET /api/users: 200 before, 500 now"); a POST is never replayed;
#   4. --shadow N in serve: the same version is blocked before any user request reaches it, 0 failed.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/front_load.sh"
go_fixture
umask 022  # serve refuses group- or world-writable binaries

# Distinct GETs and a POST through the front, as users send them, for the shadow log.
user_requests() {
    local path
    for path in / /a /api/users /b; do http_get "$URL$path" >/dev/null || fail "GET $path failed"; done
    curl -sS --max-time 5 -d 'order=1' "$URL/echo" >/dev/null || fail "POST /echo failed"
}
# Lines a generation's goapp printed for its requests (goapp -log-requests), from hotswap's log.
request_lines() { grep -E "app#$1 │ goapp [^ ]+: request " "$LOG" || true; }

# 1. --check, in the dev loop.
goapp_project "$WORK/check" "--version v1 --notify --log-requests"
# The smoke test: GET / must name the version in ./expect (v1 at the first start, which is checked too).
cat >check.sh <<'SH'
#!/bin/sh
curl -fsS "$1/" | grep -q "goapp $(cat expect)" && exit 0
echo "smoke test against $HOTSWAP_CHECK_URL: GET / answered something else"
exit 3
SH
chmod +x check.sh
echo v1 >expect
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
start_hotswap -w watched -b ./build.sh --artifact out/app --proxy "127.0.0.1:$PORT" --ready notify \
    --probation 0s --check './check.sh {url}' -- out/app
wait_first_switch
echo "--version v2 --notify" >src/args
echo v9 >expect
reload_once 2 1
wait_event check 1 '"generation":2,.*"ok":false'
grep -qE "failed the check" "$WORK/reload.out" || fail "reload does not say the check failed: $(cat "$WORK/reload.out")"
grep -qE "smoke test against http://127.0.0.1:[0-9]+/?: GET / answered something else" "$WORK/reload.out" "$LOG" ||
    fail "the check's output did not reach the user: $(cat "$WORK/reload.out")"
body_has "$URL/" "goapp v1" || fail "v1 does not serve after app#2 failed its check"
request_lines 2 | grep -q . && fail "a user request reached app#2, which failed its check: $(request_lines 2)"
pass "a failing --check blocks the switch; v1 serves, the output's tail is shown"

echo v3 >expect
echo "--version v3 --notify" >src/args
reload_once 3 0
wait_event check 1 '"generation":3,.*"ok":true'
body_has "$URL/" "goapp v3" || fail "v3 does not serve after passing its check"
pass "a passing --check lets the switch happen"
stop_hotswap TERM || fail "hotswap did not exit 0"

# 2. During a shift: status shows each generation's weight, and a sticky cookie keeps a browser with one
# version. The step (50 %) cannot end before max_step_time (5 s; step_requests is out of reach), which
# these checks take far less than; the shift must still be in its step after them.
goapp_project "$WORK/status" "--version v1 --notify --log-requests"
printf '[shift]\nsteps = [50, 100]\nstep_time = "1s"\nstep_requests = 100000\nmax_step_time = "5s"\nsticky = "cookie"\n' >hotswap.toml
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
start_hotswap -w watched -b ./build.sh --artifact out/app --proxy "127.0.0.1:$PORT" --ready notify --probation 0s -- out/app
wait_first_switch
echo "--version v2 --notify" >src/args
"$HOTSWAP" reload >"$WORK/reload.out" 2>&1 &
reload_pid=$!
wait_event shift_step 1 '"generation":2,.*"weight":50'
"$HOTSWAP" status >"$WORK/status.out" 2>&1 || fail "status failed: $(cat "$WORK/status.out")"
grep -qE "app#2 .*weight 50 " "$WORK/status.out" || fail "status does not show app#2 at weight 50: $(cat "$WORK/status.out")"
grep -qE "app#1 .*weight 50 " "$WORK/status.out" || fail "status does not show app#1 at weight 50: $(cat "$WORK/status.out")"
grep -qE "promotion: .*app#2.*shift" "$WORK/status.out" || fail "status does not show the shift: $(cat "$WORK/status.out")"
# Without the cookie, requests go to both; with it, every one to the version the first went to.
for i in $(seq 10); do http_get "$URL/"; done >"$WORK/plain.out"
grep -q "goapp v1" "$WORK/plain.out" && grep -q "goapp v2" "$WORK/plain.out" ||
    fail "at 50 %, 10 requests without the cookie did not reach both versions: $(sort "$WORK/plain.out" | uniq -c)"
curl -sS --max-time 5 -c "$WORK/jar" -D "$WORK/first.head" "$URL/" >"$WORK/first.out"
grep -qiE "^set-cookie: hotswap_version=[12];" "$WORK/first.head" || fail "no sticky cookie set: $(cat "$WORK/first.head")"
for i in $(seq 10); do curl -sS --max-time 5 -b "$WORK/jar" "$URL/"; done >"$WORK/sticky.out"
[[ $(sort -u "$WORK/sticky.out") == "$(cat "$WORK/first.out")" ]] ||
    fail "with the cookie, requests went to more than one version: $(cat "$WORK/first.out"; sort "$WORK/sticky.out" | uniq -c)"
has_events shift_end 1 && fail "the step ended before the checks were done (they must take under 5 s)"
wait "$reload_pid" || fail "reload during an idle shift failed: $(cat "$WORK/reload.out")"
wait_event switch 1 '"generation":2,'
pass "during a shift: status shows app#2 and app#1 at weight 50; a cookie keeps a client on $(cat "$WORK/first.out")"
stop_hotswap TERM || fail "hotswap did not exit 0"

# 3. Shadow in the dev loop: switched, with a warning naming the request; the POST not replayed.
goapp_project "$WORK/shadow-run" "--version v1 --notify --log-requests"
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
start_hotswap -w watched -b ./build.sh --artifact out/app --proxy "127.0.0.1:$PORT" --ready notify \
    --probation 0s --shadow 20 -- out/app
wait_first_switch
user_requests
echo "--version v2 --notify --log-requests --broken /api/users" >src/args
reload_once 2 0
wait_event shadow 1 '"blocked":false,"generation":2,'
wait_event shadow 1 '"regressions":1,'
grep -qF "GET /api/users: 200 before, 500 now" "$LOG" || fail "no warning naming GET /api/users: $(grep -i shadow "$LOG")"
body_has "$URL/" "goapp v2" || fail "the dev loop did not switch to v2 after its shadow warning"
replayed=$(request_lines 2 | grep -c 'shadow="1"' || true)
((replayed == 4)) || fail "expected the 4 distinct GETs replayed against app#2, saw $replayed: $(request_lines 2)"
request_lines 2 | grep -q "request POST" && fail "a POST was replayed: $(request_lines 2)"
pass "shadow in the dev loop: switched with a warning (GET /api/users: 200 before, 500 now); 4 GETs replayed, no POST"
stop_hotswap TERM || fail "hotswap did not exit 0"

# 4. Shadow in serve: blocked before any user request reaches the new version; 0 failed under load.
rm -rf "$WORK/srv"
mkdir -p "$WORK/srv/bin"
chmod 755 "$WORK/srv" "$WORK/srv/bin"
cd "$WORK/srv"
release() {  # release VERSION FILE GOAPP-ARGS...
    local version=$1 file=$2
    shift 2
    printf '#!/bin/sh\nexec "%s" --notify --log-requests --version %s %s --tag %s "$@"\n' "$GOAPP" "$version" "$*" "$TAG" >"$file"
    chmod 755 "$file"
}
release v1 bin/app
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
start_hotswap serve --proxy "127.0.0.1:$PORT" --ready notify --ready-timeout 5s --drain-timeout 2s --shadow 20 -- bin/app
wait_event switch 1 '"generation":1,'
user_requests
start_load "$PORT" 8 --expect goapp
release v2 "$WORK/srv/app.new" --broken /api/users
mv "$WORK/srv/app.new" bin/app
wait_event shadow 1 '"blocked":true,"generation":2,'
wait_event reload_end 1 '"ok":false'
stop_load
((LOAD_FAILED == 0 && LOAD_OK > 0)) || fail "serve shadow: $LOAD_FAILED failed requests ($LOAD_LINE)"
body_has "$URL/" "goapp v1" || fail "v1 does not serve after v2 was blocked"
users=$(request_lines 2 | grep -vc 'shadow="1"' || true)
((users == 0)) || fail "$users user requests reached app#2 before it was blocked: $(request_lines 2)"
request_lines 2 | grep -q "request POST" && fail "a POST was replayed: $(request_lines 2)"
grep -qF "GET /api/users: 200 before, 500 now" "$LOG" || fail "the block does not name GET /api/users"
pass "shadow in serve: v2 blocked before any user request reached it (GET /api/users: 200 before, 500 now); 0 failed ($LOAD_OK ok)"
stop_hotswap TERM || fail "hotswap serve did not exit 0"
expect_no_leftovers "check and shadow"
