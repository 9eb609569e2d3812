#pragma once
// Reads hotswap.toml into a Config, key by key through the settings table. Every error names
// file:line:column and, for an unknown key, the nearest known one.

#include <filesystem>

#include "config/config.hpp"
#include "core/result.hpp"

namespace hotswap {

Result<void> read_config_file(const std::filesystem::path& file, Config& config);

}  // namespace hotswap
