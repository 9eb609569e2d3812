// The time slice of a process tree: every thread of the leader and of the processes below it, and back.

#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>

#include "proc/process.hpp"
#include "proc/time_slice.hpp"

using namespace hotswap;
using namespace std::chrono_literals;

namespace {

// The slice a thread runs with, from sched_getattr (0 where the kernel has no per-task slice).
uint64_t slice_of(pid_t tid) {
    struct {
        uint32_t size, policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime, deadline, period;
        uint32_t util_min, util_max;
    } attr{};
    if (::syscall(SYS_sched_getattr, tid, &attr, sizeof attr, 0) != 0) return 0;
    return attr.runtime;
}

// The pid of LEADER's first child, once it has one.
pid_t first_child(pid_t leader) {
    for (int i = 0; i < 2000; ++i) {
        std::ifstream children("/proc/" + std::to_string(leader) + "/task/" + std::to_string(leader) + "/children");
        pid_t child = 0;
        if (children >> child && child > 0) return child;
        std::this_thread::sleep_for(1ms);
    }
    return 0;
}

}  // namespace

TEST(TimeSlice, SetsTheLeaderAndItsChildrenThenGivesTheDefaultBack) {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "sleep 30 & wait"};
    spec.env = {"PATH=/usr/bin:/bin"};
    auto process = Process::spawn(spec);
    ASSERT_TRUE(process) << process.error().to_string();
    const pid_t leader = process->pid();
    const pid_t child = first_child(leader);
    ASSERT_GT(child, 0) << "the shell started no child";
    const uint64_t before = slice_of(leader);
    if (before == 0) GTEST_SKIP() << "this kernel has no per-task time slice (Linux 6.12+)";

    EXPECT_GE(set_time_slice(leader, kShortestSlice), 2);
    EXPECT_EQ(slice_of(leader), uint64_t(kShortestSlice.count()));
    EXPECT_EQ(slice_of(child), uint64_t(kShortestSlice.count())) << "a process below the leader";

    EXPECT_GE(set_time_slice(leader, 0ns), 2);
    EXPECT_EQ(slice_of(leader), before) << "the kernel's default again";
    EXPECT_EQ(slice_of(child), before);
}

TEST(TimeSlice, AProcessThatIsGoneIsNoError) {
    EXPECT_EQ(set_time_slice(0x3ffffff, kShortestSlice), 0);
    EXPECT_EQ(set_time_slice(0, kShortestSlice), 0);
}
