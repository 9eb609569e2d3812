#include "ready/async_connect.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace hotswap {

Result<std::vector<SocketAddress>> connect_targets(const ListenAddress& target) {
    if (target.kind == ListenAddress::Kind::Unix) {
        HS_TRY(address, unix_socket_address(target.path));
        return std::vector<SocketAddress>{address};
    }
    return resolve_tcp(target.host, target.port, false);
}

void AsyncConnect::start(std::vector<SocketAddress> targets, Callback callback) {
    cancel();
    targets_ = std::move(targets);
    next_ = 0;
    callback_ = std::move(callback);
    last_failure_ = "no address to connect to";
    try_next();
}

void AsyncConnect::cancel() {
    unregister();
    fd_.reset();
    callback_ = nullptr;
}

void AsyncConnect::unregister() {
    if (registered_) loop_.remove_fd(fd_.get());
    registered_ = false;
}

void AsyncConnect::try_next() {
    while (next_ < targets_.size()) {
        const SocketAddress& target = targets_[next_++];
        fd_.reset(::socket(target.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd_) {
            last_failure_ = std::strerror(errno);
            continue;
        }
        if (::connect(fd_.get(), target.get(), target.length) == 0) {
            finish(std::move(fd_), {});
            return;
        }
        if (errno == EINPROGRESS) {
            auto added = loop_.add_fd(fd_.get(), EPOLLOUT, [this](uint32_t) { on_writable(); });
            if (added.ok()) {
                registered_ = true;
                return;
            }
            last_failure_ = added.error().to_string();
        } else {
            last_failure_ = std::strerror(errno);
        }
        fd_.reset();
    }
    finish(FileDescriptor(), last_failure_);
}

void AsyncConnect::on_writable() {
    unregister();
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
    if (error == 0) {
        finish(std::move(fd_), {});
        return;
    }
    last_failure_ = std::strerror(error);
    fd_.reset();
    try_next();
}

void AsyncConnect::finish(FileDescriptor fd, std::string failure) {
    auto callback = std::move(callback_);
    callback_ = nullptr;
    if (callback) callback(std::move(fd), std::move(failure));  // last: may destroy *this
}

}  // namespace hotswap
