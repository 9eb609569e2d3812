#include "control/event_stream.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

#include <fmt/core.h>

namespace hotswap {

std::string event_timestamp() {
    auto now = std::chrono::system_clock::now();
    // Microseconds: a reload takes a few milliseconds, and a trace of requests is lined up against these.
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    std::time_t secs = std::time_t(us / 1'000'000);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    return fmt::format("{}.{:06}Z", stamp, us % 1'000'000);
}

Result<std::unique_ptr<EventStream>> EventStream::open(EventLoop& loop, std::string_view target) {
    FileDescriptor fd;
    if (target == "-") {
        fd.reset(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
        if (!fd) return Error::from_errno("fcntl(F_DUPFD_CLOEXEC)", "stdout", errno);
    } else {
        std::string path(target);
        fd.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
        if (!fd) return Error::from_errno("open", path, errno);
    }
    // Only a pipe or a socket may be made non-blocking: a terminal's flags are shared with the shell.
    struct stat st{};
    bool nonblocking = ::fstat(fd.get(), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
    if (nonblocking) HS_TRY_VOID(set_nonblocking(fd.get()));
    return std::make_unique<EventStream>(loop, std::move(fd), nonblocking);
}

EventStream::EventStream(EventLoop& loop, FileDescriptor fd, bool nonblocking)
    : loop_(loop), fd_(std::move(fd)), nonblocking_(nonblocking) {}

EventStream::~EventStream() {
    watch_writable(false);
    // The last events (a shutdown's) are worth a short wait for a slow reader, not more.
    for (int tries = 0; !queue_.empty() && !broken_ && tries < 10; ++tries) {
        pollfd p{fd_.get(), POLLOUT, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        flush();
    }
}

void EventStream::emit(std::string_view event, const nlohmann::json& fields) {
    if (broken_) return;
    // Insertion order, so every line reads seq, time, event, then the event's own fields.
    nlohmann::ordered_json line = nlohmann::ordered_json::object();
    line["seq"] = ++seq_;
    line["time"] = event_timestamp();
    line["event"] = std::string(event);
    const uint64_t reports_dropped = std::exchange(dropped_, 0);
    if (reports_dropped > 0) line["dropped"] = reports_dropped;
    if (fields.is_object())
        for (auto& [k, v] : fields.items())
            if (k != "seq" && k != "time" && k != "event" && k != "dropped") line[k] = v;
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    // Make room by dropping the oldest whole lines that nobody has started to read: recent state matters
    // more. A dropped line's own count of dropped lines moves on to the next line written.
    const size_t first_unstarted = head_written_ > 0 ? 1 : 0;
    while (queued_bytes_ + text.size() > kMaxQueued && queue_.size() > first_unstarted) {
        auto victim = queue_.begin() + std::ptrdiff_t(first_unstarted);
        queued_bytes_ -= victim->text.size();
        dropped_ += 1 + victim->reports_dropped;
        queue_.erase(victim);
    }
    queued_bytes_ += text.size();
    queue_.push_back(Line{std::move(text), reports_dropped});
    flush();
}

void EventStream::flush() {
    while (!queue_.empty()) {
        const std::string& head = queue_.front().text;
        ssize_t n = ::write(fd_.get(), head.data() + head_written_, head.size() - head_written_);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watch_writable(true);
            return;
        }
        if (n <= 0) {  // EPIPE and the like: the reader is gone for good
            broken_ = true;
            queue_.clear();
            queued_bytes_ = 0;
            watch_writable(false);
            return;
        }
        head_written_ += size_t(n);
        if (head_written_ == head.size()) {
            queued_bytes_ -= head.size();
            queue_.pop_front();
            head_written_ = 0;
        }
    }
    watch_writable(false);
}

void EventStream::watch_writable(bool on) {
    if (!nonblocking_ || on == watching_) return;
    if (on) watching_ = bool(loop_.add_fd(fd_.get(), EPOLLOUT, [this](uint32_t) { flush(); }));
    else {
        loop_.remove_fd(fd_.get());
        watching_ = false;
    }
}

}  // namespace hotswap
