#include "net/socket_address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace hotswap {

uint16_t SocketAddress::port() const {
    if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
    if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
    return 0;
}

ListenAddress SocketAddress::to_listen_address() const {
    ListenAddress a;
    char text[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
        if (in->sin_addr.s_addr != htonl(INADDR_ANY)) ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        a.host = text;
        a.port = port();
    } else if (family() == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
        if (!IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr)) ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        a.host = text;
        a.port = port();
    } else if (family() == AF_UNIX) {
        a.kind = ListenAddress::Kind::Unix;
        auto* un = reinterpret_cast<const sockaddr_un*>(&storage);
        size_t n = length > offsetof(sockaddr_un, sun_path) ? length - offsetof(sockaddr_un, sun_path) : 0;
        if (n > 0 && un->sun_path[0] == '\0') {
            a.path = "@" + std::string(un->sun_path + 1, n - 1);
        } else {
            a.path = std::string(un->sun_path, ::strnlen(un->sun_path, n));
        }
    }
    return a;
}

Result<std::vector<SocketAddress>> resolve_tcp(std::string_view host, uint16_t port, bool passive) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    std::string host_text(host);
    std::string port_text = std::to_string(port);
    addrinfo* list = nullptr;
    int rc = ::getaddrinfo(host.empty() ? nullptr : host_text.c_str(), port_text.c_str(), &hints, &list);
    if (rc != 0) {
        if (rc == EAI_SYSTEM) return Error::from_errno("getaddrinfo", host_text, errno);
        return Error::message(fmt::format("cannot resolve host \"{}\": {} (check the spelling, or use an IP address)",
                                          host_text, ::gai_strerror(rc)));
    }
    std::vector<SocketAddress> out;
    for (addrinfo* ai = list; ai; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
        SocketAddress a;
        std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
        a.length = socklen_t(ai->ai_addrlen);
        out.push_back(a);
    }
    ::freeaddrinfo(list);
    if (out.empty()) return Error::message(fmt::format("host \"{}\" has no usable address", host_text));
    return out;
}

std::vector<SocketAddress> loopback_addresses(uint16_t port) {
    SocketAddress v4, v6;
    auto* in = reinterpret_cast<sockaddr_in*>(&v4.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    v4.length = sizeof(sockaddr_in);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&v6.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    in6->sin6_addr = in6addr_loopback;
    v6.length = sizeof(sockaddr_in6);
    return {v4, v6};
}

Result<SocketAddress> unix_socket_address(std::string_view path) {
    SocketAddress a;
    auto* un = reinterpret_cast<sockaddr_un*>(&a.storage);
    un->sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof un->sun_path)
        return Error::message(fmt::format("unix socket path \"{}\" must be 1-{} bytes long; use a shorter path", path,
                                          sizeof un->sun_path - 1));
    std::memcpy(un->sun_path, path.data(), path.size());
    a.length = socklen_t(offsetof(sockaddr_un, sun_path) + path.size());
    if (path[0] == '@') {
        un->sun_path[0] = '\0';  // abstract: the length, not a terminator, ends the name
    } else {
        a.length += 1;  // count the terminating NUL, as getsockname() reports it
    }
    return a;
}

Result<SocketAddress> local_address(int fd) {
    SocketAddress a;
    a.length = sizeof a.storage;
    if (::getsockname(fd, a.get(), &a.length) != 0) return Error::from_errno("getsockname");
    return a;
}

}  // namespace hotswap
