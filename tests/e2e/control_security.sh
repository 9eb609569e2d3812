#!/usr/bin/env bash
# The control socket refuses other users (file permissions first, SO_PEERCRED behind them), and no request
# a client can send (malformed JSON, oversized, truncated) costs the supervisor anything: it answers with an
# error and keeps serving.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"

make_artifact_project
# An explicit socket path in a directory other users can enter, so that a client running as nobody gets
# as far as the socket itself.
mkdir "$WORK/ctl"
export HOTSWAP_CONTROL_SOCKET="$WORK/ctl/control.sock"
start_hotswap
wait_serving
expect_serves v1
[[ $(stat -c %a "$HOTSWAP_CONTROL_SOCKET") == 600 ]] || fail "the control socket must be 0600"

# ---- other users
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if [[ $(id -u) -ne 0 ]] || ! command -v setpriv >/dev/null; then
    echo "SKIP: another uid needs root and setpriv (util-linux); the uid checks were not run"
else
    chmod 711 "$WORK"
    chmod 755 "$WORK/ctl"
    if ! as_nobody "$HOTSWAP" --version >/dev/null 2>&1; then
        echo "SKIP: uid 65534 cannot run $HOTSWAP (its directories are private); the uid checks were not run"
    else
        # 1. The socket's mode keeps them out.
        hs_nobody() { STATUS=0; (cd / && as_nobody "$HOTSWAP" "$@") >"$OUT" 2>"$ERR" || STATUS=$?; }
        hs_nobody status
        [[ $STATUS -eq 3 ]] || { show_last; fail "nobody's status exited $STATUS, expected 3"; }
        err_has "permission denied"
        pass "another user cannot even connect (socket 0600)"

        # 2. With the mode loosened by mistake, SO_PEERCRED still refuses them, and says so in the log.
        chmod 666 "$HOTSWAP_CONTROL_SOCKET"
        hs_nobody stop
        [[ $STATUS -eq 3 ]] || { show_last; fail "nobody's stop exited $STATUS, expected 3"; }
        err_has "permission denied: only the user running hotswap \(or root\) may control it"
        wait_log "refused a control connection from uid 65534"
        hs_nobody reload
        [[ $STATUS -eq 3 ]] || { show_last; fail "nobody's reload exited $STATUS, expected 3"; }
        chmod 600 "$HOTSWAP_CONTROL_SOCKET"
        kill -0 "$HS_PID" || fail "hotswap stopped on another user's request"
        expect 0 status --ready
        expect_serves v1
        (($(count_events reload_start) + $(count_events spawn '"generation":2,') == 0)) ||
            fail "another user's reload was carried out: $(event_names)"
        pass "a peer of another uid is refused by SO_PEERCRED; hotswap keeps serving"
    fi
fi

# ---- bad requests from the right user
reply=$(raw_request $'this is not json\n')
[[ "$reply" == *'"code":"bad_request"'* && "$reply" == *"malformed request"* ]] || fail "malformed JSON got: $reply"
reply=$(raw_request $'{"cmd":"format-disk"}\n')
[[ "$reply" == *"unknown command"* ]] || fail "unknown command got: $reply"
reply=$(raw_request $'[1,2,3]\n{"cmd":"status"}\n')
[[ "$reply" == *"expected a JSON object"*'"ok":true'* ]] || fail "a bad line must not spoil the next: $reply"
pass "malformed requests get an error reply; the next request on the same connection is answered"

reply=$(raw_request "{\"cmd\":\"status\",\"pad\":\"$(head -c 100000 /dev/zero | tr '\0' x)\"}")
[[ "$reply" == *'"code":"too_large"'* ]] || fail "an oversized request got: ${reply:0:200}"
pass "an oversized request is refused"

reply=$(raw_request '{"cmd":"sta')
[[ "$reply" == *'"code":"truncated"'* ]] || fail "a truncated request got: $reply"
pass "a truncated request is answered as such"

expect 0 status --ready
expect_serves v1
kill -0 "$HS_PID" || fail "hotswap died"
(($(count_events reload_start) + $(count_events spawn '"generation":2,') == 0)) || fail "a bad request started a reload: $(event_names)"
pass "after all that, v1 still serves and hotswap still answers"

stop_hotswap TERM || fail "hotswap exited non-zero after SIGTERM"
