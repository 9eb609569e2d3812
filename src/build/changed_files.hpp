#pragma once
// The changed paths handed to the build and the app: a file named by HOTSWAP_CHANGED, one path a line,
// and HOTSWAP_CHANGED0, NUL-separated for names that hold a newline. Never a shell string.

#include <filesystem>
#include <string>

#include "core/result.hpp"
#include "core/change.hpp"

namespace hotswap {

// Writes both files into `dir` (rewritten in place, before the build starts) and returns the env entries
// to pass.
Result<std::vector<std::string>> write_changed_files(const std::filesystem::path& dir, const ChangeSet& changes);

}  // namespace hotswap
