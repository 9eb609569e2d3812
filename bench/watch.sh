#!/usr/bin/env bash
# Watcher benchmark (issue: the watcher engine). On one generated tree of 100,000 files in 5,511
# directories, in one run:
#  1. setup: time from start until all watches are held (the tool's own "ready" line) and until a change
#     deep in the tree is seen, and peak RSS (VmHWM); median of RUNS runs, side by side with the baseline
#     `inotifywait -r -m`, and with reflex and entr when installed (they print no "ready" line: for them,
#     ready is when the kernel shows them holding every watch they will hold, in /proc/PID/fdinfo);
#  2. a burst rewriting 1,000 files across 50 directories in ~0.2 s: change sets and builds, per debounce
#     strategy (adaptive is the default; trailing and leading for comparison);
#  3. save -> build-start latency of a single in-place save, median and p90 of SAVES saves, per strategy,
#     and any second build a save caused;
#  4. idle wakeups per second (context switches while nothing changes) of hotswap and inotifywait.
# Targets: hotswap's time to a seen change <= 0.55x inotifywait's; peak RSS <= 6 MB; a burst is 1 build;
# 0 idle wakeups.
#
# Run by `bench/run.sh watch`, which sets HOTSWAP (a Release build).
set -euo pipefail
: "${HOTSWAP:?set HOTSWAP to a Release hotswap binary (bench/run.sh does)}"
RUNS=${RUNS:-7}
PEER_RUNS=${PEER_RUNS:-1}  # entr alone takes seconds and ~400 MB on this tree
SAVES=${SAVES:-20}
PARTS=${PARTS:-setup burst latency}  # a subset, to rerun one part
IDLE_SECONDS=${IDLE_SECONDS:-3}
export NO_COLOR=1

work=$(mktemp -d "${TMPDIR:-/tmp}/hotswap-bench-watch.XXXXXX")
tree=$work/tree
deep=$tree/d9/e9/f53/x17.c
tool_pid=""
tool_fd=""
cleanup() {
    stop_tool
    rm -rf "$work"
}
trap cleanup EXIT

# ---- helpers ----------------------------------------------------------------------------------------

# A pause without starting a process: read from a FIFO nobody writes to, with a timeout.
mkfifo "$work/never"
exec {never_fd}<>"$work/never"
pause() { read -r -t "$1" -u "$never_fd" _ || true; }

# start_tool DIR COMMAND...: runs COMMAND in DIR with its output (stdout and stderr) on $tool_fd.
start_tool() {
    local dir=$1
    shift
    exec {tool_fd}< <(cd "$dir" && exec "$@" 2>&1)
    tool_pid=$!
    : >"$work/tool.log"
}
# The last lines the tool printed, for a failure message.
tool_tail() { tail -n "${1:-12}" "$work/tool.log" | sed 's/^/      | /'; }
stop_tool() {
    if [[ -n $tool_pid ]]; then
        # Gone for sure before the next run starts (bash cannot always `wait` for a process substitution).
        kill -TERM "$tool_pid" 2>/dev/null || true
        local deadline=$((${EPOCHREALTIME/./} + 10000000))
        while kill -0 "$tool_pid" 2>/dev/null && ((${EPOCHREALTIME/./} < deadline)); do pause 0.01; done
        kill -KILL "$tool_pid" 2>/dev/null || true
        wait "$tool_pid" 2>/dev/null || true
    fi
    [[ -n $tool_fd ]] && exec {tool_fd}<&-
    tool_pid=""
    tool_fd=""
}

# wait_line REGEX SECONDS [TOUCH]: reads the tool's output until a line matches. Sets LINE and LINE_US
# (when it was read). With TOUCH, appends to that file every 10 ms while waiting.
wait_line() {
    local re=$1 deadline=$((${EPOCHREALTIME/./} + $2 * 1000000)) touch=${3:-} rc
    while ((${EPOCHREALTIME/./} < deadline)); do
        [[ -n $touch ]] && printf 'x' >>"$touch"
        rc=0
        IFS= read -r -t 0.01 -u "$tool_fd" LINE || rc=$?
        if ((rc == 0)); then
            printf '%s\n' "$LINE" >>"$work/tool.log"
            if [[ $LINE =~ $re ]]; then
                LINE_US=${EPOCHREALTIME/./}
                return 0
            fi
        elif ((rc <= 128)); then
            return 2  # the tool exited
        fi
    done
    return 1
}
# count_lines REGEX QUIET_SECONDS: counts matching lines until the tool is silent for QUIET_SECONDS.
count_lines() {
    local re=$1 n=0
    while IFS= read -r -t "$2" -u "$tool_fd" LINE; do
        printf '%s\n' "$LINE" >>"$work/tool.log"
        [[ $LINE =~ $re ]] && n=$((n + 1))
    done
    COUNT=$n
}

