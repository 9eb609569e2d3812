#pragma once
// The environment a generation starts with: hotswap's own, less what systemd meant for hotswap itself,
// plus the config's [run] env and the socket-activation variables.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotswap {

struct AppEnvironment {
    std::vector<std::string> extra;          // [run] env, "NAME=value"
    std::vector<std::string> listen_names;   // LISTEN_FDNAMES, in fd order; empty: no sockets passed
    std::string notify_socket;               // NOTIFY_SOCKET, empty: none
    int generation = 0;
    std::string artifact;                    // HOTSWAP_ARTIFACT: the generation's copy of the build; empty: none
    uint16_t port = 0;                       // PORT: proxy mode's private port to bind; 0: left as inherited
};

// hotswap's environment without LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES and NOTIFY_SOCKET: those were
// addressed to hotswap, not to its children.
std::vector<std::string> inherited_environment();

std::vector<std::string> build_app_environment(const AppEnvironment& spec);

}  // namespace hotswap
