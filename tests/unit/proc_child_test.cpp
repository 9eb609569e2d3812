// Child: the output lines and tail of a real process, its exit status after its last lines, a stop that
// ends in SIGKILL for a process ignoring the stop signal, a timeout, and a destroyed Child taking its
// whole group along. Every wait is for an event on the loop, bounded by a generous deadline.

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "proc/child.hpp"

using namespace hotswap;

namespace {

// Far longer than any of these children needs: reaching it is a failure, never a measurement.
constexpr Duration kDeadline{10'000};

std::unique_ptr<EventLoop> make_loop() {
    const int signals[] = {SIGTERM};
    return EventLoop::create(signals).value();
}

SpawnSpec shell(EventLoop& loop, const std::string& script) {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.unblock = &loop.blocked_signals();
    return spec;
}

// Runs the loop until the child has exited (or the deadline passed) and returns its wait status.
std::optional<int> run_until_exit(EventLoop& loop, std::optional<int>& status) {
    auto deadline = loop.after(kDeadline, [&] { loop.stop(1); });
    loop.run();
    if (!status) ADD_FAILURE() << "the child did not exit before the deadline";
    return status;
}

// Waits, without the loop, until `pid` (any process, not only a child of ours) has exited.
bool exits_within_deadline(pid_t pid) {
    FileDescriptor pidfd(int(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) return errno == ESRCH;  // gone already
    pollfd p{pidfd.get(), POLLIN, 0};
    return ::poll(&p, 1, int(kDeadline.count())) == 1;
}

}  // namespace

TEST(Child, DeliversLinesKeepsTheTailAndReportsTheExitAfterTheLastLine) {
    auto loop = make_loop();
    std::vector<std::string> seen;  // lines, then "exit"
    std::optional<int> status;
    auto child = Child::spawn(*loop, shell(*loop, "echo a; echo b; exit 3"), 1,
                              {[&](std::string_view line) { seen.emplace_back(line); },
                               [&](int wait_status) {
                                   seen.emplace_back("exit");
                                   status = wait_status;
                                   loop->stop(0);
                               }});
    ASSERT_TRUE(child) << child.error().to_string();
    const pid_t pid = (*child)->pid();
    EXPECT_GT(pid, 0);
    EXPECT_TRUE((*child)->running());

    ASSERT_TRUE(run_until_exit(*loop, status));
    ASSERT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 3);
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "exit"}));
    EXPECT_EQ((*child)->tail(), std::vector<std::string>{"b"});  // one line kept, the last
    EXPECT_FALSE((*child)->running());
    EXPECT_EQ((*child)->pid(), pid);  // still known, for the events about its exit
}

TEST(Child, ExecFailureIsAnError) {
    auto loop = make_loop();
    SpawnSpec spec;
    spec.argv = {"/nonexistent/hotswap-test-binary"};
    auto child = Child::spawn(*loop, spec, 5, {});
    ASSERT_FALSE(child);
    EXPECT_NE(child.error().to_string().find("no such file"), std::string::npos) << child.error().to_string();
    ::waitpid(-1, nullptr, WNOHANG);  // the failed child, which no loop reaps here
}

TEST(Child, StopKillsTheGroupAfterTheGraceWhenTheSignalIsIgnored) {
    auto loop = make_loop();
    std::optional<int> status;
    bool killing = false;
    std::unique_ptr<Child> child;
    auto spawned = Child::spawn(*loop, shell(*loop, "trap '' TERM; echo ready; exec sleep 100"), 5,
                                {[&](std::string_view line) {
                                     // Only once the trap is set, or SIGTERM would end it before the test.
                                     if (line != "ready") return;
                                     child->stop(SIGTERM, Duration(100), [&] { killing = true; });
                                     EXPECT_TRUE(child->kill_pending());
                                 },
                                 [&](int wait_status) {
                                     status = wait_status;
                                     loop->stop(0);
                                 }});
    ASSERT_TRUE(spawned) << spawned.error().to_string();
    child = std::move(*spawned);

    ASSERT_TRUE(run_until_exit(*loop, status));
    ASSERT_TRUE(WIFSIGNALED(*status));
    EXPECT_EQ(WTERMSIG(*status), SIGKILL);
    EXPECT_TRUE(killing);
}

TEST(Child, TimeoutCallsBackWhileItRuns) {
    auto loop = make_loop();
    std::optional<int> status;
    bool timed_out = false;
    auto child = Child::spawn(*loop, shell(*loop, "exec sleep 100"), 5, {{}, [&](int wait_status) {
                                                                             status = wait_status;
                                                                             loop->stop(0);
                                                                         }});
    ASSERT_TRUE(child) << child.error().to_string();
    Child& running = **child;
    running.set_timeout(Duration(50), [&] {
        timed_out = true;
        running.stop(SIGTERM, kDeadline, {});
    });

    ASSERT_TRUE(run_until_exit(*loop, status));
    EXPECT_TRUE(timed_out);
    ASSERT_TRUE(WIFSIGNALED(*status));
    EXPECT_EQ(WTERMSIG(*status), SIGTERM);
}

TEST(Child, DestroyedWhileRunningKillsItsWholeGroup) {
    auto loop = make_loop();
    std::optional<pid_t> background;
    auto child = Child::spawn(*loop, shell(*loop, "sleep 100 & echo $!; wait"), 5,
                              {[&](std::string_view line) {
                                   background = pid_t(std::stoi(std::string(line)));
                                   loop->stop(0);
                               },
                               [&](int) { ADD_FAILURE() << "a destroyed child reports no exit"; }});
    ASSERT_TRUE(child) << child.error().to_string();
    const pid_t leader = (*child)->pid();
    auto deadline = loop->after(kDeadline, [&] { loop->stop(1); });
    loop->run();
    ASSERT_TRUE(background) << "the child never printed its background job's pid";

    child->reset();

    EXPECT_TRUE(exits_within_deadline(*background));
    ASSERT_TRUE(exits_within_deadline(leader));
    int status = 0;
    ASSERT_EQ(::waitpid(leader, &status, 0), leader);  // the loop no longer watches it: collect it here
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
}
