#include "proc/child.hpp"

#include <signal.h>

#include <utility>

namespace hotswap {

Result<std::unique_ptr<Child>> Child::spawn(EventLoop& loop, SpawnSpec spec, size_t tail_lines, Callbacks callbacks) {
    HS_TRY(pipe, make_pipe());
    spec.output_fd = pipe.write.get();
    auto process = Process::spawn(spec);
    pipe.write.reset();  // only the child holds the write end now: EOF comes when it and its group are done
    if (!process) return process.error();

    std::unique_ptr<Child> child(new Child(loop, tail_lines, std::move(callbacks)));
    Child* self = child.get();
    self->process_ = std::move(*process);
    self->pid_ = self->process_.pid();
    // Without a reader the child still runs; its writes then fail, as they would into a closed terminal.
    if (auto reader = OutputReader::create(loop, std::move(pipe.read), [self](std::string_view line) { self->on_line(line); }))
        self->output_ = std::move(*reader);
    self->exit_watch_ =
        loop.watch_child(self->pid_, self->process_.pidfd(), [self](int wait_status) { self->on_reaped(wait_status); });
    return child;
}

Child::Child(EventLoop& loop, size_t tail_lines, Callbacks callbacks)
    : loop_(loop), tail_lines_(tail_lines), callbacks_(std::move(callbacks)) {}

Child::~Child() {
    if (process_.running()) loop_.unwatch_child(pid_);
    // process_'s destructor kills whatever of the group is left.
}

void Child::on_line(std::string_view line) {
    tail_.emplace_back(line);
    if (tail_.size() > tail_lines_) tail_.pop_front();
    if (callbacks_.on_line) callbacks_.on_line(line);
}

void Child::stop(int signo, Duration grace, std::function<void()> before_kill) {
    signal_group(signo);
    before_kill_ = std::move(before_kill);
    kill_timer_ = loop_.after(grace, [this] {
        if (before_kill_) before_kill_();
        signal_group(SIGKILL);
    });
}

void Child::signal_group(int signo) { (void)process_.signal_group(signo); }

void Child::set_timeout(Duration limit, std::function<void()> on_timeout) {
    timeout_timer_ = loop_.after(limit, std::move(on_timeout));
}

void Child::on_reaped(int wait_status) {
    process_.mark_exited();
    // Its last lines come before the verdict.
    if (output_) output_->drain();
    // Anything it left running in its group (a stray daemon, a backgrounded job) goes with it.
    signal_group(SIGKILL);
    process_.release();
    output_.reset();
    kill_timer_.cancel();
    timeout_timer_.cancel();
    // Moved out first: the callback may destroy this Child, and with it callbacks_.
    ExitCallback on_exit = std::move(callbacks_.on_exit);
    if (on_exit) on_exit(wait_status);
}

}  // namespace hotswap
