#!/usr/bin/env bash
# Proxy mode (DESIGN.md §4, last paragraph): for servers that bind $PORT themselves, hotswap listens on the
# public address and forwards each connection to the generation serving when it was accepted. Under load:
# 10 reloads fail no request, a generation that never opens its port (tcp readiness times out) leaves the
# old one serving, a crash is bridged until the restart serves, and after SIGTERM nothing is left running.
# [proxy] address in hotswap.toml works too.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/reload_project.sh"
: "${LOADGEN:?}"
RELOADS=${RELOADS:-10}

make_reload_project "$WORK/project" && cd "$WORK/project"
# The app binds $PORT (testapp's default); a version with "noport" in it starts but never opens a port, one
# with "crash" crashes once, 300 ms after it starts.
app="v=\$(cat out/version); case \$v in *noport*) set -- --no-listen;;
  *crash*) [ -e crashed-once ] || { : > crashed-once; set -- --crash-after-ms 300; };; esac
exec '$TESTAPP' --tag $TAG --version \$v \"\$@\""
status_json() { "$HOTSWAP" status --json; }
json_field() { sed -nE "s/.*\"$1\": *(\"[^\"]*\"|[0-9]+).*/\1/p" <<<"$2" | head -n 1 | tr -d '"'; }

port=$(free_port)
start_hotswap -w src -b ./build.sh --proxy "127.0.0.1:$port" --ready-timeout 3s -- /bin/sh -c "$app"
wait_until 30 body_is "http://127.0.0.1:$port/" "hello from testapp v1" || fail "v1 never served through the proxy"
wait_log "proxying tcp://127.0.0.1:$port to each generation's \\\$PORT"
status=$(status_json)
[[ $(json_field mode "$status") == proxy ]] || fail "status does not say proxy mode: $status"
private=$(json_field upstream_port "$status")
[[ -n $private && $private != 0 && $private != "$port" ]] || fail "no private port of its own for app#1: $status"
text=$("$HOTSWAP" status)
[[ $text == *"proxy: "*"127.0.0.1:$port -> 127.0.0.1:$private"* ]] || fail "status text has no proxy line: $text"
pass "v1 served through the proxy from its private port $private (public $port)"

start_load "$port" 8
for i in $(seq 2 $((RELOADS + 1))); do
    reload_to "v$i" "$i"
done
wait_until 10 body_is "http://127.0.0.1:$port/" "hello from testapp v$((RELOADS + 1))" \
    || fail "v$((RELOADS + 1)) not served after the reloads"

# A build whose server never opens its port: not ready in time, stopped; the old one keeps serving.
echo "v-noport" > src/version.txt
next=$((RELOADS + 2))
wait_event exit 1 "\"generation\":$next,.*\"reason\":\"not ready in time\",\"state\":\"starting\",.*\"uptime_ms\":(29[5-9][0-9]|[3-9][0-9]{3})[,}]"
wait_event reload_end 1 "\"generation\":$((RELOADS + 1)),.*\"ok\":false"
wait_log "testapp v-noport stopped without listening" 30
body_is "http://127.0.0.1:$port/" "hello from testapp v$((RELOADS + 1))" || fail "the old generation stopped serving"
reload_to "v-last" $((next + 1))
wait_until 10 body_is "http://127.0.0.1:$port/" "hello from testapp v-last" || fail "no recovery after the failed start"

# A crash: the generation closes its port, then dies; connections wait until the restart serves.
echo "v-crash" > src/version.txt
wait_log "app#$((next + 2)) │ testapp v-crash crashing on purpose" 30
wait_event spawn 1 "\"generation\":$((next + 3)),.*\"reason\":\"restart\""
wait_event switch 1 "\"generation\":$((next + 3)),"
wait_until 10 body_is "http://127.0.0.1:$port/" "hello from testapp v-crash" || fail "v-crash not served after its restart"
expect_no_failed_requests "proxy mode, $RELOADS reloads, a generation that never opened its port and a crash"
status=$(status_json)
[[ $(json_field connections_failed "$status") == 0 ]] || fail "the proxy closed connections it could not place: $status"
pass "$RELOADS reloads, a failed start and a crash under load: 0 failed requests ($LOAD_OK ok)"

stop_hotswap TERM || fail "hotswap did not exit 0 after SIGTERM"
expect_no_leftovers "proxy mode"
! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || fail "the public port still accepts after hotswap stopped"
pass "SIGTERM: exit 0, nothing left running, the public port closed"

# The same from hotswap.toml: [proxy] address, with readiness over http on the private port ({port}).
port=$(free_port)
cat > hotswap.toml <<TOML
[proxy]
address = "127.0.0.1:$port"
[ready]
kind = "http"
url = "http://127.0.0.1:{port}/"
TOML
start_hotswap -w src -b ./build.sh -- /bin/sh -c "$app"
wait_until 30 body_is "http://127.0.0.1:$port/" "hello from testapp v-crash" || fail "[proxy] address in hotswap.toml not served"
stop_hotswap TERM || fail "hotswap did not exit 0"
expect_no_leftovers "proxy mode from hotswap.toml"
pass "[proxy] address and an http readiness URL with {port} in hotswap.toml"
