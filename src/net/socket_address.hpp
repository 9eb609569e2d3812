#pragma once
// SocketAddress: a sockaddr the kernel understands, built from a ListenAddress or read back with
// getsockname(). Shared by the listeners (bind) and the readiness probes (connect).

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "net/listen_address.hpp"

namespace hotswap {

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    int family() const { return storage.ss_family; }
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
    sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
    // The TCP port, 0 for anything else.
    uint16_t port() const;
    // Back to the user's notation (kind, host, port or path); the name is left at its default.
    ListenAddress to_listen_address() const;
};

// Resolves host:port for TCP. Numeric addresses never touch DNS. An empty host means every interface when
// `passive` (binding) and the loopback addresses otherwise (connecting).
Result<std::vector<SocketAddress>> resolve_tcp(std::string_view host, uint16_t port, bool passive);

// An AF_UNIX address; "@name" is the abstract namespace.
Result<SocketAddress> unix_socket_address(std::string_view path);

// A generation's private port on loopback, in the order to try: 127.0.0.1, then ::1 (a server told to bind
// "localhost" may get either family; 127.0.0.1 is the common case).
std::vector<SocketAddress> loopback_addresses(uint16_t port);

// getsockname() of `fd`.
Result<SocketAddress> local_address(int fd);

}  // namespace hotswap
