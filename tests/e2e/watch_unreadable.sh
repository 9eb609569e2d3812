#!/usr/bin/env bash
# An unreadable directory: one line naming it, everything else watched, and the directory watched once it
# becomes readable. Root reads everything, so as root hotswap runs as nobody (setpriv).
source "$(dirname "$0")/lib/common.sh"

mkdir -p "$WORK/project/src/open" "$WORK/project/src/locked/inner"
cd "$WORK/project"
echo 1 > src/locked/inner/f.c
as_user=()
if [[ $(id -u) == 0 ]]; then
    command -v setpriv >/dev/null || { echo "skip: setpriv is needed to run as nobody"; exit 77; }
    setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$HOTSWAP" ||
        { echo "skip: $HOTSWAP is not executable by nobody"; exit 77; }
    chmod 755 "$WORK"
    chown -R 65534:65534 "$WORK/project"
    : >"$EVENTS" && chown 65534:65534 "$EVENTS"  # nobody cannot create it in $WORK
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
chmod 000 src/locked

"${as_user[@]}" "${WITH_TEST[@]}" "$HOTSWAP" --events "$EVENTS" -w src -b 'echo built' >"$LOG" 2>&1 &
HS_PID=$!
wait_log 'watching 2 directories'
grep -q "cannot watch $PWD/src/locked (Permission denied)" "$LOG" || fail "no line names the unreadable directory"
wait_event build_end 1 '"ok":true'
pass "an unreadable directory is named once; the rest is watched"

echo x > src/open/a.c
wait_event build_end 2 '"ok":true'
pass "changes elsewhere are built"

chmod 755 src/locked
wait_event change 1 '"first":"src/locked/inner/f\.c","paths":1}'
wait_event build_end 3 '"ok":true'
echo y > src/locked/inner/g.c
wait_event change 1 '"first":"src/locked/inner/g\.c","paths":1}'
pass "once readable, the directory is watched and its files seen"
