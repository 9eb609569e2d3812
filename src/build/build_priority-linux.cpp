#include "build/build_priority.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>

namespace hotswap {

Result<std::optional<int>> build_niceness(int nice) {
    if (nice <= 0) return std::optional<int>();
    // getpriority may return -1 as a valid niceness: errno tells an error apart.
    errno = 0;
    const int own = ::getpriority(PRIO_PROCESS, 0);
    if (own == -1 && errno != 0) return Error::from_errno("getpriority");
    return std::optional<int>(std::min(own + nice, kMaxBuildNice));
}

}  // namespace hotswap
