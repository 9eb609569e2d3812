#pragma once
// ChildProcess: what the owner of a running generation sees of its process: pid, liveness, the last lines
// of output, and a stop of the whole group. Child (child.hpp) is the real one; a unit test hands the
// supervisor a fake that runs nothing, so the state machine can be driven without processes.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.hpp"
#include "core/result.hpp"

namespace hotswap {

class EventLoop;
struct SpawnSpec;

class ChildProcess {
public:
    using LineCallback = std::function<void(std::string_view line)>;
    // Runs once the child was reaped and its last output delivered; it may destroy the ChildProcess.
    using ExitCallback = std::function<void(int wait_status)>;

    struct Callbacks {
        LineCallback on_line;  // each whole line of stdout and stderr, as it comes
        ExitCallback on_exit;
    };

    virtual ~ChildProcess() = default;

    // The leader's pid, still known after it exited (for the events that report its exit).
    virtual pid_t pid() const = 0;
    virtual bool running() const = 0;
    // The last lines of output, oldest first.
    virtual std::vector<std::string> tail() const = 0;
    // Whether the exit watch was registered with a pidfd; without one the exit is still seen via SIGCHLD,
    // only later, so the owner may want to say so.
    virtual const Result<void>& exit_watch() const = 0;
    // `signo` to the whole group now; SIGKILL to the group after `grace` unless it exited first.
    // `before_kill` runs at kill time, before the SIGKILL (while the leader still has its descendants
    // below it). A second stop sends the signal again and restarts the grace period.
    virtual void stop(int signo, Duration grace, std::function<void()> before_kill) = 0;
    // `signo` to the whole group, nothing more.
    virtual void signal_group(int signo) = 0;
};

// Starts a child: Child::spawn, or a test's fake.
using SpawnChild = std::function<Result<std::unique_ptr<ChildProcess>>(EventLoop& loop, SpawnSpec spec,
                                                                        size_t tail_lines,
                                                                        ChildProcess::Callbacks callbacks)>;

}  // namespace hotswap
