#pragma once
// read_small_file: a whole file that is known to be small (a key, a signature, a /proc entry), read with one
// fd and a byte limit, so a wrong path to a huge file never fills memory.

#include <cstddef>
#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace hotswap {

// What to do with a file that holds more than the limit.
enum class Oversize {
    Fail,  // the error EFBIG of "read": the caller says what the file should have been
    Cut,   // the first `limit` bytes are enough (a /proc file read for one field)
};

// The file's bytes, at most `limit`. Errors keep the failing syscall and the path: "open(/x): No such file
// or directory"; with Oversize::Fail a larger file is "read(/x): File too large", errnum() EFBIG.
Result<std::string> read_small_file(const std::filesystem::path& path, size_t limit,
                                    Oversize oversize = Oversize::Fail);

}  // namespace hotswap
