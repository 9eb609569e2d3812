#pragma once
// The rules of DESIGN.md §3 as pure functions, apart from processes and the event loop so each rule can be
// tested alone: how a generation's state moves, and what the supervisor does when a generation exits.

#include <optional>

#include "core/duration.hpp"
#include "supervise/generation_state.hpp"

namespace hotswap {

// What happened to a generation.
enum class GenerationEvent {
    ProbeReady,     // its readiness probe succeeded
    Switch,         // it takes over: the previous serving generation is told to stop
    ReadyTimeout,   // no readiness within ready_timeout
    Superseded,     // a newer build arrived before it was ready
    Refused,        // ready, but the check, the shadow replay or the shift turned it down
    Stop,           // hotswap stops it (a newer generation serves, or hotswap shuts down)
    Exited,         // its leader exited and was reaped
};
const char* to_string(GenerationEvent event);

// The state after `event`, or nullopt when the event cannot happen in `state` (the supervisor ignores it:
// e.g. a ready report that arrives after the generation already failed).
std::optional<GenerationState> next_state(GenerationState state, GenerationEvent event);

// Why a generation is restarted after a crash, and whether it runs under probation.
enum class LaunchReason { Build, Reload, Restart, Rollback, RequestedRollback };
const char* to_string(LaunchReason reason);

// Everything the exit rules look at.
struct ExitFacts {
    GenerationState state = GenerationState::Starting;  // the state the generation was in when it exited
    bool shutting_down = false;
    bool is_server = false;             // a listener or readiness is configured, or --restart on-crash
    bool restart_on_crash = false;      // the restart policy allows restarting a server that crashed
    bool crashed = false;               // exit status != 0 or killed by a signal
    bool within_probation = false;      // exited less than `probation` after its switch
    bool was_automatic_rollback = false;  // it was itself a rollback: never roll back from a rollback
    bool rollback_target = false;       // a good artifact other than this one exists
};

enum class ExitAction {
    None,               // expected: it was being stopped (drained, superseded, shutting down)
    ReportFailedStart,  // exited before it was ready: the previous generation keeps serving
    Rollback,           // died during probation: mark its artifact bad, start the last good one
    Restart,            // a serving server crashed: start the same artifact again after a backoff delay
    ReportAndWait,      // a plain command ended (or a server exited cleanly): say so, run again at the next change
};
const char* to_string(ExitAction action);

ExitAction decide_exit(const ExitFacts& facts);

}  // namespace hotswap
