#pragma once
// ServiceDirs: where one supervised service keeps its files. The state directory holds changed-file lists
// and the artifact store: `.hotswap/` in the project, or systemd's StateDirectory= for `serve` (a
// service's working directory is often / or read-only). The runtime directory is private (0700, under
// XDG_RUNTIME_DIR or /tmp) and holds the notify socket: sockets are reached by path, and no other user may
// send READY=1. It is removed with this object.

#include <filesystem>

#include "config/config.hpp"
#include "core/result.hpp"

namespace hotswap {

class ServiceDirs {
public:
    ServiceDirs() = default;
    ~ServiceDirs();
    ServiceDirs(const ServiceDirs&) = delete;
    ServiceDirs& operator=(const ServiceDirs&) = delete;

    // Creates both (the state directory may exist already).
    Result<void> open(const Config& config);

    const std::filesystem::path& state() const { return state_; }
    std::filesystem::path notify_socket() const { return runtime_ / "notify"; }

private:
    std::filesystem::path state_;
    std::filesystem::path runtime_;
};

}  // namespace hotswap
