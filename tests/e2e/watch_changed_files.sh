#!/usr/bin/env bash
# File names with spaces, newlines, invalid UTF-8, quotes and `$(...)` reach the build byte for byte
# through HOTSWAP_CHANGED0 (NUL-separated) and HOTSWAP_CHANGED (one a line), and never through a shell
# string: a name holding `$(touch pwned)` must not run anything.
source "$(dirname "$0")/lib/common.sh"

mkdir -p "$WORK/project/src" "$WORK/out"
cd "$WORK/project"
echo seed > src/seed.c
# The build keeps a copy of both lists, numbered, and says which build it was.
cat > build.sh <<SH
#!/bin/sh
n=\$(( \$(cat "$WORK/out/count" 2>/dev/null || echo 0) + 1 ))
echo \$n > "$WORK/out/count"
cp "\$HOTSWAP_CHANGED0" "$WORK/out/changed0.\$n"
cp "\$HOTSWAP_CHANGED" "$WORK/out/changed.\$n"
SH
chmod +x build.sh

start_hotswap -w src -b ./build.sh
wait_log 'watching 1 directories, 1 files'
wait_event build_end 1 '"ok":true'

names=("with space.c" $'new\nline.c' $'\xff\xfe invalid utf8.c' "quote'\"\$(touch pwned).c" "-rf.c" $'tab\there.c')
for n in "${names[@]}"; do printf 'x' > "src/$n"; done
wait_event build_end 2 '"ok":true'
# Later builds would each add a list: the burst must have been one build, holding every name.
[[ $(cat "$WORK/out/count") == 2 ]] || fail "expected 2 builds, got $(cat "$WORK/out/count")"
pass "six odd names written at once: one build"

mapfile -d '' got < "$WORK/out/changed0.2"
[[ ${#got[@]} == "${#names[@]}" ]] || fail "HOTSWAP_CHANGED0 holds ${#got[@]} paths, expected ${#names[@]}: $(od -c "$WORK/out/changed0.2" | head)"
for n in "${names[@]}"; do
    found=0
    for g in "${got[@]}"; do [[ $g == "$PWD/src/$n" ]] && found=1; done
    ((found)) || fail "HOTSWAP_CHANGED0 lacks $(printf '%q' "$PWD/src/$n")"
done
pass "HOTSWAP_CHANGED0 holds every name byte for byte (spaces, a newline, invalid UTF-8, quotes, a tab)"

grep -qxF "$PWD/src/with space.c" "$WORK/out/changed.2" || fail "HOTSWAP_CHANGED lacks the name with a space"
grep -qF $'\xff\xfe invalid utf8.c' "$WORK/out/changed.2" || fail "HOTSWAP_CHANGED lacks the invalid UTF-8 name"
pass "HOTSWAP_CHANGED lists them one a line"

[[ ! -e pwned && ! -e src/pwned && ! -e "$WORK/out/pwned" ]] || fail "a file name was run as a shell command"
pass "no name was ever run through a shell"
