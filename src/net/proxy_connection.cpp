#include "net/proxy_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace hotswap {

namespace {

// Edge-triggered: each socket is registered once; readiness is remembered in flags until EAGAIN.
constexpr uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

// One send of what `buffer` holds to `fd`, the same step in both directions. Stalled: nothing went (a
// full socket clears `writable` until EPOLLOUT; an interrupted call is tried again); Failed: the peer is
// gone.
enum class SendStep { Moved, Stalled, Failed };
SendStep send_pending(int fd, ProxyBuffer& buffer, bool& writable) {
    auto bytes = buffer.pending();
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
        buffer.consumed(size_t(n));
        return SendStep::Moved;
    }
    if (n < 0 && would_block(errno)) writable = false;
    else if (n < 0 && errno != EINTR) return SendStep::Failed;
    return SendStep::Stalled;
}

void no_delay(int fd) {
    // Bytes are forwarded as they come: Nagle would hold a small answer back for the previous one's ACK.
    int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // fails harmlessly on unix sockets
}

}  // namespace

ProxyConnection::ProxyConnection(EventLoop& loop, FileDescriptor client,
                                 const std::shared_ptr<const ProxyRoute>& current, size_t buffer_size,
                                 int max_attempts, Notify notify)
    : loop_(loop),
      current_(current),
      max_attempts_(max_attempts),
      notify_(std::move(notify)),
      client_(std::move(client)),
      to_upstream_(buffer_size, true),
      to_client_(buffer_size, false) {}

ProxyConnection::~ProxyConnection() {
    if (client_registered_) loop_.remove_fd(client_.get());
    close_upstream();
}

ProxyConnection::Status ProxyConnection::start() {
    no_delay(client_.get());
    auto notify = notify_;
    if (!loop_.add_fd(client_.get(), kEvents, [notify](uint32_t ev) { notify(ProxySide::Client, ev); }).ok())
        return Status::Failed;
    client_registered_ = true;
    route_ = current_;
    attempts_ = 1;
    if (!route_ || !open_upstream()) return upstream_failed();
    return pump();
}

ProxyConnection::Status ProxyConnection::on_event(ProxySide side, uint32_t events) {
    const bool readable = events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
    const bool writable = events & (EPOLLOUT | EPOLLHUP | EPOLLERR);
    if (side == ProxySide::Client) {
        client_readable_ = client_readable_ || readable;
        client_writable_ = client_writable_ || writable;
        return pump();
    }
    if (connecting_) return on_connected(events);
    upstream_readable_ = upstream_readable_ || readable;
    upstream_writable_ = upstream_writable_ || writable;
    return pump();
}

ProxyConnection::Status ProxyConnection::pump() {
    for (;;) {
        Status outcome = Status::Open;
        bool moved = pump_to_upstream(outcome);
        if (outcome != Status::Open) return outcome;
        moved = pump_to_client(outcome) || moved;
        if (outcome != Status::Open) return outcome;
        // Both FINs passed on: each side has said all it will say and heard all the other said.
        if (client_shut_ && upstream_shut_) return Status::Closed;
        if (!moved) return Status::Open;
    }
}

// Client → upstream. Returns whether anything moved; sets `outcome` when the connection is over.
bool ProxyConnection::pump_to_upstream(Status& outcome) {
    bool moved = false;
    if (!client_eof_ && client_readable_) {
        // Full only of bytes kept for a replay: the request outgrew the buffer, so it can no longer be
        // replayed, and reading on matters more (the upstream may need the rest before it answers).
        if (to_upstream_.space().empty() && to_upstream_.retained() > 0) to_upstream_.stop_retaining();
        std::span<char> room = to_upstream_.space();
        if (!room.empty()) {
            ssize_t n = ::read(client_.get(), room.data(), room.size());
            if (n > 0) {
                to_upstream_.filled(size_t(n));
                moved = true;
            } else if (n == 0) {
                client_eof_ = true;
                moved = true;
            } else if (would_block(errno)) {
                client_readable_ = false;
            } else if (errno != EINTR) {
                outcome = Status::Closed;  // the client reset: nothing left to deliver
                return false;
            }
        }
    }
    if (upstream_ && !connecting_ && upstream_writable_ && to_upstream_.has_pending()) {
        const SendStep step = send_pending(upstream_.get(), to_upstream_, upstream_writable_);
        if (step == SendStep::Failed) {
            outcome = upstream_failed();
            return false;
        }
        moved = moved || step == SendStep::Moved;
    }
    if (client_eof_ && upstream_ && !connecting_ && !to_upstream_.has_pending() && !upstream_shut_) {
        ::shutdown(upstream_.get(), SHUT_WR);
        upstream_shut_ = true;
        moved = true;
    }
    return moved;
}

