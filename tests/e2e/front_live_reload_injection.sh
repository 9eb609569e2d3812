#!/usr/bin/env bash
# Live reload's script tag, as the front injects it (src/front/html_injection.cpp), checked against a
# Python app with fixed answers (tests/fixtures/injection_app.py): each request goes through the front and
# straight to the app, and the answers are compared (tests/e2e/lib/injection_check.py):
#   1. a page a browser navigates to gets `<script src="/__hotswap/live.js" data-hotswap-generation="1">`
#      once, before the last </body> (else </html>, else at the end), with the CSP's nonce; the rest of the
#      page is the app's bytes, with its new Content-Length, Cache-Control: no-store and no validators;
#   2. such a page is asked for uncompressed (no Accept-Encoding reaches the app), other requests keep theirs;
#   3. everything else passes byte for byte: JSON, a 304, HEAD, gzip the app sends anyway, an attachment,
#      htmx and Turbo fragments, a Range, curl's Accept: */*, Sec-Fetch-Dest: script, a 204;
#   4. all of it through one keep-alive connection (a wrong length would break the next answer), with the
#      front's own /__hotswap/ paths, which never reach the app; the event stream says hello first.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"

mkdir -p "$WORK/project/watched"
cd "$WORK/project"
PORT=$(free_port)
start_hotswap -w watched --proxy "127.0.0.1:$PORT" --probation 0s -- \
    python3 -B "$HOTSWAP_SOURCE_DIR/tests/fixtures/injection_app.py" --tag "$TAG"
wait_event switch 1 '"generation":1,'
"$HOTSWAP" status --json >"$WORK/status.json" 2>"$WORK/status.err" || fail "status --json failed: $(cat "$WORK/status.err")"
APP_PORT=$(python3 -B -c 'import json, sys; print(json.load(sys.stdin)["front"]["upstream_port"])' <"$WORK/status.json") ||
    fail "no front.upstream_port in status --json: $(cat "$WORK/status.json")"
[[ $APP_PORT =~ ^[0-9]+$ && $APP_PORT != 0 && $APP_PORT != "$PORT" ]] ||
    fail "app#1 has no private port of its own ($APP_PORT): $(cat "$WORK/status.json")"

python3 -B "$HOTSWAP_SOURCE_DIR/tests/e2e/lib/injection_check.py" "$PORT" "$APP_PORT" "$WORK/expected.log" ||
    fail "the answers through the front are not what the app sent (see above)"

# What reached the app: the checker's last request, straight to the app, marks the end of its log.
wait_log 'app#1 │ request GET /page\?via=last accept-encoding=-$'
grep -E 'app#1 │ ' "$LOG" | sed -E 's/.*app#1 │ //' >"$WORK/app.log"
missing=$(grep -vxF -f "$WORK/app.log" "$WORK/expected.log" || true)
[[ -z $missing ]] || fail "requests the front forwarded that the app did not log so (Accept-Encoding as expected):
$missing
the app logged:
$(grep 'via=front' "$WORK/app.log")"
twice=$(grep -F 'via=front' "$WORK/app.log" | sort | uniq -d)
[[ -z $twice ]] || fail "requests that reached the app more than once: $twice"
grep -qF '/__hotswap/' "$WORK/app.log" && fail "a /__hotswap/ request reached the app: $(grep -F '/__hotswap/' "$WORK/app.log")"
pass "the app saw each of the $(wc -l <"$WORK/expected.log") forwarded requests once with the expected Accept-Encoding, and no /__hotswap/ path"

stop_hotswap TERM || fail "hotswap did not exit 0"
expect_no_leftovers "live reload injection"
