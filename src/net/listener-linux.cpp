#include "net/listener.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "net/socket_address.hpp"

namespace hotswap {

namespace {

// `option` is the command-line option the address came from (--listen, --proxy): the advice names it.
Error bind_error(const ListenAddress& address, int errnum, std::string_view option) {
    std::string what = address.display();
    switch (errnum) {
        case EADDRINUSE:
            return Error::message(fmt::format(
                "cannot listen on {}: the address is already in use (another process is listening; pick another "
                "port with {})",
                what, option));
        case EACCES:
        case EPERM:
            if (address.kind == ListenAddress::Kind::Tcp)
                return Error::message(fmt::format(
                    "cannot listen on {}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; "
                    "use a port above 1023)",
                    what));
            return Error::message(fmt::format(
                "cannot listen on {}: permission denied (make the directory writable for this user or choose "
                "another path)",
                what));
        case EADDRNOTAVAIL:
            return Error::message(fmt::format(
                "cannot listen on {}: {} is not an address of this machine (use 127.0.0.1, :PORT for every "
                "interface, or an address that `ip addr` shows)",
                what, address.host));
        case ENOENT:
        case ENOTDIR:
            return Error::message(
                fmt::format("cannot listen on {}: the directory does not exist (create it first)", what));
        default:
            return Error::from_errno("bind", what, errnum).with_context(fmt::format("cannot listen on {}", what));
    }
}

Result<FileDescriptor> bind_and_listen(const ListenAddress& address, const SocketAddress& sa, int v6only,
                                       std::string_view option) {
    FileDescriptor fd(::socket(sa.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return Error::from_errno("socket");
    int one = 1;
    if (sa.family() != AF_UNIX) {
        // SO_REUSEADDR lets hotswap restart at once while old connections sit in TIME_WAIT. Never
        // SO_REUSEPORT: see DESIGN.md §4.
        if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
            return Error::from_errno("setsockopt(SO_REUSEADDR)");
    }
    if (sa.family() == AF_INET6 &&
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) != 0)
        return Error::from_errno("setsockopt(IPV6_V6ONLY)");
    if (sa.family() == AF_UNIX && address.path[0] != '@') {
        // Linux creates the socket file with the socket inode's mode less the umask, so this is the way to get
        // 0660 without a window where the file is more open than that.
        ::fchmod(fd.get(), 0660);
    }
    if (::bind(fd.get(), sa.get(), sa.length) != 0) return bind_error(address, errno, option);
    if (::listen(fd.get(), SOMAXCONN) != 0) return Error::from_errno("listen", address.display(), errno);
    return fd;
}

// A socket file of ours left behind by a process that died is replaced; anything else at the path (a file
// that is not a socket, a live socket, another user's socket) is left alone and reported.
Result<void> clear_stale_socket_file(const ListenAddress& address, const SocketAddress& sa, std::string_view option) {
    struct stat st{};
    if (::lstat(address.path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return bind_error(address, errno, option);
    }
    if (!S_ISSOCK(st.st_mode))
        return Error::message(fmt::format(
            "cannot listen on {}: {} exists and is not a socket (remove it or choose another path)",
            address.display(), address.path));
    // Another user's socket is not ours to judge stale, let alone remove.
    if (st.st_uid != ::geteuid())
        return Error::message(fmt::format(
            "cannot listen on {}: {} belongs to another user (uid {}); choose another path",
            address.display(), address.path, st.st_uid));
    FileDescriptor probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe) return Error::from_errno("socket");
    if (::connect(probe.get(), sa.get(), sa.length) == 0 || errno == EPROTOTYPE)
        return Error::message(fmt::format(
            "cannot listen on {}: {} is in use by another process (stop it or choose another path)",
            address.display(), address.path));
    if (errno != ECONNREFUSED) return bind_error(address, errno, option);
    if (::unlink(address.path.c_str()) != 0 && errno != ENOENT) return bind_error(address, errno, option);
    return {};
}

bool has_ipv6() {
    FileDescriptor fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    return fd.valid();
}

}  // namespace

Result<Listener> Listener::bind(const ListenAddress& address, std::string_view option) {
    Listener l;
    l.address_ = address;
    if (address.kind == ListenAddress::Kind::Unix) {
        HS_TRY(sa, unix_socket_address(address.path));
        bool abstract = address.path[0] == '@';
        if (!abstract) HS_TRY_VOID(clear_stale_socket_file(address, sa, option));
        HS_TRY(fd, bind_and_listen(address, sa, 0, option));
        l.fd_ = std::move(fd);
        if (!abstract) {
            struct stat st{};
            if (::stat(address.path.c_str(), &st) == 0) {
                l.owns_file_ = true;
                l.file_dev_ = st.st_dev;
                l.file_ino_ = st.st_ino;
            }
        }
        return l;
    }

    SocketAddress chosen;
    int v6only = 1;
    if (address.host.empty() && has_ipv6()) {
        HS_TRY(any6, resolve_tcp("::", address.port, true));
        chosen = any6.front();
        v6only = 0;  // one socket for IPv6 and IPv4 clients
    } else if (address.host.empty()) {
        HS_TRY(any4, resolve_tcp("0.0.0.0", address.port, true));
        chosen = any4.front();
    } else {
        HS_TRY(candidates, resolve_tcp(address.host, address.port, true));
        chosen = candidates.front();
        for (const auto& c : candidates) {
            if (c.family() == AF_INET) {
                chosen = c;
                break;
            }
        }
    }
    HS_TRY(fd, bind_and_listen(address, chosen, v6only, option));
    HS_TRY(local, local_address(fd.get()));
    l.fd_ = std::move(fd);
    l.address_.port = local.port();
    return l;
}

Listener Listener::adopt(FileDescriptor fd, ListenAddress address) {
    Listener l;
    l.fd_ = std::move(fd);
    l.address_ = std::move(address);
    return l;
}

Listener::~Listener() { remove_socket_file(); }

Listener::Listener(Listener&& other) noexcept
    : fd_(std::move(other.fd_)),
      address_(std::move(other.address_)),
      owns_file_(std::exchange(other.owns_file_, false)),
      file_dev_(other.file_dev_),
      file_ino_(other.file_ino_) {}

Listener& Listener::operator=(Listener&& other) noexcept {
    if (this != &other) {
        remove_socket_file();
        fd_ = std::move(other.fd_);
        address_ = std::move(other.address_);
        owns_file_ = std::exchange(other.owns_file_, false);
        file_dev_ = other.file_dev_;
        file_ino_ = other.file_ino_;
    }
    return *this;
}

void Listener::remove_socket_file() {
    if (!owns_file_) return;
    owns_file_ = false;
    // Only our own file: another hotswap may have replaced it (after finding ours stale) in the meantime.
    struct stat st{};
    if (::lstat(address_.path.c_str(), &st) == 0 && st.st_dev == file_dev_ && st.st_ino == file_ino_)
        ::unlink(address_.path.c_str());
}

}  // namespace hotswap
