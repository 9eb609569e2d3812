#include "proc/time_slice.hpp"

#include <dirent.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>

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

bool parse_id(std::string_view text, pid_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && out > 0;
}

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
        const std::string task_dir = fmt::format("/proc/{}/task", pid);
        DIR* dir = ::opendir(task_dir.c_str());  // opendir uses O_CLOEXEC
        if (!dir) continue;                      // gone meanwhile
        while (dirent* d = ::readdir(dir)) {
            pid_t tid;
            if (!parse_id(d->d_name, tid)) continue;
            if (set_thread_time_slice(tid, slice)) ++set;
            // The processes this thread started (CONFIG_PROC_CHILDREN, as on every common kernel).
            std::ifstream children(fmt::format("{}/{}/children", task_dir, tid));
            for (std::string child; children >> child;)
                if (pid_t c; parse_id(child, c)) todo.push_back(c);
        }
        ::closedir(dir);
    }
    return set;
}

}  // namespace hotswap
