#include "proc/time_slice.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "proc/process_tree.hpp"

namespace hotswap {

namespace {

// struct sched_attr of the kernel's ABI (<linux/sched/types.h> clashes with glibc's <sched.h>).
struct SchedAttr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
    uint32_t sched_util_min;
    uint32_t sched_util_max;
};

bool set_thread_time_slice(pid_t tid, std::chrono::nanoseconds slice) {
    SchedAttr attr{};
    if (::syscall(SYS_sched_getattr, tid, &attr, sizeof attr, 0) != 0) return false;
    if (attr.sched_policy != SCHED_OTHER && attr.sched_policy != SCHED_BATCH) return false;
    attr.size = sizeof attr;
    attr.sched_flags = 0;
    attr.sched_runtime = uint64_t(slice.count());
    return ::syscall(SYS_sched_setattr, tid, &attr, 0) == 0;
}

}  // namespace

int set_time_slice(pid_t leader, std::chrono::nanoseconds slice) {
    if (leader <= 0) return 0;
    int set = 0;
    std::vector<pid_t> todo{leader};
    // A bound, not a limit anyone meets: a server's processes and threads number in the tens.
    for (int visited = 0; !todo.empty() && visited < 4096; ++visited) {
        const pid_t pid = todo.back();
        todo.pop_back();
        for (pid_t tid : threads_of(pid))
            if (set_thread_time_slice(tid, slice)) ++set;
        // The processes below it (CONFIG_PROC_CHILDREN, as on every common kernel; without it, the leader's
        // threads only).
        if (auto children = direct_children(pid)) todo.insert(todo.end(), children->begin(), children->end());
    }
    return set;
}

}  // namespace hotswap
