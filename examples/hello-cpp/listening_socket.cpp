#include "listening_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include <hotswap.hpp>

namespace {

ListeningSocket bind_port() {
    const char* port_text = std::getenv("PORT");
    int port = port_text && *port_text ? std::atoi(port_text) : 8080;
    if (port <= 0 || port > 65535) {
        std::fprintf(stderr, "hello-cpp: PORT=%s is not a port number; set PORT to 1-65535\n", port_text);
        return {};
    }
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd.get(), SOMAXCONN) != 0) {
        std::fprintf(stderr, "hello-cpp: cannot listen on 127.0.0.1:%d (%s); set PORT to a free port\n", port,
                     std::strerror(errno));
        return {};
    }
    return {std::move(fd), "127.0.0.1:" + std::to_string(port)};
}

}  // namespace

ListeningSocket take_listening_socket() {
    std::optional<int> passed_count = hotswap::listener_count();
    if (!passed_count) {
        std::fprintf(stderr, "hello-cpp: LISTEN_FDS or LISTEN_PID is malformed; fix the program that started me\n");
        return {};
    }
    if (*passed_count == 0) return bind_port();
    std::optional<int> fd = hotswap::listener();
    if (!fd) {
        std::fprintf(stderr, "hello-cpp: %d sockets were passed but none is unnamed or called \"default\" (%s); "
                     "name one \"default\"\n", *passed_count, std::strerror(errno));
        return {};
    }
    return {UniqueFd(*fd), "fd " + std::to_string(*fd) + " passed by the supervisor"};
}
