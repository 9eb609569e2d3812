#!/usr/bin/env bash
# Restart mode end to end: edit → build → new version served; a failing build keeps the old version
# serving and says so; fixing it serves the new version; SIGTERM stops app and exits 0.
source "$(dirname "$0")/lib/common.sh"

port=$(free_port)
mkdir -p "$WORK/project/src"
cd "$WORK/project"
echo v1 > src/version.txt
# The "build" copies the version into out/ and fails when the source says so, like a compiler would.
cat > build.sh <<'SH'
#!/bin/sh
if grep -q error src/version.txt; then echo "src/version.txt:1: error: syntax error near 'error'" >&2; exit 1; fi
mkdir -p out && cp src/version.txt out/version
SH
chmod +x build.sh
cat > hotswap.toml <<TOML
[watch]
paths = ["src"]
[build]
cmd = "./build.sh"
[run]
cmd = "exec '$TESTAPP' --port $port --version \$(cat out/version)"
TOML

start_hotswap
wait_log 'watching 1 directories'
wait_until 30 body_is "http://127.0.0.1:$port/" "hello from testapp v1" || fail "v1 never served"
pass "first build serves v1"

echo v2 > src/version.txt
wait_until 30 body_is "http://127.0.0.1:$port/" "hello from testapp v2" || fail "v2 never served after the edit"
# Restart mode: app#1 was stopped before app#2 started, so app#2 took over from none.
wait_event switch 1 '"generation":2,.*"previous":0,'
wait_event reload_end 1 '"generation":2,.*"ok":true'
pass "an edit rebuilds and serves v2"

echo "error" > src/version.txt
wait_event build_end 1 '"ok":false,"reason":"[^"]*exit status 1'
wait_event reload_end 1 '"generation":2,.*"ok":false'
grep -q "error: syntax error near" "$LOG" || fail "the build's error output was not shown"
body_is "http://127.0.0.1:$port/" "hello from testapp v2" || fail "v2 stopped serving after a failed build"
pass "a failed build keeps v2 serving and shows the compiler's error"

echo v3 > src/version.txt
wait_until 30 body_is "http://127.0.0.1:$port/" "hello from testapp v3" || fail "v3 never served after the fix"
pass "the fix serves v3"

app_pid=$(pids_matching "testapp --port $port")
[[ -n "$app_pid" ]] || fail "no app process found"
status=0
stop_hotswap TERM || status=$?
[[ $status -eq 0 ]] || fail "hotswap exited with $status after SIGTERM, expected 0"
for p in $app_pid; do is_gone "$p" || fail "app process $p survived hotswap's exit"; done
pass "SIGTERM stops the app and exits 0"
