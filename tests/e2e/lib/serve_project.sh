# Helpers for the `hotswap serve` end-to-end tests (tests/e2e/serve_*.sh), sourced after common.sh and
# control_common.sh. A release directory $WORK/srv holds bin/app, the binary serve runs and upgrades;
# releases are built beside it and renamed into place, as a deploy does.

umask 022  # serve refuses group- or world-writable binaries: the tests' own files must not be

# make_serve_dir: $WORK/srv/bin (0755, as a release directory must be), the version file ELF releases
# read at start ($VERSION_FILE) and a free PORT; the working directory is $WORK/srv.
make_serve_dir() {
    PORT=$(free_port)
    mkdir -p "$WORK/srv/bin"
    chmod 755 "$WORK/srv" "$WORK/srv/bin"
    cd "$WORK/srv"
    VERSION_FILE="$WORK/srv/version"
    echo v1 >"$VERSION_FILE"
}

# elf_release MARK FILE: a copy of the testapp binary with MARK appended, so that each release's bytes
# differ; run with --version-file, it serves whatever $VERSION_FILE says when it starts.
elf_release() {
    cp "$TESTAPP" "$2"
    printf '%s' "$1" >>"$2"
    chmod 755 "$2"
}
# The command that runs an ELF release.
ELF_COMMAND=(bin/app --notify --version-file "$WORK/srv/version" --tag "$TAG")

# script_release VERSION FILE [TESTAPP FLAGS...]: a release that is a script running testapp with its own
# flags (--crash-after-ms, ...), so that each release carries its own behaviour and a rollback runs
# exactly the old one.
script_release() {
    local version=$1 file=$2
    shift 2
    printf '#!/bin/sh\nexec "%s" --notify --version %s %s --tag %s "$@"\n' "$TESTAPP" "$version" "$*" "$TAG" >"$file"
    chmod 755 "$file"
}

# deploy FILE: renames FILE into place as bin/app (and FILE.minisig as bin/app.minisig, first, if any).
deploy() {
    [[ -f "$1.minisig" ]] && mv "$1.minisig" bin/app.minisig
    mv "$1" bin/app
}

# start_serve ARGS... -- COMMAND...: hotswap serve on $PORT with notify readiness and --events $EVENTS.
start_serve() {
    start_hotswap serve -l "127.0.0.1:$PORT" --ready notify --ready-timeout 5s --drain-timeout 2s \
        --events "$EVENTS" "$@"
}

url() { echo "http://127.0.0.1:$PORT/"; }
served() { body_is "$(url)" "hello from testapp $1"; }
wait_served() { wait_until "${2:-30}" served "$1" || fail "$1 is not served: $(http_get "$(url)" 2>&1)"; }

# wait_good GENERATION_ARTIFACT_COUNT: until history shows N builds marked good (passed probation).
good_builds() { "$HOTSWAP" history --json 2>/dev/null | grep -c '"outcome": "good"' || true; }
has_good_builds() { (($(good_builds) >= $1)); }
wait_good() { wait_until 30 has_good_builds "$1" || fail "fewer than $1 builds marked good: $("$HOTSWAP" history 2>&1)"; }
