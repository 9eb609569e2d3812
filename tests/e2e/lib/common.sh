# Shared helpers for the end-to-end tests. Each test is a small bash script run by CTest with
# HOTSWAP (the binary), TESTAPP (the fixture server) and HOTSWAP_SOURCE_DIR set.
# Waiting is always for an event (a lifecycle event of --events, an HTTP answer, a process gone, a log
# line), with a generous deadline. Behaviour is checked on the lifecycle events (wait_event, count_events),
# so that messages can be reworded; the log is read for what a person is meant to read there.

set -euo pipefail

: "${HOTSWAP:?run through ctest, or set HOTSWAP to the hotswap binary}"
: "${TESTAPP:=}"
: "${HOTSWAP_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
export NO_COLOR=1

# Every process a test starts dies with the test's shell, also when CTest kills that shell on timeout
# (SIGKILL: no trap runs, so cleanup cannot stop anything). `"${WITH_TEST[@]}" COMMAND... &` starts
# COMMAND with a parent-death signal: setpriv(1) sets it and execs COMMAND, so $! is COMMAND's pid. Only
# for a command this shell starts itself (not in a subshell or pipeline: the parent whose death counts is
# the process that started it). hotswap's generations die with hotswap (its PR_SET_PDEATHSIG and orphan
# guard), so the chain is: test shell killed -> hotswap killed -> its apps killed.
if setpriv --pdeathsig KILL true 2>/dev/null; then
    WITH_TEST=(setpriv --pdeathsig KILL --)
else
    WITH_TEST=()  # an util-linux without --pdeathsig: no protection, the tests still run
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hotswap-e2e.XXXXXX")
HS_PID=""
LOAD_PID=""
LOG="$WORK/hotswap.log"
# The lifecycle events (--events) of the hotswap start_hotswap runs: one JSON line each (docs/operations.md).
EVENTS="$WORK/events.jsonl"
# A word only this test's processes carry on their command line (testapp ignores `--tag TAG`), so leftovers
# can be found with pgrep and nothing of another test is touched.
TAG=$(basename "$WORK")

