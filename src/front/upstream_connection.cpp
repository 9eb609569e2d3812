#include "front/upstream_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace hotswap {

namespace {

constexpr uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
constexpr size_t kReadChunk = 16 * 1024;

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

std::unique_ptr<UpstreamConnection> UpstreamConnection::open(EventLoop& loop, int generation,
                                                             std::span<const SocketAddress> addresses) {
    auto c = std::make_unique<UpstreamConnection>(loop, generation,
                                                  std::vector<SocketAddress>(addresses.begin(), addresses.end()));
    if (!c->start_connect()) return nullptr;
    return c;
}

UpstreamConnection::UpstreamConnection(EventLoop& loop, int generation, std::vector<SocketAddress> addresses)
    : loop_(loop), generation_(generation), addresses_(std::move(addresses)), parser_(HttpDirection::Response, *this) {}

UpstreamConnection::~UpstreamConnection() {
    if (registered_) loop_.remove_fd(fd_.get());
}

bool UpstreamConnection::start_connect() {
    if (registered_) loop_.remove_fd(fd_.get());
    registered_ = false;
    fd_.reset();
    for (; address_index_ < addresses_.size(); ++address_index_) {
        const SocketAddress& target = addresses_[address_index_];
        FileDescriptor fd(::socket(target.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd) continue;
        int one = 1;
        (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        bool in_progress = false;
        if (::connect(fd.get(), target.get(), target.length) != 0) {
            if (errno != EINPROGRESS) continue;
            in_progress = true;
        }
        if (!loop_.add_fd(fd.get(), kEvents, [this](uint32_t ev) { on_epoll(ev); }).ok()) continue;
        fd_ = std::move(fd);
        registered_ = true;
        connecting_ = in_progress;
        writable_ = !in_progress;
        return true;
    }
    return false;
}

void UpstreamConnection::on_epoll(uint32_t events) {
    readable_ = readable_ || (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR));
    writable_ = writable_ || (events & (EPOLLOUT | EPOLLHUP | EPOLLERR));
    hangup_seen_ = hangup_seen_ || (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR));
    if (on_event_) {
        auto callback = on_event_;  // the callback may hand this connection on (and so replace on_event_)
        callback();
    }
}

UpstreamConnection::Io UpstreamConnection::finish_connect() {
    if (!connecting_) return Io::Moved;
    if (!writable_) return Io::Blocked;
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
    if (error == 0) {
        connecting_ = false;
        return Io::Moved;
    }
    // Refused on this address: the next one (::1 after 127.0.0.1).
    ++address_index_;
    readable_ = writable_ = hangup_seen_ = false;
    if (!start_connect()) return Io::Failed;
    return connecting_ ? Io::Blocked : Io::Moved;
}

UpstreamConnection::Io UpstreamConnection::flush() {
    if (connecting_) return Io::Blocked;
    return send_buffered(fd_.get(), out_, out_sent_, writable_);
}

void UpstreamConnection::shutdown_write() { ::shutdown(fd_.get(), SHUT_WR); }

UpstreamConnection::Io UpstreamConnection::read(HttpParser::FeedResult& result, size_t max_bytes) {
    result = {};
    if (connecting_) return Io::Blocked;
    char buffer[kReadChunk];
    size_t n = 0;
    const Io io = read_once(fd_.get(), buffer, std::min(sizeof buffer, max_bytes), n, readable_, hangup_seen_);
    if (io == Io::Moved) {
        result = parser_.feed({buffer, n});
        if (!result.rest.empty()) leftover_.assign(result.rest);
    }
    return io;
}

UpstreamConnection::Io UpstreamConnection::read_raw(std::string& to, size_t max_bytes) {
    char buffer[kReadChunk];
    size_t n = 0;
    const Io io = read_once(fd_.get(), buffer, std::min(sizeof buffer, max_bytes), n, readable_, hangup_seen_);
    if (io == Io::Moved) to.append(buffer, n);
    return io;
}

bool UpstreamConnection::still_idle_usable() {
    if (!readable_) return true;
    char byte;
    ssize_t n = ::recv(fd_.get(), &byte, 1, MSG_PEEK);
    if (n < 0 && would_block(errno)) {
        readable_ = false;
        return true;
    }
    return false;  // EOF, an error, or bytes no request asked for: not to be used again
}

void UpstreamConnection::on_head(const MessageHead& head) {
    if (handler_) handler_->on_head(head);
}

void UpstreamConnection::on_body(std::string_view bytes) {
    if (handler_) handler_->on_body(bytes);
}

HttpParser::Flow UpstreamConnection::on_message_end(const HeaderFields& trailers) {
    if (handler_) return handler_->on_message_end(trailers);
    return HttpParser::Flow::Pause;
}

}  // namespace hotswap
