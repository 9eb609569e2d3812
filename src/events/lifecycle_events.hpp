#pragma once
// The supervisor's lifecycle events, one struct per kind, each emitted once where its step happens. The
// console (ui/), the JSON event stream (--events) and the systemd notifier (control/) subscribe to them;
// none of them matches on names or picks fields out of a map. Its own part, below ui/ and supervise/, so
// that the console can read the events without depending on the supervisor. docs/operations.md lists
// each event's JSON fields, which come from event_fields() below and are the same for every emission of a kind.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace hotswap::event {

// Every field has a default (strings and lists `{}`), so an emitter names only what it knows, by designated
// initializer. The console (ui/lifecycle_lines) prints each event as the line a person reads, so an event
// carries the facts of that line too: what still serves, the output's last lines, the words of a failure.

// Sources changed (run) or the deployed binary was replaced (serve).
struct Change {
    size_t paths = 0;
    std::string first{};  // the first path, or the artifact as shown
    bool binary = false;  // serve: the deployed binary was replaced (`first` names it)
};
struct BuildStart {
    std::string reason{};   // start | change | request
    std::string command{};  // the build command
};
struct BuildEnd {
    bool ok = false;
    int64_t duration_ms = 0;
    std::string reason{};    // why it failed ("" when ok)
    std::string artifact{};  // the artifact it became ("" without a store, or when it failed)
    // When it failed:
    bool refused = false;            // the build ran, but its output was not taken (a `refused` event said why)
    int still_serving = 0;           // the generation that still serves (0: none)
    std::vector<std::string> tail{};  // the build's last lines of output
};
// A binary was not taken: refused by the checks (serve, --verify-key), or the build's output could not be
// kept.
struct Refused {
    std::string artifact{};
    std::string reason{};
    int still_serving = 0;  // the generation that still serves (0: none)
    bool at_start = false;  // serve's first binary: hotswap cannot start, and exits with the reason as its error
};
struct Spawn {
    int generation = 0;
    pid_t pid = 0;
    std::string artifact{};
    std::string reason{};  // build | reload | restart | rollback | requested-rollback
};
struct Ready {
    int generation = 0;
    pid_t pid = 0;
    int64_t ready_ms = 0;
};
struct Switch {
    int generation = 0;
    pid_t pid = 0;
    std::string artifact{};
    int previous = 0;  // the generation that drains now (0: none)
    int64_t build_ms = 0;
    int64_t ready_ms = 0;
    int64_t total_ms = 0;
    std::string reason{};  // why it was started, as in Spawn
    std::string mode{};    // fd | proxy | restart (restart: the previous one was stopped before it started)
};
struct Drain {
    int generation = 0;
    pid_t pid = 0;
    std::string artifact{};
    std::string signal{};
    int64_t drain_timeout_ms = 0;
    std::string reason{};  // replaced | superseded (a newer build came before it was ready) | not-ready | shutdown
};
// The HTTP front is done with a draining generation: its requests through the front ended (or the drain
// timeout cut off what was left) and its idle upstream connections are closed; its stop signal comes next.
struct FrontDrained {
    int generation = 0;
    uint64_t requests = 0;           // requests it got through the front in its life
    uint64_t status_5xx = 0;         // of those, answered 5xx by the app
    uint64_t upstream_failures = 0;  // no answer from it (connect, reset)
    uint64_t retries = 0;            // requests sent to it again after a failure
    uint64_t abandoned = 0;          // ended by the client (or the cut-off) before an answer
    uint64_t in_flight = 0;          // still on it at the end: cut off by the drain timeout
    bool timed_out = false;
    int64_t waited_ms = 0;           // from the drain's start
};
// Before the switch (issue "gradual shift"): the check command ran against the new generation alone.
struct Check {
    int generation = 0;
    bool ok = false;
    std::string command{};
    std::string status{};     // "exit 0", "exit 3", "killed by SIGKILL", "timed out after 60 s"
    int64_t duration_ms = 0;
    std::vector<std::string> tail{};  // the last lines of its output
    int still_serving = 0;
};
// Before the switch: the last distinct GET/HEAD requests of live traffic were replayed against it.
struct Shadow {
    int generation = 0;
    size_t replayed = 0;
    size_t regressions = 0;
    bool blocked = false;  // a regression kept the switch from happening
    std::string summary{};  // "40 requests replayed: 39 answered as before or better, 1 regression"
    std::vector<std::string> regressed{};  // each regression, as summary words them
};
// A step of a gradual shift began: the new generation gets `weight` percent of new requests.
struct ShiftStep {
    int generation = 0;
    int previous = 0;
    size_t step = 0;  // 1-based
    size_t steps = 0;
    unsigned weight = 0;
};
// The analysis decided: a step is over (next) or the shift is off (abort), with its figures.
struct ShiftAnalysis {
    int generation = 0;
    int previous = 0;
    size_t step = 0;
    unsigned weight = 0;
    std::string decision{};  // next | abort
    std::string reason{};
    uint64_t step_requests_new = 0, step_requests_old = 0;  // ended during the step, on each side
    int64_t step_ms = 0;
    uint64_t window_requests_new = 0, window_errors_new = 0, window_requests_old = 0, window_errors_old = 0;
    double p99_ms_new = 0, p99_ms_old = 0;
};
// The shift is over: the new generation takes everything (ok, the switch follows) or was aborted.
struct ShiftEnd {
    int generation = 0;
    int previous = 0;
    bool ok = false;
    std::string reason{};
    int64_t duration_ms = 0;
    uint64_t requests = 0;  // ended on the new generation during the shift
    uint64_t errors = 0;    // of those, 5xx or no answer
};
struct Kill {
    int generation = 0;
    pid_t pid = 0;
    std::string reason{};
    std::string stop_signal{};  // what it did not stop on within the drain timeout
    int64_t drain_timeout_ms = 0;
};
// A generation left: it exited (status and action set), or it failed before it ran or before it was
// ready (reason set; `state` is "starting" then).
struct Exit {
    int generation = 0;
    pid_t pid = 0;  // 0: it never ran
    std::string artifact{};
    std::string state{};   // the state it was in
    std::string status{};  // "exit status 3", "killed by SIGSEGV"; "" while it has not exited
    std::string reason{};  // why it failed to start; "" for an exit
    int64_t uptime_ms = 0;
    std::string action{};  // what hotswap does about it (lifecycle.hpp's ExitAction); "" for a failed start
    // A failed start (before it ran, before it was ready, or not ready in time) in one sentence, as it is
    // reported; "" for any other exit.
    std::string message{};
    std::vector<std::string> tail{};  // with `message`: its last lines of output
    int still_serving = 0;            // the generation serving now (0: none)
    int successor = 0;                // a newer generation on its way in, which takes over (0: none)
    bool is_crash = false;            // not exit status 0 (a signal, or another status)
    bool is_server = false;           // a server (it listens, reports readiness, or restarts on a crash)
    std::optional<int64_t> stop_ms{};  // how long after the stop signal it exited (none: it was not stopped)
    bool failed_start() const { return state == "starting"; }
};
struct Rollback {
    int generation = 0;  // the one that failed (0: a requested rollback)
    std::string from{};
    std::string to{};
    std::string reason{};  // why, or "requested"
};
struct Restart {
    int generation = 0;
    std::string artifact{};
    int64_t delay_ms = 0;
    int attempt = 0;
    std::string reason{};
    int64_t uptime_ms = 0;      // how long the crashed generation ran
    std::string last_output{};  // the crashed generation's last line of output
};
struct Leftovers {
    std::vector<pid_t> pids{};
};
struct ReloadStart {
    std::string trigger{};  // change | artifact | reload | sighup | key | rollback
    std::string action{};   // reload | rollback
};
struct ReloadEnd {
    bool ok = false;
    std::string message{};
    int generation = 0;  // what serves afterwards (0: nothing)
    std::string trigger{};
    int64_t duration_ms = 0;
    std::string artifact{};    // the build `generation` runs
    int64_t probation_ms = 0;  // the attempt ended when `generation` passed this probation (0: it did not wait for one)
};

}  // namespace hotswap::event

namespace hotswap {

using Event = std::variant<event::Change, event::BuildStart, event::BuildEnd, event::Refused, event::Spawn,
                           event::Ready, event::Check, event::Shadow, event::ShiftStep, event::ShiftAnalysis,
                           event::ShiftEnd, event::Switch, event::Drain, event::FrontDrained, event::Kill, event::Exit, event::Rollback,
                           event::Restart, event::Leftovers, event::ReloadStart, event::ReloadEnd>;

// "build_end", as the event stream names it.
std::string_view event_name(const Event& event);
// The event's own fields (the stream adds seq, time and event).
nlohmann::json event_fields(const Event& event);

using EventSink = std::function<void(const Event& event)>;

inline void emit_event(const EventSink& sink, const Event& event) {
    if (sink) sink(event);
}

}  // namespace hotswap
