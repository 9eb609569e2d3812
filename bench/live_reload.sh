#!/usr/bin/env bash
# Live-reload benchmark (the front's live reload, in a real browser): examples/hello-web (a Go server,
# `go build`) behind hotswap's HTTP front, its page open in a headless Chromium (tests/e2e/lib/browser.py),
# ROUNDS saves of each case, the time taken from the page itself (bench/live_reload.py):
#   - the baseline: the page's own reload with nothing changed (location.reload(), as the live-reload
#     script calls it, through the front): reload → DOMContentLoaded end, the browser's part of a source
#     round;
#   - a source change (version.go gets the next version): save → the new version's page is in the
#     browser's DOM (the page reloads itself once the new version serves: a new document, its
#     DOMContentLoaded end), against build + start of the same round (the build_end event's duration_ms +
#     the ready event's ready_ms of the new generation); also save → the switch event. Target: save →
#     visible ≤ build + start + 50 ms (the median of the rounds' overheads);
#   - a stylesheet-only change (h1's colour in static/style.css): no build, the page swaps the stylesheet
#     in place (no navigation): save → the computed colour in the page is the new one. Target ≤ 50 ms.
# The watcher's settle window is part of every figure. Its adaptive strategy (the default) waits only 10 ms
# after a lone file written whole, as these saves are, and --debounce (50 ms by default) after anything
# else; the stylesheet rounds run again under `--debounce 10` (hotswap restarted), and under
# HOTSWAP_DEBOUNCE=trailing (the whole 50 ms after every save), so both ends show.
# Medians are printed. A stylesheet change that builds, or that makes the page navigate, fails the run.
#
# Run by `bench/run.sh live_reload`, which sets HOTSWAP (a Release build). Needs go and chromium
# (scripts/install-deps.sh --bench) and python3. KEEP_WORK=1 keeps the logs.
set -euo pipefail
: "${HOTSWAP:?set HOTSWAP to a Release hotswap binary (bench/run.sh does)}"
for tool in go chromium python3 setpriv; do
    command -v "$tool" >/dev/null || { echo "live_reload.sh: $tool is needed (scripts/install-deps.sh --bench)" >&2; exit 1; }
done
ROUNDS=${ROUNDS:-10}
export NO_COLOR=1
root=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/hotswap-bench-live-reload.XXXXXX")
hs_pid=""
py_pid=""
cleanup() {
    if [[ -n $py_pid ]]; then kill -TERM "$py_pid" 2>/dev/null || true; wait "$py_pid" 2>/dev/null || true; fi
    if [[ -n $hs_pid ]]; then kill -TERM "$hs_pid" 2>/dev/null || true; wait "$hs_pid" 2>/dev/null || true; fi
    if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "live_reload.sh: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# shellcheck source=../scripts/lib/free_port.sh
source "$root/scripts/lib/free_port.sh"
# wait_for FILE REGEX SECONDS: until a line of FILE matches REGEX.
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -qsE -- "$2" "$1"; do
        ((SECONDS < deadline)) || { echo "live_reload.sh: no /$2/ in $1 within $3 s" >&2; return 1; }
        [[ -z $hs_pid ]] || kill -0 "$hs_pid" 2>/dev/null || { echo "live_reload.sh: hotswap exited" >&2; return 1; }
        sleep 0.02
    done
}

# The example, copied; its hotswap.toml watches it, builds with `go build` and serves it behind the front.
# The build is offline, its cache in the work folder (outside the watched tree), warmed by the first build.
project=$work/project
cp -r "$root/examples/hello-web" "$project"
rm -f "$project/server"
export GOFLAGS=-buildvcs=false GOPROXY=off GOCACHE=$work/go-cache
export TMPDIR=$work  # the browser's profile, so that nothing outlives the work folder
cd "$project"

pass=0
# start_hotswap ARGS...: hotswap on a free port, until its generation 1 serves; sets port and events.
start_hotswap() {
    pass=$((pass + 1))
    port=$(free_port)
    events=$work/events.$pass.jsonl
    setpriv --pdeathsig KILL "$HOTSWAP" --events "$events" --proxy "127.0.0.1:$port" "$@" \
        </dev/null >"$work/hotswap.$pass.log" 2>&1 &
    hs_pid=$!
    wait_for "$events" '"event":"switch".*"generation":1,' 120 ||
        { tail -n 20 "$work/hotswap.$pass.log" >&2; exit 1; }
}
stop_hotswap() {
    kill -TERM "$hs_pid"
    wait "$hs_pid" || true
    hs_pid=""
}
measure() {  # measure ARGS...: the browser's rounds against the hotswap running now
    # In the background, so that a signal to this script ends it at once (the browser dies with it).
    setpriv --pdeathsig KILL python3 -B "$root/bench/live_reload.py" measure --url "http://127.0.0.1:$port/" \
        --project "$project" --events "$events" --rounds "$ROUNDS" "$@" &
    py_pid=$!
    wait "$py_pid" || { echo "live_reload.sh: hotswap's log:" >&2; tail -n 20 "$work/hotswap.$pass.log" >&2; exit 1; }
    py_pid=""
}

start_hotswap
measure --cases idle,source,css --out "$work/pass1.json"
stop_hotswap

start_hotswap --debounce 10
measure --cases css --tag 1 --debounce 10 --out "$work/pass2.json"
stop_hotswap

# The debounce strategy's seam (src/supervise/source_watch.cpp): every save waits the whole window.
HOTSWAP_DEBOUNCE=trailing start_hotswap
measure --cases css --tag 2 --debounce "50 with HOTSWAP_DEBOUNCE=trailing (the whole window after every save)" \
    --out "$work/pass3.json"
stop_hotswap

python3 -B "$root/bench/live_reload.py" report --rounds "$ROUNDS" --go "$(go env GOVERSION)" \
    "$work/pass1.json" "$work/pass2.json" "$work/pass3.json"
