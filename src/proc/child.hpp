#pragma once
// Child: one process that hotswap started and watches on the event loop — the build and every generation
// (the real ChildProcess of child_process.hpp). It owns the Process (its group), the output pipe and reader, the last lines of output, the exit watch and
// the stop and timeout timers, so each owner wires none of that itself. Held by unique_ptr: the callbacks
// it registers on the loop point at it.

#include <sys/types.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "proc/child_process.hpp"
#include "proc/output_reader.hpp"
#include "proc/process.hpp"

namespace hotswap {

class Child final : public ChildProcess {
public:
    // Spawns `spec` with stdout and stderr on a pipe of its own (spec.output_fd is replaced). An error
    // means nothing runs: exec failures come back here, as from Process::spawn.
    static Result<std::unique_ptr<Child>> spawn(EventLoop& loop, SpawnSpec spec, size_t tail_lines, Callbacks callbacks);

    // Stops watching it; the Process kills whatever of its group is still there.
    ~Child() override;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const override { return pid_; }
    bool running() const override { return process_.running(); }
    std::vector<std::string> tail() const override { return {tail_.begin(), tail_.end()}; }
    const Result<void>& exit_watch() const override { return exit_watch_; }
    void stop(int signo, Duration grace, std::function<void()> before_kill) override;
    void signal_group(int signo) override;
    // A stop's SIGKILL is still to come.
    bool kill_pending() const { return kill_timer_.armed(); }
    // Calls `on_timeout` once `limit` from now, unless the child exited first.
    void set_timeout(Duration limit, std::function<void()> on_timeout);

private:
    Child(EventLoop& loop, size_t tail_lines, Callbacks callbacks);
    void on_line(std::string_view line);
    void on_reaped(int wait_status);

    EventLoop& loop_;
    size_t tail_lines_;
    Callbacks callbacks_;
    Process process_;
    pid_t pid_ = -1;
    std::unique_ptr<OutputReader> output_;
    std::deque<std::string> tail_;
    Result<void> exit_watch_;
    std::function<void()> before_kill_;
    EventLoop::Timer kill_timer_;
    EventLoop::Timer timeout_timer_;
};

}  // namespace hotswap
