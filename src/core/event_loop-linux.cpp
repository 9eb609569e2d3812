#include "core/event_loop.hpp"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace hotswap {

namespace {
// epoll's user data carries the fd and a generation, so an event for an fd that was removed (and the
// number reused) during the same epoll_wait batch is recognised as stale and dropped.
uint64_t pack(int fd, uint32_t generation) { return (uint64_t(generation) << 32) | uint32_t(fd); }
}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::create(std::span<const int> signals) {
    auto loop = std::make_unique<EventLoop>(PassKey());
    loop->blocked_ = std::make_unique<sigset_t>();
    sigemptyset(loop->blocked_.get());
    sigaddset(loop->blocked_.get(), SIGCHLD);
    for (int s : signals) sigaddset(loop->blocked_.get(), s);
    if (::sigprocmask(SIG_BLOCK, loop->blocked_.get(), nullptr) != 0) return Error::from_errno("sigprocmask");
    // A client that hangs up must not kill the supervisor; write() reports EPIPE instead.
    ::signal(SIGPIPE, SIG_IGN);

    loop->epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!loop->epoll_) return Error::from_errno("epoll_create1");
    loop->timerfd_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!loop->timerfd_) return Error::from_errno("timerfd_create");
    loop->signalfd_.reset(::signalfd(-1, loop->blocked_.get(), SFD_CLOEXEC | SFD_NONBLOCK));
    if (!loop->signalfd_) return Error::from_errno("signalfd");

    EventLoop* self = loop.get();
    HS_TRY_VOID(loop->add_fd(loop->timerfd_.get(), EPOLLIN, [self](uint32_t) { self->dispatch_timers(); }));
    HS_TRY_VOID(loop->add_fd(loop->signalfd_.get(), EPOLLIN, [self](uint32_t) { self->dispatch_signals(); }));
    return loop;
}

Result<std::unique_ptr<EventLoop>> EventLoop::create_manual() {
    auto loop = std::make_unique<EventLoop>(PassKey());
    loop->manual_ = true;
    loop->manual_now_ = Clock::now();
    loop->blocked_ = std::make_unique<sigset_t>();
    sigemptyset(loop->blocked_.get());
    loop->epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!loop->epoll_) return Error::from_errno("epoll_create1");
    return loop;
}

EventLoop::~EventLoop() = default;

const sigset_t& EventLoop::blocked_signals() const { return *blocked_; }

Result<void> EventLoop::add_fd(int fd, uint32_t events, FdCallback callback) {
    uint32_t generation = next_generation_++;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = pack(fd, generation);
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return Error::from_errno("epoll_ctl(ADD)");
    fds_[fd] = FdEntry{generation, std::move(callback)};
    return {};
}

Result<void> EventLoop::modify_fd(int fd, uint32_t events) {
    auto it = fds_.find(fd);
    if (it == fds_.end()) return Error::message("modify_fd: fd is not registered");
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = pack(fd, it->second.generation);
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) return Error::from_errno("epoll_ctl(MOD)");
    return {};
}

void EventLoop::remove_fd(int fd) {
    if (fds_.erase(fd) == 0) return;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);  // fails harmlessly if the fd was closed already
}

EventLoop::Timer EventLoop::after(Duration delay, std::function<void()> callback) {
    return Timer(*this, add_timer(delay, std::move(callback)));
}

EventLoop::TimerId EventLoop::add_timer(Duration delay, std::function<void()> callback) {
    TimerId id = next_timer_++;
    auto deadline = now() + delay;
    bool earliest = timers_.empty() || deadline < timers_.begin()->first.first;
    timers_.emplace(std::make_pair(deadline, id), std::move(callback));
    timer_deadlines_[id] = deadline;
    if (earliest) rearm_timerfd();
    return id;
}

void EventLoop::cancel_timer(TimerId id) {
    auto it = timer_deadlines_.find(id);
    if (it == timer_deadlines_.end()) return;
    timers_.erase({it->second, id});
    timer_deadlines_.erase(it);
    // The timerfd may fire early for a cancelled timer; dispatch_timers() then finds nothing due and rearms.
}

