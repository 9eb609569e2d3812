#pragma once
// SHA-256 of a file (libsodium), as lowercase hex.

#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace hotswap {

Result<std::string> sha256_file(const std::filesystem::path& path);

}  // namespace hotswap
