#pragma once
// The time slice a process asks the scheduler for (Linux 6.12+, EEVDF: sched_attr::sched_runtime for the
// normal policies). A task with a shorter slice than the one running preempts it as soon as it wakes, so
// while a reload runs hotswap gives the serving generation the shortest slice there is: a request that
// arrives while the build or the new version's start holds the CPU is answered at once, not after their
// slice. Older kernels take the call and ignore the value.

#include <sys/types.h>

#include <chrono>

namespace hotswap {

// The shortest slice the kernel grants (it clamps requests to 0.1 .. 100 ms).
inline constexpr std::chrono::nanoseconds kShortestSlice{100'000};

// Sets the slice of every thread of `leader` and of the processes below it (0: the kernel's default
// again). Threads on a real-time or the idle policy are left alone. Returns how many threads were set.
int set_time_slice(pid_t leader, std::chrono::nanoseconds slice);

}  // namespace hotswap
