#include "build/build_priority.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>

namespace hotswap {

Result<void> lower_build_priority(pid_t group, int nice) {
    if (nice <= 0 || group <= 0) return {};  // group 0 would name hotswap's own group
    // getpriority may return -1 as a valid niceness: errno tells an error apart.
    errno = 0;
    const int own = ::getpriority(PRIO_PROCESS, 0);
    if (own == -1 && errno != 0) return Error::from_errno("getpriority");
    const int target = std::min(own + nice, kMaxBuildNice);
    // The whole group, not just its leader: the shell may already have started the build's first command.
    if (::setpriority(PRIO_PGRP, id_t(group), target) != 0) {
        if (errno == ESRCH) return {};  // the build is already over
        return Error::from_errno("setpriority");
    }
    return {};
}

}  // namespace hotswap
