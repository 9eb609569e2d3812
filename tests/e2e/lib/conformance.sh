# The conformance fixture (tests/fixtures/conformance: a Go app and the client that asks it directly and
# through the front), built into $WORK/conformance/ offline with the Go toolchain, standard library only.
# build_conformance: sets CONFORMANCE_APP and CONFORMANCE_CLIENT.

# Offline and reproducible, as in example_hello_go.sh: no module downloads, no VCS stamping, and a build
# cache that survives between runs (the user's, else one in the build directory).
export GOPROXY=off GOFLAGS=-buildvcs=false
if [[ -z ${GOCACHE:-} ]]; then
    GOCACHE=$(go env GOCACHE 2>/dev/null || true)
    if [[ -z $GOCACHE || $GOCACHE == off ]] || ! mkdir -p "$GOCACHE" 2>/dev/null || [[ ! -w $GOCACHE ]]; then
        GOCACHE=${HOTSWAP_BINARY_DIR:-$WORK}/go-cache
    fi
    export GOCACHE
fi
[[ -n ${HOME:-} || -n ${GOPATH:-} ]] || export GOPATH=$WORK/gopath

build_conformance() {
    command -v go >/dev/null || fail "go is needed to build the conformance fixture: scripts/install-deps.sh"
    mkdir -p "$WORK/conformance"
    (cd "$HOTSWAP_SOURCE_DIR/tests/fixtures/conformance" && go build -o "$WORK/conformance/" ./app ./client) ||
        fail "the conformance fixture did not build"
    CONFORMANCE_APP=$WORK/conformance/app
    CONFORMANCE_CLIENT=$WORK/conformance/client
}

# conformance_project DIR: a reload project (lib/reload_project.sh) whose app is the conformance app at the
# version in out/version; sets CONFORMANCE_RUN, the command hotswap runs.
conformance_project() {
    make_reload_project "$1"
    CONFORMANCE_RUN="exec '$CONFORMANCE_APP' --tag $TAG --log-requests --version \$(cat out/version)"
}
