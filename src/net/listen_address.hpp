#pragma once
// ListenAddress: one `--listen [NAME=]ADDR` as the user wrote it, parsed but not yet bound.
//
// Accepted forms (DESIGN.md §8):
//   tcp://127.0.0.1:8080   127.0.0.1:8080   localhost:8080   [::1]:8080   [::]:8080
//   :8080 / *:8080 / 8080  every interface (IPv6 and IPv4 when the host has IPv6, else IPv4 only)
//   unix:///run/app.sock   unix:relative.sock   unix:@abstract-name
// NAME becomes the socket's LISTEN_FDNAMES entry; without one the name is kDefaultListenerName.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace hotswap {

// systemd calls an unnamed socket "unknown"; hotswap says "default", and libhotswap treats both (and an
// unset LISTEN_FDNAMES) as "unnamed", so a lone unnamed socket is found under any name.
inline constexpr std::string_view kDefaultListenerName = "default";

struct ListenAddress {
    enum class Kind { Tcp, Unix };
    Kind kind = Kind::Tcp;
    std::string name{kDefaultListenerName};  // LISTEN_FDNAMES entry
    std::string host;                        // Tcp: "" = every interface; IPv6 literals without brackets
    uint16_t port = 0;                       // Tcp: 0 = the kernel picks one
    std::string path;                        // Unix: a file path, or "@name" for the abstract namespace

    // "tcp://127.0.0.1:8080", "tcp://[::1]:8080", "tcp://*:8080", "unix:///run/app.sock".
    std::string display() const;
    // "127.0.0.1:8080", "[::1]:8080", ":8080" (what a client would connect to, without the scheme).
    std::string host_port() const;
};

Result<ListenAddress> parse_listen_address(std::string_view spec);

// A name LISTEN_FDNAMES can carry: 1-255 printable ASCII characters, no ':' (the separator).
bool valid_listener_name(std::string_view name);

}  // namespace hotswap
