#include "ready/sd_notify.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>

#include <fmt/core.h>

#include "core/file_descriptor.hpp"
#include "net/socket_address.hpp"

namespace hotswap {

Result<void> sd_notify_send(std::string_view message) {
    const char* socket_path = std::getenv("NOTIFY_SOCKET");
    if (!socket_path || !*socket_path) return {};
    std::string_view path = socket_path;
    if (path[0] != '/' && path[0] != '@')
        return Error::message(fmt::format("NOTIFY_SOCKET=\"{}\" is neither a path nor an abstract socket name", path));
    HS_TRY(address, unix_socket_address(path));
    FileDescriptor fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) return Error::from_errno("socket");
    ssize_t n = ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL, address.get(), address.length);
    if (n < 0) return Error::from_errno("sendto", path, errno);
    return {};
}

}  // namespace hotswap
