#pragma once
// Generation: one running build of the app, with its process group, its output and its place in the
// state machine of DESIGN.md §3.

#include <deque>
#include <memory>
#include <string>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "proc/output_reader.hpp"
#include "proc/process.hpp"

namespace hotswap {

class ReadinessProbe;

enum class GenerationState { Starting, Ready, Serving, Draining, Gone, Failed };
const char* to_string(GenerationState state);

struct Generation {
    int id = 0;
    GenerationState state = GenerationState::Starting;
    Process process;
    std::unique_ptr<OutputReader> output;
    std::unique_ptr<ReadinessProbe> probe;
    std::deque<std::string> tail;  // last lines of output, shown when it fails
    std::string artifact;          // what it runs
    Clock::time_point spawned_at{};
    Clock::time_point ready_at{};
    Clock::time_point stop_requested_at{};
    EventLoop::TimerId ready_timer = 0;
    EventLoop::TimerId kill_timer = 0;
    int exit_status = -1;  // wait status once reaped

    ~Generation();
    void remember(std::string_view line);
    std::string label() const;  // "app#3"
};

}  // namespace hotswap
