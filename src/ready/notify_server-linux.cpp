#include "ready/notify_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "net/socket_address.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {

// systemd's own limit for a notification; anything larger is not a notify message.
constexpr size_t kMaxDatagram = 4096;
// Room for credentials plus a few passed fds (FDSTORE=1 senders), which are closed unread.
constexpr size_t kControlSize = CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * 16);

}  // namespace

Result<std::unique_ptr<NotifyServer>> NotifyServer::create(EventLoop& loop, std::string path, Callback on_message) {
    HS_TRY(address, unix_socket_address(path));
    auto server = std::make_unique<NotifyServer>(PassKey(), loop, std::move(path), std::move(on_message));
    const std::string& p = server->path_;
    if (p[0] != '@') {
        struct stat st{};
        if (::lstat(p.c_str(), &st) == 0) {
            if (!S_ISSOCK(st.st_mode))
                return Error::message(fmt::format(
                    "cannot create the notify socket: {} exists and is not a socket (remove it)", p));
            // A datagram socket file left by an earlier hotswap: nobody can be receiving on our private path.
            if (::unlink(p.c_str()) != 0) return Error::from_errno("unlink", p, errno);
        }
    }
    server->fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!server->fd_) return Error::from_errno("socket");
    int one = 1;
    if (::setsockopt(server->fd_.get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0)
        return Error::from_errno("setsockopt(SO_PASSCRED)");
    if (::bind(server->fd_.get(), address.get(), address.length) != 0)
        return Error::from_errno("bind", p, errno).with_context("cannot create the notify socket");
    NotifyServer* self = server.get();
    HS_TRY_VOID(loop.add_fd(server->fd_.get(), EPOLLIN, [self](uint32_t) { self->on_readable(); }));
    server->registered_ = true;
    return server;
}

NotifyServer::NotifyServer(PassKey, EventLoop& loop, std::string path, Callback on_message)
    : loop_(loop), path_(std::move(path)), on_message_(std::move(on_message)) {}

NotifyServer::~NotifyServer() {
    if (registered_) loop_.remove_fd(fd_.get());
    if (fd_ && !path_.empty() && path_[0] != '@') ::unlink(path_.c_str());
}

void NotifyServer::on_readable() {
    // Drain everything queued: several generations may have written since the last wake-up.
    for (;;) {
        char data[kMaxDatagram + 1];
        alignas(cmsghdr) char control[kControlSize];
        iovec iov{data, kMaxDatagram};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) Console::get().debug(fmt::format("notify socket: recvmsg: {}", std::strerror(errno)));
            return;
        }
        const ucred* cred = nullptr;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET) continue;
            if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
                cred = reinterpret_cast<const ucred*>(CMSG_DATA(c));
            } else if (c->cmsg_type == SCM_RIGHTS) {
                // Passed fds are not kept (no fd store): close them so they cannot pile up in hotswap.
                size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < count; ++i) {
                    int fd;
                    std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                    ::close(fd);
                }
            }
        }
        if (size_t(n) > kMaxDatagram || (msg.msg_flags & MSG_TRUNC)) {
            Console::get().debug(fmt::format("notify socket: dropped a datagram of {} bytes (limit {})", n, kMaxDatagram));
            continue;
        }
        if (!cred || cred->pid <= 0) {
            Console::get().debug("notify socket: dropped a datagram without sender credentials");
            continue;
        }
        on_message_(parse_notify_message(std::string_view(data, size_t(n)), cred->pid));
    }
}

}  // namespace hotswap
