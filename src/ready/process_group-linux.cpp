#include "ready/process_group.hpp"

#include <unistd.h>

namespace hotswap {

pid_t process_group_of(pid_t pid) {
    if (pid <= 0) return -1;
    pid_t pgid = ::getpgid(pid);
    return pgid < 0 ? -1 : pgid;
}

}  // namespace hotswap
