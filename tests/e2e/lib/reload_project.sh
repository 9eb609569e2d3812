# A tiny project for reload tests: src/version.txt is the "source"; the "build" copies it to out/ (and fails
# on the word "error", like a compiler); the app is the testapp fixture serving that version.
# make_reload_project DIR
make_reload_project() {
    mkdir -p "$1/src"
    echo v1 > "$1/src/version.txt"
    cat > "$1/build.sh" <<'SH'
#!/bin/sh
if grep -q error src/version.txt; then echo "src/version.txt:1: error: syntax error near 'error'" >&2; exit 1; fi
mkdir -p out && cp src/version.txt out/version
SH
    chmod +x "$1/build.sh"
}

# reload_to VERSION GEN: writes VERSION and waits until generation GEN serves (its switch event).
reload_to() {
    echo "$1" > src/version.txt
    wait_event switch 1 "\"generation\":$2," 60
}

# An artifact project for fault tests: src/args holds testapp's arguments (the "source"); the build
# writes out/app, a small script that runs testapp with them (the "binary"), so each artifact carries its
# own behaviour and a rollback runs exactly the old one. Build faults on demand, by a word in src/args:
# "build-error" fails the build, "build-nothing" succeeds without producing out/app, "build-hang" never
# finishes.
# make_artifact_project DIR
make_artifact_project() {
    mkdir -p "$1/src"
    echo "--version v1 --notify" > "$1/src/args"
    cat > "$1/build.sh" <<SH
#!/bin/sh
args=\$(cat src/args)
case "\$args" in
  *build-error*) echo "src/args:1: error: syntax error near 'error'" >&2; exit 1 ;;
  *build-hang*) echo "the build hangs"; exec sleep 600 ;;
  *build-nothing*) rm -f out/app; echo "built nothing"; exit 0 ;;
esac
mkdir -p out
printf '#!/bin/sh\\nexec "%s" %s --tag %s "\$@"\\n' "$TESTAPP" "\$args" "$TAG" > out/app.tmp
chmod +x out/app.tmp && mv out/app.tmp out/app
SH
    chmod +x "$1/build.sh"
}

# set_args ARGS...: the next "source" of the artifact project (in the current directory), written whole
# and renamed into place from outside the watched tree, so each edit is exactly one change.
set_args() {
    local tmp
    tmp=$(mktemp "$WORK/args.XXXXXX")
    echo "$*" > "$tmp" && mv "$tmp" src/args
}