# wait_watches COUNT SECONDS: until the tool holds COUNT inotify watches (its fdinfo lists one per watch).
# Sets READY_US. The kernel formats one line per watch for each look, so 100,000 watches are looked at
# every 100 ms, not every 10 ms, to leave the tool its CPU.
wait_watches() {
    local want=$1 deadline=$((${EPOCHREALTIME/./} + $2 * 1000000)) fd="" n every=0.01
    ((want > 20000)) && every=0.1
    while ((${EPOCHREALTIME/./} < deadline)); do
        [[ -n $fd ]] || fd=$(find "/proc/$tool_pid/fd" -lname 'anon_inode:inotify' -printf '%f\n' 2>/dev/null | head -1)
        if [[ -n $fd ]]; then
            n=$(grep -c '^inotify wd' "/proc/$tool_pid/fdinfo/$fd" 2>/dev/null || true)
            if ((${n:-0} >= want)); then
                READY_US=${EPOCHREALTIME/./}
                return 0
            fi
        fi
        kill -0 "$tool_pid" 2>/dev/null || return 2
        pause "$every"
    done
    return 1
}

# Reads a field of /proc/PID/status (kB or counts) into VALUE.
status_field() {
    local key value rest
    VALUE=0
    while read -r key value rest; do
        if [[ $key == "$2:" ]]; then
            VALUE=$value
            return
        fi
    done <"/proc/$1/status"
}
switches() {
    status_field "$1" voluntary_ctxt_switches
    local v=$VALUE
    status_field "$1" nonvoluntary_ctxt_switches
    SWITCHES=$((v + VALUE))
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p90() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9+0.999); if (i<1) i=1; print a[i]}'; }
ms() { awk -v us="$1" 'BEGIN {printf "%.1f ms", us / 1000}'; }
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f MB", kb / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else print "-"}'; }

# ---- the tree ---------------------------------------------------------------------------------------

# 10 x 10 directories, each with 54 leaf directories of 18 files and 28 files of its own: 100,000 files
# in 5,511 directories (the root included), 4 levels deep.
started=${EPOCHREALTIME/./}
mkdir -p "$tree"/d{0..9}/e{0..9}/f{0..53}
for d in "$tree"/d*/e*; do
    (cd "$d" && touch m{0..27}.c f{0..53}/x{0..17}.c)
done
generated=$((${EPOCHREALTIME/./} - started))
tree_files=$(find "$tree" -type f | wc -l)
tree_dirs=$(find "$tree" -type d | wc -l)
echo "watch: tree of $tree_files files in $tree_dirs directories" \
    "(generated in $(ms "$generated"))"
find "$work/tree" -type f >"$work/files"  # entr's input, and a warm dentry cache for everyone
# The new tree's 100,000 inodes are written back over the next half minute otherwise, and a walk that
# meets the writeback measures the disk, not the watcher.
sync -f "$tree"
# Each hotswap run gets a directory of its own: its .hotswap/ state stays out of the tree, and a run never
# meets the previous one's control socket.
hs_dir() { mktemp -d "$work/hs.XXXXXX"; }

# ---- 1. setup time and peak RSS -----------------------------------------------------------------------
if [[ " $PARTS " == *" setup "* ]]; then

mkdir -p "$work/hs"
declare -A ready seen rss fails
tools=(inotifywait hotswap)
command -v reflex >/dev/null && tools+=(reflex)
command -v entr >/dev/null && tools+=(entr)

