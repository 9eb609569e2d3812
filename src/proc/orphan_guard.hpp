#pragma once
// The orphan guard. PR_SET_PDEATHSIG reaches only hotswap's direct children: if hotswap itself is killed
// (SIGKILL, the OOM killer), whatever those children started in their process groups (a server's workers,
// the command behind a `sh -c` that does not exec) would keep running, holding ports and files. A small
// process forked at start holds one end of a socket pair; hotswap tells it each process group it starts
// and each one it has killed. When the socket closes without a goodbye, hotswap is gone: the guard kills
// every group still on its list with SIGKILL, then exits. The guard is hotswap's own binary, exec'd
// under the name `hotswap-guard` with an empty environment: nothing of hotswap's environment (its
// HOTSWAP_GENERATION when it is itself supervised) or command line makes it look like an app process.

#include <sys/types.h>

#include "core/file_descriptor.hpp"
#include "core/result.hpp"

namespace hotswap {

class OrphanGuard {
public:
    // Forks the guard. Call after the event loop has blocked the signals (so a Ctrl-C sent to the
    // terminal's process group leaves the guard alone) and before any child is spawned. One at a time.
    static Result<OrphanGuard> start();

    // A clean exit: says goodbye (the groups are gone already; their ids may be reused) and waits for the
    // guard, so nothing of hotswap outlives it.
    ~OrphanGuard();
    OrphanGuard(OrphanGuard&& other) noexcept;
    OrphanGuard& operator=(OrphanGuard&&) = delete;
    OrphanGuard(const OrphanGuard&) = delete;
    OrphanGuard& operator=(const OrphanGuard&) = delete;

    // The guard's side: main() calls it when started as kProgramName; reads the socket at fd 3.
    static constexpr const char* kProgramName = "hotswap-guard";
    [[noreturn]] static void run_guard();

    // Called by Process for every group it starts and kills; nothing happens while no guard runs.
    static void watch_group(pid_t group);
    static void forget_group(pid_t group);

    // The running guard's pid (-1 without one): a child of hotswap's own, never a leftover to kill.
    static pid_t running_pid();

private:
    OrphanGuard(pid_t pid, FileDescriptor pidfd, FileDescriptor socket)
        : pid_(pid), pidfd_(std::move(pidfd)), socket_(std::move(socket)) {}

    pid_t pid_ = -1;
    FileDescriptor pidfd_;  // to wait for its exit without waitpid on a pid the reaper may have collected
    FileDescriptor socket_;
};

}  // namespace hotswap
