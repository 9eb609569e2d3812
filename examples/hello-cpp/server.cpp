#include "server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <hotswap.hpp>

#include "handler.hpp"
#include "http_request.hpp"

namespace {

using namespace std::chrono_literals;

// While stopping, a connection with nothing in flight is closed once it has been quiet this long: a
// client that has just received an answer gets the time to send its next request and receive it with
// "Connection: close", instead of finding its connection closed under that request. Generous, so that a
// client descheduled for a moment on a busy machine still makes it; only idle keep-alive connections wait.
constexpr auto kIdleGraceWhileStopping = 1s;
// Whatever is still open this long after the stop signal is closed.
constexpr auto kStopDeadline = 10s;
constexpr int kSweepIntervalMs = 20;
constexpr size_t kMaxBufferedInput = 64 * 1024;

bool watch(int epoll, int fd, uint32_t events, int op = EPOLL_CTL_ADD) {
    epoll_event e{};
    e.events = events;
    e.data.fd = fd;
    return ::epoll_ctl(epoll, op, fd, &e) == 0;
}

}  // namespace

std::optional<Server> Server::create(UniqueFd listener, const sigset_t& stop_signals) {
    UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
    UniqueFd signals(::signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK));
    // Non-blocking accept: when another process shares the socket (the previous version while it
    // drains) it may take the connection epoll announced, and accept must not then block the loop.
    int flags = ::fcntl(listener.get(), F_GETFL);
    if (!epoll || !signals || flags < 0 || ::fcntl(listener.get(), F_SETFL, flags | O_NONBLOCK) != 0 ||
        !watch(epoll.get(), listener.get(), EPOLLIN) || !watch(epoll.get(), signals.get(), EPOLLIN)) {
        std::fprintf(stderr, "hello-cpp: cannot set up the event loop: %s\n", std::strerror(errno));
        return std::nullopt;
    }
    return Server(std::move(listener), std::move(epoll), std::move(signals));
}

Server::Server(UniqueFd listener, UniqueFd epoll, UniqueFd signals)
    : listener_(std::move(listener)), epoll_(std::move(epoll)), signals_(std::move(signals)) {}

int Server::run() {
    std::vector<epoll_event> events(64);
    while (!stopping_ || !connections_.empty()) {
        int timeout = stopping_ ? kSweepIntervalMs : -1;
        int n = ::epoll_wait(epoll_.get(), events.data(), int(events.size()), timeout);
        if (n < 0 && errno != EINTR) {
            std::fprintf(stderr, "hello-cpp: epoll_wait: %s\n", std::strerror(errno));
            return 1;
        }
        for (int i = 0; i < n; ++i) {
            int fd = events[size_t(i)].data.fd;
            if (listener_ && fd == listener_.get()) accept_connections();
            else if (fd == signals_.get()) begin_stopping();
            else on_connection_event(fd, events[size_t(i)].events);
        }
        if (stopping_) close_idle_connections();
    }
    std::fprintf(stderr, "hello-cpp %s stopped\n", app_version());
    return 0;
}

void Server::accept_connections() {
    for (;;) {
        int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                std::fprintf(stderr, "hello-cpp: accept: %s\n", std::strerror(errno));
            return;  // EAGAIN: the queue is empty (or another process took the connection)
        }
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (!watch(epoll_.get(), fd, EPOLLIN)) {
            ::close(fd);
            continue;
        }
        connections_[fd].fd.reset(fd);
    }
}

void Server::on_connection_event(int fd, uint32_t events) {
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    Connection& c = it->second;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_from(c);
    if (c.fd && (events & EPOLLOUT)) write_to(c);
    if (!c.fd) connections_.erase(it);
}

// Reads what has arrived, answers every complete request, writes the answers.
void Server::read_from(Connection& c) {
    char chunk[16 * 1024];
    for (;;) {
        ssize_t n = ::read(c.fd.get(), chunk, sizeof chunk);
        if (n > 0) {
            c.in.append(chunk, size_t(n));
            c.last_activity = Clock::now();
            if (c.in.size() > kMaxBufferedInput) break;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        c.fd.reset();  // the peer closed (n == 0) or the connection failed
        return;
    }
    answer_requests(c);
    write_to(c);
}

void Server::answer_requests(Connection& c) {
    while (!c.close_after_write) {
        ParseResult parsed = parse_http_request(c.in);
        if (parsed.status == ParseStatus::incomplete) return;
        if (parsed.status != ParseStatus::complete) {
            c.out += parsed.status == ParseStatus::unsupported ? respond_error(501, "Not Implemented")
                                                               : respond_error(400, "Bad Request");
            c.close_after_write = true;
            c.in.clear();
            return;
        }
        const HttpRequest& request = parsed.request;
        if (request.body_length > kMaxBufferedInput) {
            c.out += respond_error(413, "Content Too Large");
            c.close_after_write = true;
            c.in.clear();
            return;
        }
        size_t length = request.head_length + request.body_length;
        if (c.in.size() < length) return;  // the body is still arriving
        c.in.erase(0, length);
        bool closing = !request.keep_alive || stopping_;
        c.out += respond(request, closing);
        c.close_after_write = closing;
    }
}

void Server::write_to(Connection& c) {
    while (!c.out.empty()) {
        ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n > 0) {
            c.out.erase(0, size_t(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c.waiting_to_write)
                c.waiting_to_write = watch(epoll_.get(), c.fd.get(), EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
            return;
        }
        c.fd.reset();
        return;
    }
    c.last_activity = Clock::now();
    if (c.close_after_write) {
        c.fd.reset();
        return;
    }
    if (c.waiting_to_write) c.waiting_to_write = !watch(epoll_.get(), c.fd.get(), EPOLLIN, EPOLL_CTL_MOD);
}

void Server::begin_stopping() {
    signalfd_siginfo info{};
    if (::read(signals_.get(), &info, sizeof info) != ssize_t(sizeof info) || stopping_) return;
    stopping_ = true;
    stop_deadline_ = Clock::now() + kStopDeadline;
    hotswap::stopping();
    // Stop accepting: close our copy of the socket (never shutdown(): the next version shares it, and the
    // connections still queued in it are its to accept).
    listener_.reset();
    std::fprintf(stderr, "hello-cpp %s stopping (%s): finishing %zu open connections\n", app_version(),
                 strsignal(int(info.ssi_signo)), connections_.size());
}

void Server::close_idle_connections() {
    Clock::time_point now = Clock::now();
    std::erase_if(connections_, [&](const auto& entry) {
        const Connection& c = entry.second;
        bool idle = c.in.empty() && c.out.empty() && now - c.last_activity >= kIdleGraceWhileStopping;
        return idle || now >= stop_deadline_;
    });
}