void EventLoop::rearm_timerfd() {
    if (manual_) return;  // advance() fires them
    itimerspec spec{};
    if (!timers_.empty()) {
        auto delta = timers_.begin()->first.first - Clock::now();
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delta).count();
        if (ns < 1) ns = 1;  // zero would disarm the timer
        spec.it_value.tv_sec = ns / 1'000'000'000;
        spec.it_value.tv_nsec = ns % 1'000'000'000;
    }
    ::timerfd_settime(timerfd_.get(), 0, &spec, nullptr);
}

void EventLoop::dispatch_timers() {
    uint64_t expirations;
    while (::read(timerfd_.get(), &expirations, sizeof expirations) > 0) {
    }
    auto now = Clock::now();
    while (!timers_.empty() && timers_.begin()->first.first <= now) {
        auto node = timers_.extract(timers_.begin());
        timer_deadlines_.erase(node.key().second);
        node.mapped()();
    }
    rearm_timerfd();
}

void EventLoop::on_signal(int signo, SignalCallback callback) { signal_callbacks_[signo] = std::move(callback); }

void EventLoop::dispatch_signals() {
    signalfd_siginfo info;
    while (::read(signalfd_.get(), &info, sizeof info) == sizeof info) {
        if (int(info.ssi_signo) == SIGCHLD) {
            reap_children();
            continue;
        }
        auto it = signal_callbacks_.find(int(info.ssi_signo));
        if (it != signal_callbacks_.end()) it->second(info);
    }
}

Result<void> EventLoop::watch_child(pid_t pid, int pidfd, ChildCallback callback) {
    children_[pid] = ChildEntry{pidfd, std::move(callback)};
    if (pidfd >= 0) HS_TRY_VOID(add_fd(pidfd, EPOLLIN, [this](uint32_t) { reap_children(); }));
    return {};
}

void EventLoop::unwatch_child(pid_t pid) {
    auto it = children_.find(pid);
    if (it == children_.end()) return;
    if (it->second.pidfd >= 0) remove_fd(it->second.pidfd);
    children_.erase(it);
}

void EventLoop::reap_children() {
    // One reaper for every child: tracked ones get their callback, orphans we adopted as a subreaper are
    // simply collected so they never linger as zombies.
    for (;;) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        auto it = children_.find(pid);
        if (it == children_.end()) continue;
        ChildEntry entry = std::move(it->second);
        if (entry.pidfd >= 0) remove_fd(entry.pidfd);
        children_.erase(it);
        entry.callback(status);
    }
}

void EventLoop::post(std::function<void()> callback) { posted_.push_back(std::move(callback)); }

void EventLoop::run_posted() {
    while (!posted_.empty() && !stopped_) {
        auto batch = std::move(posted_);
        posted_.clear();
        for (auto& cb : batch) cb();
    }
}

void EventLoop::advance(Duration by) {
    const Clock::time_point until = manual_now_ + by;
    run_posted();
    while (!timers_.empty() && timers_.begin()->first.first <= until) {
        auto node = timers_.extract(timers_.begin());
        timer_deadlines_.erase(node.key().second);
        manual_now_ = std::max(manual_now_, node.key().first);
        node.mapped()();
        run_posted();
    }
    manual_now_ = until;
}

int EventLoop::run() {
    constexpr int kBatch = 64;
    epoll_event events[kBatch];
    while (!stopped_) {
        run_posted();
        if (stopped_) return exit_code_;
        int n = ::epoll_wait(epoll_.get(), events, kBatch, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        for (int i = 0; i < n && !stopped_; ++i) {
            int fd = int(uint32_t(events[i].data.u64));
            uint32_t generation = uint32_t(events[i].data.u64 >> 32);
            auto it = fds_.find(fd);
            if (it == fds_.end() || it->second.generation != generation) continue;
            // Copy: the callback may remove itself (and so destroy the std::function it runs in).
            FdCallback cb = it->second.callback;
            cb(events[i].events);
        }
    }
    return exit_code_;
}

void EventLoop::stop(int exit_code) {
    if (stopped_) return;
    stopped_ = true;
    exit_code_ = exit_code;
}

}  // namespace hotswap
