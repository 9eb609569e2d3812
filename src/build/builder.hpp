#pragma once
// Builder: runs the build command (directly, or through /bin/sh when it has shell syntax: build_command.hpp)
// in its own process group, streams its output with a `build` prefix, and reports one BuildResult per
// build. A change during a build cancels it (SIGTERM to the group, so make and ninja can clean up, SIGKILL
// after a grace period) and starts a fresh one.
// The build runs at a lower CPU priority (BuildOptions::nice) so it does not slow the serving version down.

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "build/build_priority.hpp"
#include "build/build_runner.hpp"
#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "proc/child.hpp"

namespace hotswap {

struct BuildOptions {
    std::string cmd;
    std::optional<Duration> timeout;
    std::filesystem::path cwd;
    std::filesystem::path state_dir;  // where HOTSWAP_CHANGED files are written
    std::vector<std::string> env;     // the complete environment for the build
    const sigset_t* unblock = nullptr;
    int nice = kDefaultBuildNice;     // nice steps below hotswap's own priority; 0: the same priority
    bool idle = false;                // SCHED_IDLE instead: the build runs only on CPU time the rest leaves
};

class Builder final : public BuildRunner {
public:
    Builder(EventLoop& loop, BuildOptions options, DoneCallback on_done);
    ~Builder() override;
    Builder(const Builder&) = delete;
    Builder& operator=(const Builder&) = delete;

    void request(ChangeSet changes) override;
    void abort() override;
    bool busy() const override { return state_ != State::Idle; }
    pid_t pid() const override { return child_ ? child_->pid() : 0; }

private:
    enum class State { Idle, Running, Cancelling };
    void start(ChangeSet changes);
    void terminate_group();
    void on_exit(int wait_status);
    void finish(BuildResult result);

    EventLoop& loop_;
    BuildOptions options_;
    DoneCallback on_done_;
    State state_ = State::Idle;
    std::unique_ptr<Child> child_;  // the build under way
    Clock::time_point started_;
    ChangeSet current_;
    std::optional<ChangeSet> next_;
    bool timed_out_ = false;
    bool aborted_ = false;
    bool priority_warned_ = false;
};

// Merges `later` into `into`, one entry per path (the later kind wins).
void merge_changes(ChangeSet& into, const ChangeSet& later);

}  // namespace hotswap
