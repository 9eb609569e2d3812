#include "net/proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/core.h>

namespace hotswap {

namespace {

// Accepts per wake-up: the listener is level-triggered, so the rest come on the next turn of the loop,
// after the connections already open had theirs.
constexpr int kAcceptBatch = 64;
// Out of file descriptors: stop accepting for a moment instead of spinning on a queue we cannot take from.
constexpr Duration kAcceptPause{100};

}  // namespace

Result<std::unique_ptr<Proxy>> Proxy::create(EventLoop& loop, Listener listener, ProxyOptions options) {
    HS_TRY_VOID(set_nonblocking(listener.fd()));
    return std::make_unique<Proxy>(loop, std::move(listener), std::move(options));
}

Proxy::Proxy(EventLoop& loop, Listener listener, ProxyOptions options)
    : loop_(loop), listener_(std::move(listener)), options_(std::move(options)) {}

Proxy::~Proxy() {
    connections_.clear();  // each removes its sockets from the loop
    watch_listener(false);
}

void Proxy::set_upstream(uint16_t port) {
    auto route = std::make_shared<ProxyRoute>();
    route->epoch = next_epoch_++;
    route->port = port;
    route->addresses = loopback_addresses(port);
    current_ = std::move(route);
    // Those refused by the previous generation first: they came before anything still in the backlog.
    resume_waiting();
    watch_listener(true);
}

void Proxy::clear_upstream() {
    current_.reset();
    watch_listener(false);
}

std::optional<uint16_t> Proxy::upstream() const {
    if (!current_) return std::nullopt;
    return current_->port;
}

ProxyStats Proxy::stats() const {
    ProxyStats s = stats_;
    s.open = connections_.size();
    for (const auto& [id, c] : connections_) s.replayed += uint64_t(c->replays());
    s.waiting = waiting_.size();
    return s;
}

void Proxy::watch_listener(bool on) {
    if (on == listening_) return;
    if (listener_.fd() < 0) return;  // adopt() only
    if (on) {
        if (resume_timer_.armed()) return;  // paused after an error: the timer turns it back on
        if (!loop_.add_fd(listener_.fd(), EPOLLIN, [this](uint32_t) { accept_pending(); }).ok()) return;
    } else {
        loop_.remove_fd(listener_.fd());
    }
    listening_ = on;
}

void Proxy::accept_pending() {
    for (int i = 0; i < kAcceptBatch && current_; ++i) {
        int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) on_accept_error(errno);
            return;
        }
        adopt(FileDescriptor(fd));
    }
}

void Proxy::adopt(FileDescriptor client) {
    ++stats_.accepted;
    const uint64_t id = next_id_++;
    auto connection = std::make_unique<ProxyConnection>(
        loop_, std::move(client), current_, options_.buffer_size, options_.max_attempts,
        [this, id](ProxySide side, uint32_t events) { on_connection_event(id, side, events); });
    ProxyConnection* raw = connection.get();
    connections_.emplace(id, std::move(connection));
    settle(id, raw->start());
}

void Proxy::on_accept_error(int err) {
    if (options_.on_warning)
        options_.on_warning(fmt::format("proxy: cannot accept connections on {}: {} (pausing for {} ms; raise the "
                                        "open-files limit, ulimit -n, if this repeats)",
                                        listener_.address().display(), std::strerror(err), kAcceptPause.count()));
    watch_listener(false);
    resume_timer_ = loop_.after(kAcceptPause, [this] {
        if (current_) watch_listener(true);
    });
}

void Proxy::on_connection_event(uint64_t id, ProxySide side, uint32_t events) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    settle(id, it->second->on_event(side, events));
}

void Proxy::settle(uint64_t id, ProxyConnection::Status status) {
    if (status != ProxyConnection::Status::Open) {
        finish(id, status);
        return;
    }
    auto it = connections_.find(id);
    if (it == connections_.end() || !it->second->waiting()) {
        waiting_.erase(id);
        return;
    }
    waiting_.insert(id);
    if (!expiry_timer_.armed()) expiry_timer_ = loop_.after(options_.max_wait / 4, [this] { expire_waiting(); });
}

void Proxy::resume_waiting() {
    std::set<uint64_t> ids;
    ids.swap(waiting_);
    for (uint64_t id : ids) {
        auto it = connections_.find(id);
        if (it != connections_.end()) settle(id, it->second->resume());
    }
}

void Proxy::expire_waiting() {
    const auto deadline = Clock::now() - options_.max_wait;
    std::vector<uint64_t> expired;
    for (uint64_t id : waiting_) {
        auto it = connections_.find(id);
        if (it == connections_.end() || it->second->waiting_since() <= deadline) expired.push_back(id);
    }
    for (uint64_t id : expired) finish(id, ProxyConnection::Status::Failed);
    if (!waiting_.empty()) expiry_timer_ = loop_.after(options_.max_wait / 4, [this] { expire_waiting(); });
}

void Proxy::finish(uint64_t id, ProxyConnection::Status status) {
    waiting_.erase(id);
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (status == ProxyConnection::Status::Failed) ++stats_.failed;
    stats_.replayed += uint64_t(it->second->replays());
    connections_.erase(it);
}

}  // namespace hotswap
