#pragma once
// Where the control socket of a project lives: $XDG_RUNTIME_DIR/hotswap/<hash of the project path>.sock
// (or /tmp/hotswap-<uid>/ without XDG_RUNTIME_DIR), in a directory only the user can enter.

#include <filesystem>
#include <optional>

#include "core/result.hpp"

namespace hotswap {

// The socket path for the project at `root` (creating the 0700 directory when `create`).
Result<std::filesystem::path> control_socket_path(const std::filesystem::path& root, bool create);

// The running supervisor's socket for `start` or the nearest parent directory that has one.
std::optional<std::filesystem::path> find_control_socket(const std::filesystem::path& start);

}  // namespace hotswap
