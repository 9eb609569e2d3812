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

# reload_to VERSION GEN: writes VERSION and waits until generation GEN serves it.
reload_to() {
    echo "$1" > src/version.txt
    wait_log "app#$2 (serving|started)" 60
}
