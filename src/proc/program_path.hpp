#pragma once
// find_program: the file a command's first word runs, found as execvp finds it, so what hotswap checks or
// watches before a start is what the start runs.

#include <filesystem>
#include <optional>
#include <string_view>

namespace hotswap {

// PATH when the environment has none, as execvp assumes.
inline constexpr std::string_view kDefaultSearchPath = "/usr/local/bin:/usr/bin:/bin";

// A `program` with a '/' is taken relative to `cwd`; a bare name is looked up in `search_path` (PATH's
// value; an empty entry, or a relative one, is taken from `cwd`). The first executable regular file, made
// absolute and lexically normal when `cwd` is absolute; nullopt when there is none.
std::optional<std::filesystem::path> find_program(std::string_view program, const std::filesystem::path& cwd,
                                                  std::string_view search_path);

}  // namespace hotswap
