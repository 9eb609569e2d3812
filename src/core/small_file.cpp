#include "core/small_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/file_descriptor.hpp"

namespace hotswap {

Result<std::string> read_small_file(const std::filesystem::path& path, size_t limit, Oversize oversize) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Error::from_errno("open", path.string(), errno);
    std::string text;
    char buf[4096];
    // One byte past the limit tells a file of exactly `limit` bytes from a larger one.
    while (text.size() <= limit) {
        ssize_t n = ::read(fd.get(), buf, std::min(sizeof buf, limit + 1 - text.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error::from_errno("read", path.string(), errno);
        if (n == 0) return text;
        text.append(buf, size_t(n));
    }
    if (oversize == Oversize::Fail) return Error::from_errno("read", path.string(), EFBIG);
    text.resize(limit);
    return text;
}

}  // namespace hotswap