// Upstream → client.
bool ProxyConnection::pump_to_client(Status& outcome) {
    bool moved = false;
    if (upstream_ && !connecting_ && !upstream_eof_ && upstream_readable_) {
        std::span<char> room = to_client_.space();
        if (!room.empty()) {
            ssize_t n = ::read(upstream_.get(), room.data(), room.size());
            if (n > 0) {
                to_client_.filled(size_t(n));
                if (!answered_) {
                    // An answer: the request was seen, so it must never be sent anywhere again.
                    answered_ = true;
                    to_upstream_.stop_retaining();
                }
                moved = true;
            } else if (n == 0) {
                if (!answered_ && can_replay()) {
                    outcome = replay();
                    return false;
                }
                upstream_eof_ = true;
                moved = true;
            } else if (would_block(errno)) {
                upstream_readable_ = false;
            } else if (errno != EINTR) {
                outcome = upstream_failed();
                return false;
            }
        }
    }
    if (client_writable_ && to_client_.has_pending()) {
        const SendStep step = send_pending(client_.get(), to_client_, client_writable_);
        if (step == SendStep::Failed) {
            outcome = Status::Closed;  // the client went away
            return false;
        }
        moved = moved || step == SendStep::Moved;
    }
    if (upstream_eof_ && !to_client_.has_pending() && !client_shut_) {
        ::shutdown(client_.get(), SHUT_WR);
        client_shut_ = true;
        moved = true;
    }
    return moved;
}

bool ProxyConnection::open_upstream() {
    for (; address_index_ < route_->addresses.size(); ++address_index_) {
        const SocketAddress& target = route_->addresses[address_index_];
        FileDescriptor fd(::socket(target.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd) continue;  // e.g. no IPv6 on this host
        no_delay(fd.get());
        bool in_progress = false;
        if (::connect(fd.get(), target.get(), target.length) != 0) {
            if (errno != EINPROGRESS) continue;
            in_progress = true;
        }
        auto notify = notify_;
        if (!loop_.add_fd(fd.get(), kEvents, [notify](uint32_t ev) { notify(ProxySide::Upstream, ev); }).ok()) continue;
        upstream_ = std::move(fd);
        upstream_registered_ = true;
        connecting_ = in_progress;
        upstream_writable_ = !in_progress;
        return true;
    }
    return false;
}

void ProxyConnection::close_upstream() {
    if (upstream_registered_) loop_.remove_fd(upstream_.get());
    upstream_registered_ = false;
    upstream_.reset();
    connecting_ = false;
    upstream_readable_ = upstream_writable_ = false;
    upstream_eof_ = upstream_shut_ = false;
}

ProxyConnection::Status ProxyConnection::on_connected(uint32_t events) {
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(upstream_.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
    if (error == 0 && !(events & EPOLLERR)) {
        connecting_ = false;
        upstream_writable_ = true;
        upstream_readable_ = events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP);
        return pump();
    }
    // Refused on this address: the next one of the route (::1 after 127.0.0.1), then another generation.
    close_upstream();
    ++address_index_;
    if (open_upstream()) return pump();
    return upstream_failed();
}

ProxyConnection::Status ProxyConnection::upstream_failed() {
    // A generation that answered may have acted on the request: never again anywhere else.
    if (answered_ || !to_upstream_.retaining() || attempts_ >= max_attempts_) return Status::Failed;
    if (can_replay()) return replay();
    wait_for_route();
    return Status::Open;
}

void ProxyConnection::wait_for_route() {
    close_upstream();
    to_upstream_.rewind();
    waiting_ = true;
    waiting_since_ = Clock::now();
}

ProxyConnection::Status ProxyConnection::resume() {
    if (!waiting_) return Status::Open;
    waiting_ = false;
    return replay();
}

bool ProxyConnection::can_replay() const {
    // Only while every byte sent is still held, only to a newer route (the generation that failed would fail
    // again), and a bounded number of times.
    return to_upstream_.retaining() && attempts_ < max_attempts_ && current_ &&
           (!route_ || current_->epoch != route_->epoch);
}

ProxyConnection::Status ProxyConnection::replay() {
    if (!current_) {
        wait_for_route();
        return Status::Open;
    }
    close_upstream();
    ++attempts_;
    route_ = current_;
    address_index_ = 0;
    to_upstream_.rewind();
    if (!open_upstream()) return upstream_failed();
    return pump();
}

}  // namespace hotswap
