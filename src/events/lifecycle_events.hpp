#pragma once
// The supervisor's lifecycle events, one struct per kind, each emitted once where its step happens. The
// JSON event stream (--events), the systemd notifier and anything else that wants to know subscribe to
// them (control/); none of them matches on names or picks fields out of a map. Its own part, below ui/ and
// supervise/, so that the console can read the events without depending on the supervisor.
// docs/operations.md lists each event's JSON fields, which come from event_fields() below and are the same
// for every emission of a kind.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace hotswap::event {

// Sources changed (run) or the deployed binary was replaced (serve).
struct Change {
    size_t paths = 0;
    std::string first;  // the first path, or the artifact as shown
};
struct BuildStart {
    std::string reason;  // start | change | request
};
struct BuildEnd {
    bool ok = false;
    int64_t duration_ms = 0;
    std::string reason;    // why it failed ("" when ok)
    std::string artifact;  // the artifact it became ("" without a store, or when it failed)
};
// A binary refused by the checks (serve, --verify-key).
struct Refused {
    std::string artifact;
    std::string reason;
};
struct Spawn {
    int generation = 0;
    pid_t pid = 0;
    std::string artifact;
    std::string reason;  // build | reload | restart | rollback | requested-rollback
};
struct Ready {
    int generation = 0;
    pid_t pid = 0;
    int64_t ready_ms = 0;
};
struct Switch {
    int generation = 0;
    pid_t pid = 0;
    std::string artifact;
    int previous = 0;  // the generation that drains now (0: none)
    int64_t build_ms = 0;
    int64_t ready_ms = 0;
    int64_t total_ms = 0;
};
struct Drain {
    int generation = 0;
    pid_t pid = 0;
    std::string artifact;
    std::string signal;
    int64_t drain_timeout_ms = 0;
};
struct Kill {
    int generation = 0;
    pid_t pid = 0;
    std::string reason;
};
// A generation left: it exited (status and action set), or it failed before it ran or before it was
// ready (reason set; `state` is "starting" then).
struct Exit {
    int generation = 0;
    pid_t pid = 0;  // 0: it never ran
    std::string artifact;
    std::string state;   // the state it was in
    std::string status;  // "exit status 3", "killed by SIGSEGV"; "" while it has not exited
    std::string reason;  // why it failed to start; "" for an exit
    int64_t uptime_ms = 0;
    std::string action;  // what hotswap does about it (lifecycle.hpp's ExitAction); "" for a failed start
    bool failed_start() const { return state == "starting"; }
};
struct Rollback {
    int generation = 0;  // the one that failed (0: a requested rollback)
    std::string from;
    std::string to;
    std::string reason;  // why, or "requested"
};
struct Restart {
    int generation = 0;
    std::string artifact;
    int64_t delay_ms = 0;
    int attempt = 0;
    std::string reason;
};
struct Leftovers {
    std::vector<pid_t> pids;
};
struct ReloadStart {
    std::string trigger;  // change | artifact | reload | sighup | key | rollback
    std::string action;   // reload | rollback
};
struct ReloadEnd {
    bool ok = false;
    std::string message;
    int generation = 0;  // what serves afterwards (0: nothing)
    std::string trigger;
    int64_t duration_ms = 0;
};

}  // namespace hotswap::event

namespace hotswap {

using Event = std::variant<event::Change, event::BuildStart, event::BuildEnd, event::Refused, event::Spawn,
                           event::Ready, event::Switch, event::Drain, event::Kill, event::Exit, event::Rollback,
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
