#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "core/line_splitter.hpp"
#include "proc/process.hpp"

using namespace hotswap;
using namespace std::chrono_literals;

TEST(Duration, ParsesUnits) {
    EXPECT_EQ(parse_duration("500ms").value(), 500ms);
    EXPECT_EQ(parse_duration("10s").value(), 10s);
    EXPECT_EQ(parse_duration("1.5s").value(), 1500ms);
    EXPECT_EQ(parse_duration("2m").value(), 120s);
    EXPECT_EQ(parse_duration("1h").value(), 3600s);
}

TEST(Duration, RefusesBareNumbersAndJunk) {
    for (auto bad : {"", "10", "s", "10x", "-1s", "1e99h", "ms"}) {
        auto r = parse_duration(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.error().to_string().find("500ms, 10s"), std::string::npos);
    }
}

TEST(Duration, Formats) {
    EXPECT_EQ(format_duration(Duration(4)), "4 ms");
    EXPECT_EQ(format_duration(Duration(1240)), "1.24 s");
    EXPECT_EQ(format_duration(Duration(125'000)), "2 min 5 s");
}

TEST(LineSplitter, JoinsChunksAndCapsLongLines) {
    std::vector<std::string> lines;
    LineSplitter s([&](std::string_view l) { lines.emplace_back(l); }, 8);
    s.feed("ab");
    s.feed("c\r\nde\nfghijklmnop");
    s.finish();
    EXPECT_EQ(lines, (std::vector<std::string>{"abc", "de", "fghijklm", "nop"}));
}

TEST(EventLoop, TimersFireInOrderAndCancel) {
    auto loop = EventLoop::create({}).value();
    std::vector<int> order;
    auto second = loop->after(20ms, [&] { order.push_back(2); });
    auto cancelled = loop->after(5ms, [&] { order.push_back(99); });
    auto first = loop->after(1ms, [&] { order.push_back(1); });
    auto last = loop->after(30ms, [&] { loop->stop(7); });
    cancelled.cancel();
    EXPECT_EQ(loop->run(), 7);
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(EventLoop, TimerCancelsItselfWhenDestroyedOrReassigned) {
    auto loop = EventLoop::create({}).value();
    std::vector<int> fired;
    {
        auto dropped = loop->after(1ms, [&] { fired.push_back(1); });
    }
    auto reassigned = loop->after(2ms, [&] { fired.push_back(2); });
    reassigned = loop->after(3ms, [&] { fired.push_back(3); });
    EXPECT_TRUE(reassigned.armed());
    EventLoop::Timer moved = std::move(reassigned);
    EXPECT_FALSE(reassigned.armed());
    EXPECT_TRUE(moved.armed());
    auto last = loop->after(10ms, [&] { loop->stop(0); });
    EXPECT_EQ(loop->run(), 0);
    EXPECT_EQ(fired, (std::vector<int>{3}));
    EXPECT_FALSE(moved.armed());  // it fired
    moved.cancel();               // a fired timer cancels as a no-op
    EventLoop::Timer empty;
    EXPECT_FALSE(empty.armed());
}

TEST(EventLoop, AManualClockFiresTimersOnlyWhenAdvancedAndInOrder) {
    auto loop = EventLoop::create_manual().value();
    const auto start = loop->now();
    std::vector<std::string> order;
    EventLoop::Timer chained;
    auto late = loop->after(50ms, [&] { order.push_back("late"); });
    auto early = loop->after(10ms, [&] {
        order.push_back("early");
        // A timer armed from a timer counts from the clock's time then, and fires within the same advance.
        chained = loop->after(5ms, [&] { order.push_back("chained"); });
        loop->post([&] { order.push_back("posted"); });
    });
    loop->advance(9ms);
    EXPECT_TRUE(order.empty());
    EXPECT_EQ(loop->now() - start, 9ms);
    loop->advance(10ms);
    EXPECT_EQ(order, (std::vector<std::string>{"early", "posted", "chained"}));
    EXPECT_TRUE(late.armed());
    loop->advance(1h);
    EXPECT_EQ(order, (std::vector<std::string>{"early", "posted", "chained", "late"}));
    EXPECT_EQ(loop->now() - start, 19ms + 1h);
}

TEST(EventLoop, ReportsChildExitThroughPidfd) {
    const int signals[] = {SIGTERM};
    auto loop = EventLoop::create(signals).value();
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "exit 3"};
    spec.unblock = &loop->blocked_signals();
    auto proc = Process::spawn(spec);
    ASSERT_TRUE(proc.ok()) << proc.error().to_string();
    int got = -1;
    ASSERT_TRUE(loop->watch_child(proc->pid(), proc->pidfd(), [&](int status) {
        got = status;
        loop->stop(0);
    }).ok());
    loop->run();
    ASSERT_TRUE(WIFEXITED(got));
    EXPECT_EQ(WEXITSTATUS(got), 3);
}

TEST(EventLoop, DeliversSignals) {
    const int signals[] = {SIGUSR1};
    auto loop = EventLoop::create(signals).value();
    bool seen = false;
    loop->on_signal(SIGUSR1, [&](const auto&) {
        seen = true;
        loop->stop(0);
    });
    ::kill(::getpid(), SIGUSR1);
    loop->run();
    EXPECT_TRUE(seen);
}

TEST(Process, ExecFailureIsAnErrorNotAChild) {
    SpawnSpec spec;
    spec.argv = {"definitely-not-a-command-hotswap"};
    auto proc = Process::spawn(spec);
    ASSERT_FALSE(proc.ok());
    EXPECT_NE(proc.error().to_string().find("no such file or command"), std::string::npos);
    ::waitpid(-1, nullptr, 0);
}

TEST(Process, SignalNames) {
    EXPECT_EQ(parse_signal("TERM").value(), SIGTERM);
    EXPECT_EQ(parse_signal("sigint").value(), SIGINT);
    EXPECT_EQ(parse_signal("9").value(), SIGKILL);
    EXPECT_FALSE(parse_signal("TERMINATE").ok());
    EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
}
