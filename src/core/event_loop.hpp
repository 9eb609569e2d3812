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
#include <utility>
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
    class Timer;

    // Blocks `signals` (and SIGCHLD) for the whole process, ignores SIGPIPE, and routes them to the loop.
    static Result<std::unique_ptr<EventLoop>> create(std::span<const int> signals);
    // A loop whose clock stands still until advance() moves it: timers fire in order of their deadlines,
    // posted callbacks run between them, and no time is waited for. For unit tests that drive timeouts,
    // probation and backoff without sleeping. It blocks no signals and reaps no children.
    static Result<std::unique_ptr<EventLoop>> create_manual();
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

    // Runs `callback` once, `delay` from now, unless the Timer returned is cancelled, reassigned or
    // destroyed first: a timer cannot outlive the object whose callback it would run.
    [[nodiscard]] Timer after(Duration delay, std::function<void()> callback);

    void on_signal(int signo, SignalCallback callback);

    // Calls `callback` with the wait status once `pid` (our child) has exited and been reaped.
    // `pidfd` (may be -1) is only borrowed: it wakes the loop; the caller keeps owning it.
    Result<void> watch_child(pid_t pid, int pidfd, ChildCallback callback);
    void unwatch_child(pid_t pid);

    // Runs `callback` from the loop, after the current callback returns.
    void post(std::function<void()> callback);

    // The loop's clock: steady_clock, or the manual clock of create_manual().
    Clock::time_point now() const { return manual_ ? manual_now_ : Clock::now(); }
    // Manual clock only: runs what is posted, then moves the clock to each timer deadline up to `by`
    // from now in turn and fires that timer (and what it posts).
    void advance(Duration by);

    // Runs until stop(); returns the code given to stop().
    int run();
    void stop(int exit_code);

    // Signals as blocked and dispositions as set by create(), for a child to undo between fork and exec.
    const sigset_t& blocked_signals() const;

private:
    TimerId add_timer(Duration delay, std::function<void()> callback);
    void cancel_timer(TimerId id);  // no-op for 0, fired or unknown ids
    bool timer_armed(TimerId id) const { return timer_deadlines_.count(id) != 0; }

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
    void run_posted();

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
    bool manual_ = false;
    Clock::time_point manual_now_{};
};

// A pending callback of the loop, owned like a file descriptor: empty, or armed until it fires.
class EventLoop::Timer {
public:
    Timer() = default;
    ~Timer() { cancel(); }
    Timer(Timer&& other) noexcept : loop_(other.loop_), id_(std::exchange(other.id_, 0)) {}
    Timer& operator=(Timer&& other) noexcept {
        if (this != &other) {
            cancel();
            loop_ = other.loop_;
            id_ = std::exchange(other.id_, 0);
        }
        return *this;
    }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    void cancel() {
        if (id_ != 0) loop_->cancel_timer(std::exchange(id_, 0));
    }
    // Still waiting to fire: neither fired, cancelled nor empty.
    bool armed() const { return id_ != 0 && loop_->timer_armed(id_); }

private:
    friend class EventLoop;
    Timer(EventLoop& loop, TimerId id) : loop_(&loop), id_(id) {}

    EventLoop* loop_ = nullptr;
    TimerId id_ = 0;
};

}  // namespace hotswap
