# shellcheck shell=bash
# The load harness of the HTTP front's tests (tests/e2e/load_front_*.sh, DESIGN.md §4a and §9), sourced
# after common.sh and control_common.sh: keep-alive load (CONNECTIONS connections, wrk's default is 64)
# through FRONT_RELOADS reloads (default 50), each asked for with `hotswap reload` (no build: the same command starts again)
# and waited for by its switch event, then every failed request counted by the load generator: refused,
# reset or closed under a request, timed out, non-2xx or an unexpected body.
# The same harness pointed at plain fd mode (`-l ADDR`) must count failures (load_fd_keepalive.sh): that is
# what proves it can see them.

: "${LOADGEN:?run through ctest, or set LOADGEN}"
RELOADS=${FRONT_RELOADS:-50}
CONNECTIONS=${CONNECTIONS:-64}

# go_fixture: builds the Go test server (tests/fixtures/goapp) once per build directory and sets GOAPP.
# Offline: standard library only, no module downloads, no VCS stamping; the build cache lives in the build
# directory (as example_hello_go.sh keeps it) unless GOCACHE says otherwise.
go_fixture() {
    command -v go >/dev/null || fail "go is not installed (scripts/install-deps.sh installs golang-go)"
    local source=$HOTSWAP_SOURCE_DIR/tests/fixtures/goapp dir=${HOTSWAP_BINARY_DIR:-$WORK}/tests
    GOAPP=$dir/goapp
    if [[ -x $GOAPP && -z $(find "$source" -newer "$GOAPP" -print -quit) ]]; then return 0; fi
    mkdir -p "$dir"
    local tmp
    tmp=$(mktemp "$dir/goapp.XXXXXX")
    (
        cd "$source"
        export GOPROXY=off GOFLAGS=-buildvcs=false GOCACHE=${GOCACHE:-${HOTSWAP_BINARY_DIR:-$WORK}/go-cache}
        [[ -n ${HOME:-} || -n ${GOPATH:-} ]] || export GOPATH=$WORK/gopath
        go build -o "$tmp" .
    ) >"$WORK/go-build.log" 2>&1 || { rm -f "$tmp"; fail "cannot build tests/fixtures/goapp: $(cat "$WORK/go-build.log")"; }
    mv "$tmp" "$GOAPP"  # renamed into place: a test that runs at the same time never sees half a binary
}

# goapp_project DIR [ARGS]: an artifact project in DIR, made anew, and the working directory from then on:
# src/args holds goapp's arguments (the "source", ARGS: --version v1 --notify by default); ./build.sh writes
# out/app, a script that runs goapp with them, so each kept build carries its own behaviour and a rollback
# runs the old one. watched/ is there for -w.
goapp_project() {
    rm -rf "$1"
    mkdir -p "$1/src" "$1/watched"
    cd "$1" || fail "no directory $1"
    echo "${2:---version v1 --notify}" >src/args
    cat >build.sh <<SH
#!/bin/sh
mkdir -p out
printf '#!/bin/sh\\nexec "%s" %s --tag %s "\$@"\\n' "$GOAPP" "\$(cat src/args)" "$TAG" >out/app.tmp
chmod +x out/app.tmp && mv out/app.tmp out/app
SH
    chmod +x build.sh
}

# wait_first_switch: until generation 1 serves; at once a failure if hotswap exited (a usage error, say).
first_served_or_exited() { has_events switch 1 '"generation":1,' || is_gone "$HS_PID"; }
wait_first_switch() {
    wait_until 30 first_served_or_exited || fail "generation 1 never served: $(cat "$EVENTS")"
    ! is_gone "$HS_PID" || fail "hotswap exited before generation 1 served"
}

# reload_once GENERATION [EXPECTED_STATUS]: `hotswap reload` (in the project's directory) must exit with
# EXPECTED_STATUS (0: the new version serves); on 0, generation GENERATION's switch event is awaited.
reload_once() {
    local status=0
    "$HOTSWAP" reload >"$WORK/reload.out" 2>&1 || status=$?
    ((status == ${2:-0})) || fail "reload to generation $1 exited $status, expected ${2:-0}: $(cat "$WORK/reload.out")"
    ((status != 0)) || wait_event switch 1 "\"generation\":$1," 30
}

# reloads_under_load NAME PORT [LOADGEN ARGS...] -- HOTSWAP_ARGS...: runs hotswap with HOTSWAP_ARGS (which
# put the public address on PORT and end with `-- COMMAND...`) in a directory of its own, starts the load on
# PORT once generation 1 serves (with the LOADGEN ARGS, such as --path /slow), makes RELOADS reloads, stops
# the load, then hotswap (which must exit 0 leaving no process behind). Sets LOAD_OK, LOAD_FAILED,
# LOAD_LINE (common.sh's stop_load) and CASE_SECONDS; prints one line of figures.
reloads_under_load() {
    local name=$1 port=$2
    shift 2
    local load_args=()
    while (($# > 0)) && [[ $1 != -- ]]; do load_args+=("$1"); shift; done
    (($# > 0)) || fail "reloads_under_load: expected -- before hotswap's arguments"
    shift
    local started=$SECONDS
    mkdir -p "$WORK/$name/watched"
    cd "$WORK/$name" || fail "no directory for $name"
    # Only `hotswap reload` starts a new generation: watched/ never changes, and there is no build.
    start_hotswap -w watched --drain-timeout 10s "$@"
    wait_first_switch
    start_load "$port" "$CONNECTIONS" "${load_args[@]}"
    local generation
    for ((generation = 2; generation <= RELOADS + 1; generation++)); do
        reload_once "$generation"
    done
    stop_load
    stop_hotswap TERM || fail "$name: hotswap did not exit 0 after SIGTERM"
    expect_no_leftovers "$name"
    cd "$WORK" || fail "no \$WORK"
    CASE_SECONDS=$((SECONDS - started))
    echo "$name: $RELOADS reloads, $CONNECTIONS keep-alive connections, ${CASE_SECONDS} s: $LOAD_LINE"
}

# expect_none_failed NAME: the last case failed no request (and some succeeded).
expect_none_failed() {
    ((LOAD_OK > 0)) || fail "$1: no request succeeded ($LOAD_LINE)"
    ((LOAD_FAILED == 0)) || fail "$1: $LOAD_FAILED of $((LOAD_OK + LOAD_FAILED)) requests failed over $RELOADS reloads ($LOAD_LINE)"
    pass "$1: 0 failed requests over $RELOADS reloads ($LOAD_OK ok, ${CASE_SECONDS} s)"
}

# new_front: a free PORT and FRONT, the front's arguments every front case shares: the front on PORT, and no
# probation, so that `hotswap reload` answers at the switch (one that waited out each probation would take
# RELOADS × probation).
new_front() {
    PORT=$(free_port)
    # shellcheck disable=SC2034  # for the scripts that source this file
    FRONT=(--proxy "127.0.0.1:$PORT" --probation 0s)
}
