#!/usr/bin/env bash
# Configuration errors: exit status 2, file:line:column, a suggestion, and nothing started.
source "$(dirname "$0")/lib/common.sh"
cd "$WORK"

expect_error() {  # expect_error EXPECTED_STATUS PATTERN ARGS...
    local want=$1 pattern=$2; shift 2
    local status=0
    "$HOTSWAP" "$@" >"$WORK/out" 2>&1 || status=$?
    [[ $status -eq $want ]] || { cat "$WORK/out"; fail "exit status $status, expected $want for: $*"; }
    grep -qE -- "$pattern" "$WORK/out" || { cat "$WORK/out"; fail "no /$pattern/ in the output for: $*"; }
}

printf '[watch]\ndebounse = 50\n' > unknown.toml
expect_error 2 "unknown.toml:2:1: unknown key 'debounse' in \[watch\]; did you mean 'debounce'\?" -c unknown.toml -- true
pass "unknown key: file:line:column and a suggestion"

printf '[run]\nstop_signal = "TERMINATE"\n' > badsig.toml
expect_error 2 "badsig.toml:2:15: .*not a signal" -c badsig.toml -- true
pass "bad value: file:line:column"

printf '[build]\ncmd = "make"\ntimeout = "10 parsecs"\n' > baddur.toml
expect_error 2 "baddur.toml:3:11: 'timeout': .*not a duration" -c baddur.toml
pass "bad duration"

printf '[watch\npaths = 1\n' > syntax.toml
expect_error 2 "syntax.toml:1:[0-9]+: " -c syntax.toml -- true
pass "TOML syntax error names the position"

expect_error 2 "no such config file" -c missing.toml -- true
expect_error 2 "nothing to run" -w .
expect_error 2 "--debounce" --debounce abc -- true
expect_error 2 "not a signal" --stop-signal NOPE -- true
expect_error 2 "--drain-timeout: '5' is not a duration" --drain-timeout 5 -- true
expect_error 2 "" --no-such-flag -- true
pass "bad flags exit 2"

"$HOTSWAP" --help >"$WORK/out" 2>&1 || fail "--help must exit 0"
grep -q -- "--watch" "$WORK/out" || fail "--help lists no flags"
pass "--help exits 0"
