#include "supervise/app_environment.hpp"

#include <fmt/core.h>
#include <fmt/format.h>

extern char** environ;

namespace hotswap {

namespace {
bool addressed_to_hotswap(std::string_view entry) {
    for (std::string_view name : {"LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES=", "NOTIFY_SOCKET=",
                                  "HOTSWAP_GENERATION=", "HOTSWAP_CHANGED=", "HOTSWAP_CHANGED0=",
                                  "HOTSWAP_ARTIFACT="})
        if (entry.starts_with(name)) return true;
    return false;
}

void set(std::vector<std::string>& env, std::string_view name, std::string_view value) {
    std::string prefix = fmt::format("{}=", name);
    std::erase_if(env, [&](const std::string& e) { return e.starts_with(prefix); });
    env.push_back(prefix + std::string(value));
}
}  // namespace

std::vector<std::string> inherited_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e)
        if (!addressed_to_hotswap(*e)) env.emplace_back(*e);
    return env;
}

std::vector<std::string> build_app_environment(const AppEnvironment& spec) {
    std::vector<std::string> env = inherited_environment();
    for (const auto& entry : spec.extra) {
        auto eq = entry.find('=');
        set(env, std::string_view(entry).substr(0, eq), eq == std::string::npos ? "" : std::string_view(entry).substr(eq + 1));
    }
    if (!spec.listen_names.empty()) {
        set(env, "LISTEN_FDS", std::to_string(spec.listen_names.size()));
        set(env, "LISTEN_FDNAMES", fmt::format("{}", fmt::join(spec.listen_names, ":")));
    }
    if (!spec.notify_socket.empty()) set(env, "NOTIFY_SOCKET", spec.notify_socket);
    // Also how hotswap recognises, in /proc/PID/environ, an orphan this generation left behind.
    set(env, "HOTSWAP_GENERATION", std::to_string(spec.generation));
    if (!spec.artifact.empty()) set(env, "HOTSWAP_ARTIFACT", spec.artifact);
    if (spec.port != 0) set(env, "PORT", std::to_string(spec.port));
    return env;
}

}  // namespace hotswap