# measure TOOL: one run; appends to ready[TOOL], seen[TOOL], rss[TOOL] (space-separated samples).
measure() {
    local tool=$1 start ready_us="" rc=0
    LINE_US="" READY_US=""
    start=${EPOCHREALTIME/./}
    case $tool in
        hotswap)
            start_tool "$(hs_dir)" "$HOTSWAP" -w "$tree" -b 'echo built'
            wait_line 'watching [0-9]+ directories' 120 || rc=$?
            ready_us=${LINE_US:-}
            ((rc == 0)) && { printf 'x' >>"$deep"; wait_line 'changed: .*x17\.c' 30 || rc=$?; }
            ;;
        inotifywait)
            start_tool "$work" stdbuf -oL inotifywait -r -m -e modify,close_write,create,delete,move "$tree"
            wait_line 'Watches established' 120 || rc=$?
            ready_us=${LINE_US:-}
            ((rc == 0)) && { printf 'x' >>"$deep"; wait_line 'x17\.c' 30 || rc=$?; }
            ;;
        reflex)  # one watch per directory
            start_tool "$tree" reflex -r '\.c$' -- echo changed '{}'
            wait_watches "$tree_dirs" 120 || rc=$?
            ready_us=${READY_US:-}
            ((rc == 0)) && { printf 'x' >>"$deep"; wait_line 'changed .*x17\.c' 30 || rc=$?; }
            ;;
        entr)  # one watch per file
            start_tool "$work" sh -c 'exec entr -np echo changed /_ <"$1"' sh "$work/files"
            wait_watches "$tree_files" 120 || rc=$?
            ready_us=${READY_US:-}
            ((rc == 0)) && { printf 'x' >>"$deep"; wait_line 'changed .*x17\.c' 30 || rc=$?; }
            ;;
    esac
    if ((rc != 0)); then
        fails[$tool]="exit or timeout (rc $rc); its last lines:"$'\n'"$(tool_tail)"
        stop_tool
        return
    fi
    status_field "$tool_pid" VmHWM
    ready[$tool]+=" $(((${ready_us:-$LINE_US} - start)))"
    seen[$tool]+=" $((LINE_US - start))"
    rss[$tool]+=" $VALUE"
    if [[ ${measured_idle[$tool]:-} == "" && ($tool == hotswap || $tool == inotifywait) ]]; then
        pause 0.5  # the first build (hotswap) and the change's own aftermath
        switches "$tool_pid"
        local before=$SWITCHES
        pause "$IDLE_SECONDS"
        switches "$tool_pid"
        measured_idle[$tool]=$(awk -v n=$((SWITCHES - before)) -v s="$IDLE_SECONDS" 'BEGIN {printf "%.1f", n / s}')
    fi
    stop_tool
}
declare -A measured_idle
measure inotifywait  # warm-up, not counted
[[ -z ${fails[inotifywait]:-} ]] || echo "watch: the warm-up run of inotifywait failed: ${fails[inotifywait]}"
ready[inotifywait]="" seen[inotifywait]="" rss[inotifywait]="" fails[inotifywait]=""
unset 'measured_idle[inotifywait]'
for ((run = 1; run <= RUNS; run++)); do
    for tool in "${tools[@]}"; do
        [[ ($tool == reflex || $tool == entr) && $run -gt $PEER_RUNS ]] || measure "$tool"
    done
done

echo "watch: setup, median of $RUNS runs ($PEER_RUNS for reflex and entr). ready: all watches held (the tool's own"
echo "       line; for reflex and entr, its watch count in /proc/PID/fdinfo); seen: the deep file's change"
echo "       reported, from the start (hotswap reports it after its debounce window, reflex after its batch)"
printf '  %-12s %10s %10s %9s   %-22s %s\n' tool ready seen "peak RSS" "vs inotifywait (seen)" "(RSS)"
base_seen=$(median ${seen[inotifywait]:-0})
base_rss=$(median ${rss[inotifywait]:-0})
for tool in "${tools[@]}"; do
    if [[ -z ${seen[$tool]:-} ]]; then
        printf '  %-12s failed: %s\n' "$tool" "${fails[$tool]:-no run completed}"
        continue
    fi
    s=$(median ${seen[$tool]})
    r=$(median ${rss[$tool]})
    rd=$(ms "$(median ${ready[$tool]})")
    printf '  %-12s %10s %10s %9s   %-22s %s\n' "$tool" "$rd" "$(ms "$s")" "$(mb "$r")" "$(ratio "$s" "$base_seen")" \
        "$(ratio "$r" "$base_rss")"
done
hs_seen=$(median ${seen[hotswap]:-0})
hs_rss=$(median ${rss[hotswap]:-0})
verdict() { if awk -v a="$1" -v b="$2" 'BEGIN {exit !(a <= b)}'; then echo "met"; else echo "MISSED"; fi; }
echo "  targets: seen <= 0.55x inotifywait: $(ratio "$hs_seen" "$base_seen") $(verdict "$hs_seen" "$(awk -v b="$base_seen" 'BEGIN {print b * 0.55}')");" \
    "peak RSS <= 6 MB: $(mb "$hs_rss") $(verdict "$hs_rss" 6144)"
