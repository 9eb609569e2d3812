#pragma once
// Process: one child we started, in its own process group, owned like a file descriptor. A Process that is
// destroyed while its group may still run kills the whole group, so no code path can leak a child.

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/file_descriptor.hpp"
#include "core/result.hpp"
#include "core/signal_name.hpp"

namespace hotswap {

struct SpawnSpec {
    std::vector<std::string> argv;      // argv[0] is looked up in PATH unless it holds a '/'
    std::vector<std::string> env;       // the complete environment, "NAME=value"
    std::string cwd;                    // empty: hotswap's own
    std::vector<int> listen_fds;        // become fds 3, 4, ... in the child (systemd socket activation)
    bool set_listen_pid = false;        // add LISTEN_PID=<the child's own pid>, written in the child
    int stdin_fd = -1;                  // -1: /dev/null
    int output_fd = -1;                 // stdout and stderr both; -1: hotswap's own
    const sigset_t* unblock = nullptr;  // signals the supervisor blocked, unblocked again in the child
    std::optional<int> niceness;        // set before exec, so all the child starts inherits it
    bool idle_priority = false;         // SCHED_IDLE from before exec: runs only on CPU time nothing else wants
};

class Process {
public:
    // Starts the child vfork-style (it borrows hotswap's memory until exec) and execs. Exec failures (no
    // such file, not executable, bad cwd) come back as an Error here, never as a child that exits 127.
    static Result<Process> spawn(const SpawnSpec& spec);

    Process() = default;
    ~Process();
    Process(Process&& other) noexcept;
    Process& operator=(Process&& other) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    int pidfd() const { return pidfd_.get(); }
    bool running() const { return pid_ > 0 && !exited_; }

    // Every process still in the group, the leader's exit notwithstanding.
    Result<void> signal_group(int signo);
    // The event loop reaped the leader.
    void mark_exited() { exited_ = true; }
    // Forget the child without killing it (used only when ownership moves elsewhere).
    void release();

private:
    // SIGKILL to what is left of the group, which the orphan guard then forgets.
    void kill_group();

    pid_t pid_ = -1;
    FileDescriptor pidfd_;
    bool exited_ = false;
};

// "exit status 3", "killed by SIGSEGV (core dumped)".
std::string describe_wait_status(int status);

}  // namespace hotswap
