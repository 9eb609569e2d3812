#!/usr/bin/env bash
# While a reload's work runs (here a build held open by the test), the serving generation asks the
# scheduler for the shortest time slice, so requests that wake it preempt the build; once the new version
# serves and the old one is gone, the new one runs with the kernel's default slice (nothing stays changed).
# Needs Linux 6.12+ (per-task slices, shown as se.slice in /proc/PID/sched): skipped elsewhere.
source "$(dirname "$0")/lib/common.sh"

slice_of() { awk '$1 == "se.slice" { print $3 }' "/proc/$1/sched" 2>/dev/null; }
[[ -n $(slice_of $$) ]] || { echo "skip: this kernel shows no per-task time slice"; exit 77; }
default_slice=$(slice_of $$)
all_threads_at() {  # all_threads_at PID SLICE: every thread of PID runs with SLICE
    local t
    for t in /proc/"$1"/task/*; do [[ $(slice_of "$1/task/${t##*/}") == "$2" ]] || return 1; done
}
app_pid() { grep -oE "testapp $1 starting \(pid [0-9]+\)" "$LOG" | grep -oE '[0-9]+\)' | tr -d ')'; }

port=$(free_port)
mkdir -p "$WORK/project/src"
cd "$WORK/project"
echo v1 > src/version.txt
# The build waits while the file `hold` exists (the test removes it), then copies the version.
cat > build.sh <<'SH'
#!/bin/sh
while [ -e hold ]; do sleep 0.02; done
mkdir -p out && cp src/version.txt out/version
SH
chmod +x build.sh
start_hotswap -w src -b ./build.sh -l "127.0.0.1:$port" --ready notify -- "$TESTAPP" --notify --version-file out/version --tag "$TAG"
wait_until 30 body_is "http://127.0.0.1:$port/" "hello from testapp v1" || fail "v1 never served"
v1=$(app_pid v1)
all_threads_at "$v1" "$default_slice" || fail "v1 does not start with the default slice ($default_slice)"

touch hold
echo v2 > src/version.txt
wait_event change 1 '"first":"src/version\.txt[" ]'
wait_until 10 all_threads_at "$v1" 100000 || fail "v1 serves during the build without the shortest slice: $(slice_of "$v1")"
pass "during the build the serving v1 runs with the shortest slice (100 us; default $default_slice ns)"

rm hold
wait_until 30 body_is "http://127.0.0.1:$port/" "hello from testapp v2" || fail "v2 never served"
v2=$(app_pid v2)
wait_log 'testapp v1 stopped'
wait_until 10 all_threads_at "$v2" "$default_slice" || fail "v2 keeps a changed slice after the reload: $(slice_of "$v2")"
pass "after the reload v2 runs with the kernel's default slice"
stop_hotswap TERM
