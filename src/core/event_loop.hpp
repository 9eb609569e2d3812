#pragma once
// EventLoop: hotswap's one thread. epoll waits on everything: fds, timers (one timerfd), signals (one
// signalfd, so signals stay blocked and arrive as events) and child exits (pidfds, plus SIGCHLD for
// grandchildren re-parented to us as a subreaper). Callbacks run one at a time; nothing here is locked.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/duration.hpp"
#include "core/file_descriptor.hpp"
#include "core/result.hpp"

struct signalfd_siginfo;

namespace hotswap {

class EventLoop {
public:
    using FdCallback = std::function<void(uint32_t epoll_events)>;
    using SignalCallback = std::function<void(const signalfd_siginfo&)>;
    using ChildCallback = std::function<void(int wait_status)>;
    using TimerId = uint64_t;

    // Blocks `signals` (and SIGCHLD) for the whole process, ignores SIGPIPE, and routes them to the loop.
    static Result<std::unique_ptr<EventLoop>> create(std::span<const int> signals);
    struct PassKey {
        explicit PassKey() = default;
    };
    explicit EventLoop(PassKey) {}
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    Result<void> add_fd(int fd, uint32_t events, FdCallback callback);
    Result<void> modify_fd(int fd, uint32_t events);
    void remove_fd(int fd);

    TimerId add_timer(Duration after, std::function<void()> callback);
    void cancel_timer(TimerId id);  // no-op for 0, fired or unknown ids

    void on_signal(int signo, SignalCallback callback);

    // Calls `callback` with the wait status once `pid` (our child) has exited and been reaped.
    // `pidfd` (may be -1) is only borrowed: it wakes the loop; the caller keeps owning it.
    Result<void> watch_child(pid_t pid, int pidfd, ChildCallback callback);
    void unwatch_child(pid_t pid);

    // Runs `callback` from the loop, after the current callback returns.
    void post(std::function<void()> callback);

    // Runs until stop(); returns the code given to stop().
    int run();
    void stop(int exit_code);

    // Signals as blocked and dispositions as set by create(), for a child to undo between fork and exec.
    const sigset_t& blocked_signals() const;

private:
    struct FdEntry {
        uint32_t generation;
        FdCallback callback;
    };
    struct ChildEntry {
        int pidfd;
        ChildCallback callback;
    };

    void dispatch_signals();
    void dispatch_timers();
    void rearm_timerfd();
    void reap_children();

    FileDescriptor epoll_;
    FileDescriptor timerfd_;
    FileDescriptor signalfd_;
    std::unique_ptr<sigset_t> blocked_;
    std::unordered_map<int, FdEntry> fds_;
    uint32_t next_generation_ = 1;
    std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
    std::unordered_map<TimerId, Clock::time_point> timer_deadlines_;
    TimerId next_timer_ = 1;
    std::unordered_map<int, SignalCallback> signal_callbacks_;
    std::unordered_map<pid_t, ChildEntry> children_;
    std::vector<std::function<void()>> posted_;
    bool stopped_ = false;
    int exit_code_ = 0;
};

}  // namespace hotswap
