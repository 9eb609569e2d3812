#include "supervise/lifecycle.hpp"

namespace hotswap {

const char* to_string(GenerationState state) {
    switch (state) {
        case GenerationState::Starting: return "starting";
        case GenerationState::Ready: return "ready";
        case GenerationState::Serving: return "serving";
        case GenerationState::Draining: return "draining";
        case GenerationState::Failed: return "failed";
        case GenerationState::Gone: return "gone";
    }
    return "unknown";
}

const char* to_string(GenerationEvent event) {
    switch (event) {
        case GenerationEvent::ProbeReady: return "probe-ready";
        case GenerationEvent::Switch: return "switch";
        case GenerationEvent::ReadyTimeout: return "ready-timeout";
        case GenerationEvent::Superseded: return "superseded";
        case GenerationEvent::Refused: return "refused";
        case GenerationEvent::Stop: return "stop";
        case GenerationEvent::Exited: return "exited";
    }
    return "unknown";
}

const char* to_string(LaunchReason reason) {
    switch (reason) {
        case LaunchReason::Build: return "build";
        case LaunchReason::Reload: return "reload";
        case LaunchReason::Restart: return "restart";
        case LaunchReason::Rollback: return "rollback";
        case LaunchReason::RequestedRollback: return "requested-rollback";
    }
    return "unknown";
}

const char* to_string(ExitAction action) {
    switch (action) {
        case ExitAction::None: return "none";
        case ExitAction::ReportFailedStart: return "report-failed-start";
        case ExitAction::Rollback: return "rollback";
        case ExitAction::Restart: return "restart";
        case ExitAction::ReportAndWait: return "report-and-wait";
    }
    return "unknown";
}

std::optional<GenerationState> next_state(GenerationState state, GenerationEvent event) {
    using S = GenerationState;
    using E = GenerationEvent;
    switch (state) {
        case S::Starting:
            if (event == E::ProbeReady) return S::Ready;
            // Restart mode has no overlap to protect: a generation serves as soon as it runs.
            if (event == E::Switch) return S::Serving;
            if (event == E::ReadyTimeout || event == E::Superseded || event == E::Exited) return S::Failed;
            if (event == E::Stop) return S::Draining;
            return std::nullopt;
        case S::Ready:
            if (event == E::Switch) return S::Serving;
            if (event == E::Superseded || event == E::Refused || event == E::Exited) return S::Failed;
            if (event == E::Stop) return S::Draining;
            return std::nullopt;
        case S::Serving:
            if (event == E::Stop) return S::Draining;
            if (event == E::Exited) return S::Gone;
            return std::nullopt;
        case S::Draining:
        case S::Failed:
            if (event == E::Exited) return S::Gone;
            return std::nullopt;
        case S::Gone:
            return std::nullopt;
    }
    return std::nullopt;
}

ExitAction decide_exit(const ExitFacts& f) {
    if (f.shutting_down) return ExitAction::None;
    switch (f.state) {
        case GenerationState::Starting:
        case GenerationState::Ready:
            return ExitAction::ReportFailedStart;
        case GenerationState::Draining:
        case GenerationState::Failed:
        case GenerationState::Gone:
            return ExitAction::None;  // hotswap asked it to stop
        case GenerationState::Serving:
            break;
    }
    // A plain command (a test runner, a linter) ending is its job, not a fault.
    if (!f.is_server) return ExitAction::ReportAndWait;
    // A new build that dies soon after taking over is a bad build: go back to the last one that worked.
    if (f.within_probation && f.rollback_target && !f.was_automatic_rollback) return ExitAction::Rollback;
    if (f.crashed && f.restart_on_crash) return ExitAction::Restart;
    // Inside probation with nothing to roll back to, a clean exit still leaves nothing serving: restart.
    if (f.within_probation && f.restart_on_crash) return ExitAction::Restart;
    return ExitAction::ReportAndWait;
}

}  // namespace hotswap
