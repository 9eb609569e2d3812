# Go builds in the end-to-end tests, sourced after common.sh: offline and reproducible (no module
# downloads, the projects use the standard library only; no VCS stamping), with a build cache that
# survives between runs (the user's, else one in the build directory), so the standard library is
# compiled once, not by every run.
export GOPROXY=off GOFLAGS=-buildvcs=false
if [[ -z ${GOCACHE:-} ]]; then
    GOCACHE=$(go env GOCACHE 2>/dev/null || true)
    if [[ -z $GOCACHE || $GOCACHE == off ]] || ! mkdir -p "$GOCACHE" 2>/dev/null || [[ ! -w $GOCACHE ]]; then
        GOCACHE=${HOTSWAP_BINARY_DIR:-$WORK}/go-cache
    fi
    export GOCACHE
fi
[[ -n ${HOME:-} || -n ${GOPATH:-} ]] || export GOPATH=$WORK/gopath
