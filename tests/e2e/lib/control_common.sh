# Helpers for the control-plane end-to-end tests (tests/e2e/control_*.sh), sourced after common.sh.

# A private runtime directory per test: its control socket can never meet another test's (or a real one).
export XDG_RUNTIME_DIR="$WORK/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset HOTSWAP_CONTROL_SOCKET NOTIFY_SOCKET LISTEN_FDS LISTEN_PID LISTEN_FDNAMES

OUT="$WORK/out"
ERR="$WORK/err"
STATUS=0

# hs ARGS...: runs hotswap (a client verb, usually); stdout in $OUT, stderr in $ERR, exit status in $STATUS.
hs() {
    STATUS=0
    "$HOTSWAP" "$@" >"$OUT" 2>"$ERR" || STATUS=$?
}

# has_exited PID: the process is gone or a zombie waiting to be reaped by its parent (this shell).
has_exited() {
    local state
    state=$(sed -E 's/.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null || true)
    [[ -z "$state" || "$state" == Z ]]
}

show_last() { { echo "--- stdout"; cat "$OUT"; echo "--- stderr"; cat "$ERR"; } >&2; }

# expect STATUS ARGS...: runs hs ARGS and fails the test unless it exits with STATUS.
expect() {
    local want=$1
    shift
    hs "$@"
    if [[ $STATUS -ne $want ]]; then
        show_last
        fail "hotswap $* exited $STATUS, expected $want"
    fi
}
out_has() { grep -qE -- "$1" "$OUT" || { show_last; fail "no /$1/ in stdout"; }; }
err_has() { grep -qE -- "$1" "$ERR" || { show_last; fail "no /$1/ in stderr"; }; }

# wait_serving [SECONDS]: until `hotswap status --ready` says a generation serves.
wait_serving() { wait_until "${1:-30}" "$HOTSWAP" status --ready || fail "no generation serves (status --ready)"; }

# serves VERSION: the server on $PORT answers with VERSION.
serves() { body_is "http://127.0.0.1:$PORT/" "hello from testapp $1"; }
expect_serves() { serves "$1" || fail "expected $1 to serve, got: $(http_get "http://127.0.0.1:$PORT/" 2>&1)"; }

# make_artifact_project: $WORK/project, whose "build" bakes src/version.txt (and the extra testapp flags in
# src/app-args) into out/app, a script that execs the testapp fixture; it fails on the word "error" like a
# compiler. Builds are kept as artifacts (so rollback works); only watched/ is watched, so a build happens
# only when asked for (hotswap reload). Sets PORT. The generation reports ready with sd_notify.
make_artifact_project() {
    PORT=$(free_port)
    mkdir -p "$WORK/project/src/deep" "$WORK/project/watched"
    cd "$WORK/project"
    echo v1 >src/version.txt
    : >src/app-args
    cat >build.sh <<SH
#!/bin/sh
if grep -q error src/version.txt; then echo "src/version.txt:1: error: syntax error near 'error'" >&2; exit 1; fi
mkdir -p out
printf '#!/bin/sh\nexec %s --notify --version %s %s\n' '$TESTAPP' "\$(cat src/version.txt)" "\$(cat src/app-args)" >out/app.tmp
chmod +x out/app.tmp && mv out/app.tmp out/app
SH
    chmod +x build.sh
    cat >hotswap.toml <<TOML
[watch]
paths = ["watched"]
[build]
cmd = "./build.sh"
artifact = "out/app"
[run]
cmd = ["out/app"]
drain_timeout = "5s"
[[listen]]
address = "127.0.0.1:$PORT"
[ready]
kind = "notify"
timeout = "3s"
TOML
}

# raw_request BYTES: sends BYTES to the control socket as they are (no newline added), half-closes, and
# prints what comes back. For malformed, oversized and truncated requests a real client would never send.
raw_request() {
    local socket=${HOTSWAP_CONTROL_SOCKET:-}
    [[ -n "$socket" ]] || socket=$(ls "$XDG_RUNTIME_DIR"/hotswap/*.sock)
    printf '%s' "$1" | socat -t 10 - "UNIX-CONNECT:$socket" || true
}
