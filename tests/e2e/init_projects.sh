#!/usr/bin/env bash
# `hotswap init`: writes a hotswap.toml that works for the project it finds — here a real CMake project is
# built, run, edited and rebuilt with nothing but the generated file — refuses to overwrite one without
# --force, and says what to do where it recognises nothing.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/control_common.sh"

mkdir -p "$WORK/project"
cd "$WORK/project"
cat >CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(greeter CXX)
add_executable(greeter main.cpp)
CMAKE
write_main() {
    cat >main.cpp <<CPP
#include <cstdio>
#include <unistd.h>
int main() { std::printf("greeter says $1\n"); std::fflush(stdout); for (;;) pause(); }
CPP
}
write_main v1

expect 0 init
out_has "wrote hotswap.toml for the CMake project found in CMakeLists.txt"
grep -q 'cmd = \[".hotswap/cmake/greeter"\]' hotswap.toml || { cat hotswap.toml >&2; fail "the run command is not the executable"; }
pass "init detects the CMake project and its executable"

cp hotswap.toml "$WORK/first.toml"
echo "# my edits" >>hotswap.toml
expect 1 init
err_has "hotswap.toml exists already.*--force"
grep -q "# my edits" hotswap.toml || fail "init overwrote an existing hotswap.toml"
expect 0 init --force
cmp -s hotswap.toml "$WORK/first.toml" || fail "init --force did not write a fresh file"
pass "an existing hotswap.toml is kept unless --force"

start_hotswap
wait_log "app#1 │ greeter says v1" 120
write_main v2
wait_log "app#2 │ greeter says v2" 120
stop_hotswap TERM || fail "hotswap exited non-zero"
pass "the generated file builds, runs and rebuilds the project"

mkdir "$WORK/empty"
cd "$WORK/empty"
expect 1 init
err_has "no go.mod, Cargo.toml, CMakeLists.txt or package.json here"
[[ ! -e hotswap.toml ]] || fail "init wrote a file for nothing"
pass "nothing recognised: a clear message and no file"
