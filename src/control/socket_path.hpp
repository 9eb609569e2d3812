#pragma once
// Where the control socket of a project lives: $XDG_RUNTIME_DIR/hotswap/<hash of the project path>.sock,
// or $TMPDIR/hotswap-<uid>/ without XDG_RUNTIME_DIR, in a directory only the user can enter (0700). The
// socket is named after the project's canonical path, so a client finds it from any subdirectory by
// walking up. HOTSWAP_CONTROL_SOCKET=PATH overrides both ends (containers, sidecars, tests).

#include <filesystem>
#include <optional>

#include "core/result.hpp"

namespace hotswap {

// The socket path for the project at `root` (creating the 0700 directory when `create`).
Result<std::filesystem::path> control_socket_path(const std::filesystem::path& root, bool create);

// The running supervisor's socket for `start` or the nearest parent directory that has one.
std::optional<std::filesystem::path> find_control_socket(const std::filesystem::path& start);

}  // namespace hotswap
