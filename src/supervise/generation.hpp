#pragma once
// Generation: one running build of the app, with its process group, its output and its place in the
// state machine of DESIGN.md §3 (supervise/lifecycle.hpp holds the rules).

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "net/listener.hpp"
#include "proc/child_process.hpp"
#include "supervise/generation_state.hpp"
#include "supervise/lifecycle.hpp"

namespace hotswap {

class ReadinessProbe;

// What a generation runs: an artifact from the store (id and read-only copy), or the command as configured.
struct LaunchTarget {
    std::string artifact_id;          // empty: no artifact store (the command runs as written)
    std::filesystem::path artifact_path;
    LaunchReason reason = LaunchReason::Build;
};

struct Generation {
    int id = 0;
    GenerationState state = GenerationState::Starting;
    LaunchTarget launch;
    std::unique_ptr<ChildProcess> child;  // its process group, output and stop timer; null until it was spawned
    std::unique_ptr<ReadinessProbe> probe;
    Clock::time_point spawned_at{};
    Clock::time_point ready_at{};
    Clock::time_point serving_since{};
    Clock::time_point stop_requested_at{};
    EventLoop::Timer ready_timer;
    EventLoop::Timer probation_timer;
    bool on_probation = false;  // switched in, probation not over yet
    bool favored = false;       // given the shortest time slice while a reload runs (time_slice.hpp)
    uint16_t private_port = 0;  // proxy mode: the loopback port it is told to bind ($PORT); 0: none
    // proxy mode with app_socket fd: the socket on that port, bound by hotswap and passed at fd 3; hotswap's
    // copy is closed once the generation runs, so a crashed generation's port refuses instead of queueing.
    std::optional<Listener> private_listener;

    // The last lines of output a generation keeps, to show when it fails.
    static constexpr size_t kTailLines = 20;

    ~Generation();
    pid_t pid() const { return child ? child->pid() : 0; }
    bool running() const { return child && child->running(); }
    std::vector<std::string> tail() const { return child ? child->tail() : std::vector<std::string>{}; }
    std::string label() const;  // "app#3"
    // The artifact's id, or "-" without an artifact store.
    std::string artifact_label() const { return launch.artifact_id.empty() ? "-" : launch.artifact_id; }
    bool stop_requested() const { return stop_requested_at != Clock::time_point{}; }
};

}  // namespace hotswap
