#pragma once
// Reads hotswap.toml into a Config. Every error names file:line:column and, for an unknown key, the
// nearest known one.

#include <filesystem>
#include <span>
#include <string_view>

#include "config/config.hpp"
#include "core/result.hpp"

namespace hotswap {

Result<void> read_config_file(const std::filesystem::path& file, Config& config);

// The keys of each section, for `hotswap init`, the suggestions and the docs.
struct KnownKeys {
    std::string_view section;
    std::span<const std::string_view> keys;
};
std::span<const KnownKeys> known_config_keys();

}  // namespace hotswap