echo "watch: idle wakeups per second over ${IDLE_SECONDS} s: hotswap ${measured_idle[hotswap]:-?}," \
    "inotifywait ${measured_idle[inotifywait]:-?} (target 0)"
fi

# ---- 2. a burst of 1,000 files ------------------------------------------------------------------------
if [[ " $PARTS " == *" burst "* ]]; then

burst_dirs=("$tree"/d{0..4}/e{0..9})  # 50 directories, 20 files rewritten in each
echo "watch: burst rewriting 1000 files across ${#burst_dirs[@]} directories, paced to ~0.2 s (4 ms a directory)"
for strategy in adaptive trailing leading; do
    HOTSWAP_DEBOUNCE=$strategy start_tool "$(hs_dir)" "$HOTSWAP" -w "$tree" -b 'echo built'
    wait_line 'built in' 120 || { echo "  $strategy: hotswap did not start"; stop_tool; continue; }
    count_lines x 0.3
    started=${EPOCHREALTIME/./}
    k=0
    for d in "${burst_dirs[@]}"; do
        # Overwritten in place at a fixed length: truncating would make ext4 (mounted with discard here)
        # free blocks, which takes seconds, and the burst would measure the disk.
        for i in {0..19}; do printf '%-8s %02d\n' "$strategy" "$i" 1<>"$d/m$i.c"; done
        # Paced by spinning, not sleeping: a sleeping writer on a busy machine wakes up late, and the
        # gap would measure the scheduler, not the watcher.
        k=$((k + 1))
        while ((${EPOCHREALTIME/./} < started + k * 4000)); do :; done
    done
    took=$((${EPOCHREALTIME/./} - started))
    sets=0 builds=0
    while IFS= read -r -t 1.5 -u "$tool_fd" LINE; do
        [[ $LINE == *"changed: "* ]] && sets=$((sets + 1))
        [[ $LINE =~ build\ .*\ built$ ]] && builds=$((builds + 1))
    done
    stop_tool
    note=""
    [[ $strategy == adaptive ]] && note="  <- default; target: 1 build"
    printf '  %-9s burst took %s: %d change set(s), %d build(s)%s\n' "$strategy" "$(ms "$took")" "$sets" "$builds" "$note"
done
fi

# ---- 3. save -> build-start latency -------------------------------------------------------------------
if [[ " $PARTS " == *" latency "* ]]; then

target=$tree/d5/e5/m5.c
echo "watch: save -> build start (one file written in place and closed; the build prints its start time), $SAVES saves"
declare -A latency
for strategy in adaptive trailing leading; do
    HOTSWAP_DEBOUNCE=$strategy start_tool "$(hs_dir)" "$HOTSWAP" -w "$tree" -b 'date +%s%N'
    wait_line 'build .* [0-9]{19}$' 120 || { echo "  $strategy: hotswap did not start"; stop_tool; continue; }
    count_lines x 0.3
    samples=() extra=0 missed=0
    for ((i = 0; i < SAVES; i++)); do
        t0=${EPOCHREALTIME/./}
        printf 'v%04d\n' "$i" 1<>"$target"  # in place, no truncation (see the burst)
        if ! wait_line 'build .* [0-9]{19}$' 10; then
            echo "  $strategy: no build within 10 s of save $i; hotswap's last lines:"
            tool_tail
            missed=$((missed + 1))
            continue
        fi
        ns=${LINE##* }
        samples+=($((ns / 1000 - t0)))
        count_lines 'build .* [0-9]{19}$' 0.3  # a second build for the same save would show here
        extra=$((extra + COUNT))
    done
    stop_tool
    ((${#samples[@]} > 0)) || continue
    latency[$strategy]=$(median "${samples[@]}")
    printf '  %-9s median %s, p90 %s, extra builds %d%s\n' "$strategy" "$(ms "${latency[$strategy]}")" \
        "$(ms "$(p90 "${samples[@]}")")" "$extra" "$( ((missed == 0)) || echo ", NO BUILD for $missed save(s)")"
done
if [[ -n ${latency[adaptive]:-} && -n ${latency[trailing]:-} ]]; then
    echo "  adaptive vs trailing: $(ratio "${latency[adaptive]}" "${latency[trailing]}")" \
        "(leading: $(ms "${latency[leading]:-0}"), but a burst is then 2 builds)"
fi
fi
