// The private port of a generation in proxy mode (net/proxy.hpp).

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <random>

#include "net/proxy.hpp"

namespace hotswap {

namespace {

constexpr unsigned kLowestPort = 10000;
constexpr int kRandomTries = 32;

// The first port the kernel hands out to outgoing connections (net.ipv4.ip_local_port_range).
unsigned ephemeral_low() {
    unsigned low = 32768, high = 60999;
    if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "re")) {
        if (std::fscanf(f, "%u %u", &low, &high) != 2) low = 32768;
        std::fclose(f);
    }
    return low;
}

// Binds 127.0.0.1:port (0: the kernel picks) and returns the port bound, or 0 when it is taken.
Result<uint16_t> try_port(uint16_t port) {
    FileDescriptor fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return Error::from_errno("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno == EADDRINUSE || errno == EACCES) return uint16_t(0);
        return Error::from_errno("bind", "127.0.0.1", errno);
    }
    socklen_t len = sizeof addr;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) return Error::from_errno("getsockname");
    return ntohs(addr.sin_port);  // closed again: the generation binds it
}

}  // namespace

Result<uint16_t> pick_private_port() {
    // Below the ephemeral range, a port free now stays free until someone binds it on purpose; inside it, any
    // outgoing connection (a client of the proxy, even) may take it as its source port in the meantime.
    const unsigned low = ephemeral_low();
    if (low > kLowestPort + 1000) {
        static std::minstd_rand random{std::random_device{}()};
        std::uniform_int_distribution<unsigned> pick(kLowestPort, low - 1);
        for (int i = 0; i < kRandomTries; ++i) {
            HS_TRY(port, try_port(uint16_t(pick(random))));
            if (port != 0) return port;
        }
    }
    HS_TRY(port, try_port(0));
    if (port == 0) return Error::message("no free loopback port for the generation (every port is taken)");
    return port;
}

}  // namespace hotswap
