#!/usr/bin/env bash
# Fault matrix through the front (DESIGN.md §3, §4a) under $CONNECTIONS keep-alive connections, for both
# kinds of app socket ($PORT and --app-socket fd): a new build that exits at once (the old one keeps
# serving), and a new build that serves, then crashes abruptly within its probation, on its 200th request,
# with every request it holds unanswered (rolled back to the last good build). Not one idempotent request
# fails: the front retries the GETs the crash cut off and holds new ones until the rollback serves.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/front_load.sh"
go_fixture

faults_under_load() {  # faults_under_load APP_SOCKET (port or fd)
    local app_socket=$1 port started=$SECONDS
    port=$(free_port)
    goapp_project "$WORK/project"
    start_hotswap -w watched -b ./build.sh --artifact out/app --proxy "127.0.0.1:$port" --app-socket "$app_socket" \
        --ready notify --ready-timeout 5s --probation 2s --drain-timeout 5s -- out/app
    wait_first_switch
    start_load "$port" "$CONNECTIONS" --expect goapp

    echo "--version v2 --exit-now 3" >src/args
    reload_once 2 1
    wait_event exit 1 '"generation":2,.*"state":"starting"'
    body_has "http://127.0.0.1:$port/" "goapp v1" || fail "$app_socket: v1 does not serve after v2 exited at start"
    echo "--version v3 --notify" >src/args
    reload_once 3  # answered once v3 passed its probation
    pass "$app_socket: a build that exits at once left v1 serving; v3 took over"

    echo "--version v4 --notify --crash-at-request 200" >src/args
    reload_once 4 1  # answered once the rollback serves
    wait_event switch 1 '"generation":4,'
    wait_event exit 1 '"action":"rollback",.*"generation":4,.*"state":"serving"'
    wait_event switch 1 '"generation":5,.*"reason":"rollback"'
    body_has "http://127.0.0.1:$port/" "goapp v3" || fail "$app_socket: v3 does not serve after the rollback"
    stop_load
    ((LOAD_OK > 0)) || fail "$app_socket: no request succeeded ($LOAD_LINE)"
    # Both kinds of app socket are run before the verdict, so that a failure shows the counts of both.
    if ((LOAD_FAILED > 0)); then
        echo "FAIL: $app_socket: crash at start, crash in probation: $LOAD_FAILED requests failed ($LOAD_LINE)" >&2
        FAILED_CASES+=("$app_socket")
    else
        pass "$app_socket: v4 crashed within probation and v3 serves again; 0 failed ($LOAD_OK ok, $((SECONDS - started)) s)"
    fi

    stop_hotswap TERM || fail "$app_socket: hotswap did not exit 0 after SIGTERM"
    expect_no_leftovers "$app_socket faults"
    cd "$WORK"
}

FAILED_CASES=()
faults_under_load port
faults_under_load fd
((${#FAILED_CASES[@]} == 0)) || fail "requests failed with app socket: ${FAILED_CASES[*]}"
