# The conformance fixture (tests/fixtures/conformance: a Go app and the client that asks it directly and
# through the front), built into $WORK/conformance/ offline with the Go toolchain, standard library only.
# build_conformance: sets CONFORMANCE_APP and CONFORMANCE_CLIENT.

# shellcheck source=go_offline.sh
source "$(dirname "${BASH_SOURCE[0]}")/go_offline.sh"

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
