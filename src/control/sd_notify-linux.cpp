#include "control/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdlib>

#include <fmt/core.h>

#include "core/file_descriptor.hpp"
#include "lib/notify_address.h"

namespace hotswap {

Result<void> sd_notify_send(std::string_view message) {
    const char* target = std::getenv("NOTIFY_SOCKET");
    if (!target || !*target) return {};
    // libhotswap's reading of NOTIFY_SOCKET, so hotswap and the servers linked to the library agree on it.
    sockaddr_un address{};
    socklen_t length = 0;
    int error = hotswap_internal_notify_address(target, &address, &length);
    if (error == -ENAMETOOLONG)
        return Error::message(
            fmt::format("NOTIFY_SOCKET=\"{}\" is too long for a unix socket address; use a shorter path", target));
    if (error < 0)
        return Error::message(fmt::format(
            "NOTIFY_SOCKET=\"{}\" is neither a path nor an abstract socket name; fix the service manager's setting",
            target));
    FileDescriptor fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) return Error::from_errno("socket");
    ssize_t n = ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL,
                         reinterpret_cast<const sockaddr*>(&address), length);
    if (n < 0) return Error::from_errno("sendto", target, errno);
    return {};
}

}  // namespace hotswap
