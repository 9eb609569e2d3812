#!/usr/bin/env bash
# The checks `hotswap serve` makes before it runs a binary: one that group or others may write is refused
# (at the very first start: exit 1 with the sentence); with --verify-key, BINARY.minisig must be a valid
# minisign signature by that key (Debian's minisign makes the keys and signatures here). A refused
# upgrade leaves the old version serving; a well-signed one is taken; the key may be the .pub file or its
# base64 line.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"
source "$(dirname "$0")/lib/serve_project.sh"

command -v minisign >/dev/null || fail "minisign is not installed (scripts/install-deps.sh --test)"
make_serve_dir

# serve_once ARGS...: hotswap serve in the foreground (it must refuse and exit at once); its output, all
# of it, in $OUT.
serve_once() {
    STATUS=0
    "$HOTSWAP" serve -l "127.0.0.1:$PORT" --ready notify "$@" >"$OUT" 2>&1 || STATUS=$?
}

# 1. Refused at the very first start.
script_release v1 bin/app
chmod 775 bin/app
serve_once -- bin/app
((STATUS == 1)) || { show_last; fail "serve of a group-writable binary exited $STATUS, expected 1"; }
out_has "refusing to run .*bin/app: the file .*bin/app is writable by its group \(mode 0775\), so they could replace the program; fix it with: chmod go-w .*bin/app"
chmod 757 bin/app
serve_once -- bin/app
((STATUS == 1)) || { show_last; fail "serve of a world-writable binary exited $STATUS, expected 1"; }
out_has "is writable by everyone \(mode 0757\)"
chmod 755 bin/app
chmod 775 bin
serve_once -- bin/app
((STATUS == 1)) || { show_last; fail "serve from a group-writable directory exited $STATUS, expected 1"; }
out_has "its directory .*bin is writable by its group"
chmod 755 bin
pids_matching "--tag $TAG" | grep -q . && fail "a refused binary was started"
pass "a group- or world-writable binary (or directory) is refused at start: exit 1, with the chmod that fixes it"

# 2. --verify-key: a binary without a signature is refused at start.
mkdir -m 700 "$WORK/keys"
minisign -G -W -p "$WORK/keys/release.pub" -s "$WORK/keys/release.key" >/dev/null
minisign -G -W -p "$WORK/keys/other.pub" -s "$WORK/keys/other.key" >/dev/null
serve_once --verify-key "$WORK/keys/release.pub" -- bin/app
((STATUS == 1)) || { show_last; fail "serve of an unsigned binary exited $STATUS, expected 1"; }
out_has "refusing to run .*bin/app: --verify-key needs its signature in .*bin/app.minisig \(minisign -S -m .*bin/app\)"
pass "--verify-key: an unsigned binary is refused at start"

# 3. Signed: it serves.
minisign -S -s "$WORK/keys/release.key" -m bin/app -t "release v1" >/dev/null
start_serve --verify-key "$WORK/keys/release.pub" --probation 1s -- bin/app
wait_served v1
wait_log "signature verified \(trusted comment: release v1\)"
pass "a signed binary serves"

# 4. Signed by another key: refused, v1 keeps serving.
script_release v2 "$WORK/srv/app.new"
minisign -S -s "$WORK/keys/other.key" -m "$WORK/srv/app.new" >/dev/null
deploy "$WORK/srv/app.new"
wait_event refused 1 'signed by key [0-9A-F]{16}, but the trusted key is [0-9A-F]{16}'
wait_event reload_end 1 '"ok":false'
served v1 || fail "v1 stopped serving after a badly signed binary"
expect 0 status --ready
pass "a binary signed by another key is refused; v1 serves"

# 5. Changed after it was signed: refused, and `hotswap reload` says why.
script_release v3 "$WORK/srv/app.new"
minisign -S -s "$WORK/keys/release.key" -m "$WORK/srv/app.new" >/dev/null
echo "# changed after signing" >>"$WORK/srv/app.new"
deploy "$WORK/srv/app.new"
expect 1 reload
err_has "refusing to run bin/app: the signature does not match the file"
served v1 || fail "v1 stopped serving after a tampered binary"
pass "a binary changed after signing is refused: reload exits 1 with the reason; v1 serves"

# 6. Well signed: taken.
script_release v4 "$WORK/srv/app.new"
minisign -S -s "$WORK/keys/release.key" -m "$WORK/srv/app.new" -t "release v4" >/dev/null
deploy "$WORK/srv/app.new"
wait_served v4
wait_log "signature verified \(trusted comment: release v4\)"
pass "a well-signed binary is taken"

# 7. The key as its base64 line (what minisign -P takes) works the same.
stop_hotswap TERM || fail "hotswap serve exited non-zero after SIGTERM"
start_serve --verify-key "$(tail -n 1 "$WORK/keys/release.pub")" --probation 1s -- bin/app
wait_served v4
stop_hotswap TERM || fail "hotswap serve exited non-zero after SIGTERM"
expect_no_leftovers "after serve stopped"
serve_once --verify-key "$WORK/keys/missing.pub" -- bin/app
((STATUS == 1)) || { show_last; fail "serve with a missing key file exited $STATUS, expected 1"; }
out_has "--verify-key: there is no key file .*missing.pub"
pass "--verify-key takes the base64 key too, and a missing key file is said plainly; nothing left running"

# 8. Run mode with --verify-key: each build's output must be signed too.
mkdir -p "$WORK/project/watched"
cd "$WORK/project"
echo v5 >version
cat >build.sh <<SH
#!/bin/sh
mkdir -p out
printf '#!/bin/sh\\nexec "%s" --notify --version %s --tag %s "\\\$@"\\n' "$TESTAPP" "\$(cat version)" "$TAG" >out/app
chmod 755 out/app
rm -f out/app.minisig
if [ -f sign ]; then minisign -S -s "$WORK/keys/release.key" -m out/app >/dev/null; fi
SH
chmod 755 build.sh
start_hotswap -w watched -b ./build.sh --artifact out/app --verify-key "$WORK/keys/release.pub" \
    -l "127.0.0.1:$PORT" --ready notify -- out/app
wait_log "✗ refusing to run out/app: --verify-key needs its signature in .*out/app.minisig"
expect 1 status --ready
touch sign
echo v6 >version
expect 0 reload
served v6 || fail "the signed build is not served"
stop_hotswap TERM || fail "hotswap exited non-zero after SIGTERM"
expect_no_leftovers "after run mode stopped"
pass "run mode with --verify-key: an unsigned build is refused, a signed one serves"