cleanup() {
    local status=$?
    if [[ -n "$LOAD_PID" ]]; then kill -INT "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; fi
    if [[ -n "$HS_PID" ]] && kill -0 "$HS_PID" 2>/dev/null; then
        kill -TERM "$HS_PID" 2>/dev/null || true
        wait_gone "$HS_PID" 10 || kill -KILL "$HS_PID" 2>/dev/null || true
    fi
    if [[ $status -ne 0 && -f "$LOG" ]]; then
        echo "---- hotswap log ($LOG) ----" >&2
        tail -n 80 "$LOG" >&2
    fi
    # Whatever this test started and left behind (only on failure: a passing test has checked there is none).
    local left
    left=$(pgrep -f -- "--tag $TAG" || true)
    [[ -n $left ]] && kill -KILL $left 2>/dev/null
    chmod -R u+w "$WORK" 2>/dev/null
    rm -rf "$WORK"
    exit $status
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# wait_until SECONDS COMMAND...: runs COMMAND every 20 ms until it succeeds or the deadline passes.
wait_until() {
    local seconds=$1; shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.02
    done
}

# wait_log PATTERN [SECONDS] [COUNT]: until the log holds COUNT lines matching the extended regex.
log_count() { grep -cE -- "$1" "$LOG" 2>/dev/null || true; }
has_log_count() { (( $(log_count "$1") >= $2 )); }
wait_log() {
    local pattern=$1 seconds=${2:-30} count=${3:-1}
    wait_until "$seconds" has_log_count "$pattern" "$count" || fail "timed out waiting for /$pattern/ (x$count) in the log"
}

# Gone: no such process, or a zombie (dead, waiting for a parent that may never reap it, like a
# container's PID 1).
is_gone() {
    kill -0 "$1" 2>/dev/null || return 0
    [[ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" == Z ]]
}
wait_gone() { wait_until "${2:-10}" is_gone "$1"; }

# start_hotswap ARGS...: runs hotswap in the background in $WORK/project (or the current dir), logging, with
# its events in $EVENTS. ARGS that name an --events file of their own (also a nested hotswap's, after `--`)
# are run as they are, and that file is not emptied.
start_hotswap() {
    : >"$LOG"  # emptied now, not by the background job: a wait_log right after must not read the last run
    local events=(--events "$EVENTS") arg
    for arg in "$@"; do [[ $arg == --events || $arg == --events=* ]] && events=(); done
    ((${#events[@]} == 0)) || : >"$EVENTS"  # likewise: a wait_event must not count the last run's events
    "${WITH_TEST[@]}" "$HOTSWAP" "${events[@]}" "$@" >>"$LOG" 2>&1 &
    HS_PID=$!
}

# Lifecycle events: count_events NAME [FILTER] counts lines of event NAME (holding FILTER too, an extended
# regex: '"generation":2', '"ok":false').
count_events() { grep -E "\"event\":\"$1\"" "$EVENTS" 2>/dev/null | grep -cE -- "${2:-.}" || true; }
has_events() { (($(count_events "$1" "${3:-.}") >= $2)); }
# wait_event NAME [COUNT] [FILTER] [SECONDS]: until COUNT events NAME (holding FILTER) were written.
wait_event() {
    wait_until "${4:-30}" has_events "$1" "${2:-1}" "${3:-.}" ||
        fail "no $1 event (x${2:-1}, /${3:-.}/) in $(cat "$EVENTS" 2>/dev/null)"
}
# The names of the events so far, space-separated.
event_names() { grep -oE '"event":"[a-z_]+"' "$EVENTS" 2>/dev/null | cut -d'"' -f4 | paste -sd' '; }

# stop_hotswap [SIGNAL]: signals hotswap and returns its exit status.
stop_hotswap() {
    kill -"${1:-TERM}" "$HS_PID"
    local status=0
    wait "$HS_PID" || status=$?
    HS_PID=""
    return $status
}

http_get() { curl -sS --max-time 5 "$1"; }
body_is() { [[ "$(http_get "$1" 2>/dev/null)" == "$2" ]]; }
body_has() { [[ "$(http_get "$1" 2>/dev/null)" == *"$2"* ]]; }

# A TCP port nobody listens on now.
# shellcheck source=../../../scripts/lib/free_port.sh
source "$HOTSWAP_SOURCE_DIR/scripts/lib/free_port.sh"

# Processes whose command line holds STRING (ours only), excluding this shell and grep.
pids_matching() { pgrep -f -- "$1" || true; }

# Load: start_load PORT [CONNECTIONS [LOADGEN ARGS...]] keeps keep-alive requests going (tests/fixtures/loadgen.cpp;
# its arguments such as --path /slow or --post-bytes N follow);
# mark_load tells it that the server is being stopped on purpose from now on (failures of requests begun
# later are counted apart); stop_load ends it and sets LOAD_LINE, LOAD_OK, LOAD_FAILED and LOAD_AFTER_MARK.
start_load() {
    : "${LOADGEN:?run through ctest, or set LOADGEN}"
    LOAD_OUT=$(mktemp "$WORK/load.XXXXXX")
    "${WITH_TEST[@]}" "$LOADGEN" --port "$1" --connections "${2:-4}" "${@:3}" > "$LOAD_OUT" &
    LOAD_PID=$!
    # Under way once a request has succeeded, so a test never measures a load that had not begun.
    wait_until 10 grep -q answered "$LOAD_OUT" || fail "the load generator got no answer: $(cat "$LOAD_OUT")"
}
mark_load() {
    kill -USR1 "$LOAD_PID"
    wait_until 10 grep -q marked "$LOAD_OUT" || fail "the load generator did not take the mark"
}
stop_load() {
    kill -INT "$LOAD_PID"
    wait "$LOAD_PID" || true
    LOAD_PID=""
    LOAD_LINE=$(tail -n 1 "$LOAD_OUT")
    [[ $LOAD_LINE =~ ^ok=([0-9]+)\ failed=([0-9]+).*after_mark=([0-9]+) ]] || fail "unexpected load generator output: $LOAD_LINE"
    LOAD_OK=${BASH_REMATCH[1]} LOAD_FAILED=${BASH_REMATCH[2]} LOAD_AFTER_MARK=${BASH_REMATCH[3]}
}
# expect_no_failed_requests WHAT: stops the load and fails the test unless every request succeeded.
expect_no_failed_requests() {
    stop_load
    ((LOAD_OK > 0)) || fail "$1: no request succeeded ($LOAD_LINE)"
    ((LOAD_FAILED == 0)) || fail "$1: $LOAD_FAILED requests failed ($LOAD_LINE)"
}

# Pids of this test's processes still running (see TAG).
tagged_pids() { pgrep -f -- "--tag $TAG" || true; }
no_tagged_process() { [[ -z $(tagged_pids) ]]; }
# expect_no_leftovers WHAT: every process this test started is gone (generous deadline: SIGKILL is quick).
expect_no_leftovers() {
    wait_until 5 no_tagged_process || fail "$1: processes left running: $(ps -o pid=,args= -p "$(tagged_pids | paste -sd,)")"
}
