#!/usr/bin/env bash
# Editors' saves are exactly one build of the real file: vim's (4913 probe, swap file, `file~` backup by
# rename, new file written), a write-to-temp-then-rename save (VS Code, JetBrains, gedit), sed -i, and an
# in-place write. Each save is followed by a sentinel edit of another file: a second build for the save
# would come before the sentinel's build, or show the save's file in the sentinel's list.
source "$(dirname "$0")/lib/common.sh"

mkdir -p "$WORK/project/src" "$WORK/out"
cd "$WORK/project"
echo 'int main() { return 0; }' > src/main.c
echo 'sentinel 0' > src/sentinel.c
cat > build.sh <<SH
#!/bin/sh
n=\$(( \$(cat "$WORK/out/count" 2>/dev/null || echo 0) + 1 ))
echo \$n > "$WORK/out/count"
cp "\$HOTSWAP_CHANGED" "$WORK/out/changed.\$n"
SH
chmod +x build.sh

start_hotswap -w src -b ./build.sh
wait_event build_end 1 '"ok":true'
builds=1

# expect_one_build NAME: the last save was one build listing only src/main.c; then the sentinel's build
# lists only src/sentinel.c.
sentinel=0
expect_one_build() {
    builds=$((builds + 1))
    wait_event build_end "$builds" '"ok":true'
    sentinel=$((sentinel + 1))
    echo "sentinel $sentinel" > src/sentinel.c
    builds=$((builds + 1))
    wait_event build_end "$builds" '"ok":true'
    [[ $(cat "$WORK/out/count") == "$builds" ]] || fail "$1: $(cat "$WORK/out/count") builds, expected $builds"
    [[ $(cat "$WORK/out/changed.$((builds - 1))") == "$PWD/src/main.c" ]] ||
        fail "$1: the save's build listed: $(cat "$WORK/out/changed.$((builds - 1))")"
    [[ $(cat "$WORK/out/changed.$builds") == "$PWD/src/sentinel.c" ]] ||
        fail "$1: the sentinel's build listed: $(cat "$WORK/out/changed.$builds")"
    pass "$1: one build, of src/main.c only"
}

# vim (backupcopy=no, the default on Linux for most files): probe, swap, rename to backup, write, clean up.
vim_save() {
    : > src/4913 && rm src/4913
    echo swap > src/.main.c.swp
    mv src/main.c src/main.c~
    printf 'int main() { return %d; }\n' "$1" > src/main.c
    rm src/main.c~ src/.main.c.swp
}
vim_save 1
expect_one_build "vim save"

# Write a temporary next to the file, then rename it over the file.
printf 'int main() { return 2; }\n' > src/.main.c.tmp.4242
mv src/.main.c.tmp.4242 src/main.c
expect_one_build "temp file + rename"

sed -i 's/return 2/return 3/' src/main.c
expect_one_build "sed -i"

printf 'int main() { return 4; }\n' > src/main.c
expect_one_build "in-place write"

# JetBrains' safe write: keeps the old file as ___jb_old___, writes ___jb_tmp___, renames.
cp src/main.c "src/main.c___jb_old___"
printf 'int main() { return 5; }\n' > "src/main.c___jb_tmp___"
mv "src/main.c___jb_tmp___" src/main.c
rm "src/main.c___jb_old___"
expect_one_build "JetBrains safe write"
