// InteractiveKeys on a real pseudo-terminal: raw mode while attached, keys delivered through the loop,
// the terminal restored exactly on the way out; nothing at all when the fd is not a terminal.

#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>

#include "ui/keys.hpp"

using namespace hotswap;
using namespace std::chrono_literals;

namespace {

struct Pty {
    FileDescriptor master;
    FileDescriptor slave;
    Pty() {
        master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
        if (!master || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) return;
        slave.reset(::open(::ptsname(master.get()), O_RDWR | O_NOCTTY | O_CLOEXEC));
    }
};

// Reachable from a global, so a leak checker does not count it.
InteractiveKeys* g_never_destroyed = nullptr;

tcflag_t local_flags(int fd) {
    termios t{};
    ::tcgetattr(fd, &t);
    return t.c_lflag;
}

}  // namespace

TEST(InteractiveKeys, RawWhileAttachedAndRestoredAfter) {
    Pty pty;
    ASSERT_TRUE(pty.slave) << "no pseudo-terminal available";
    const tcflag_t before = local_flags(pty.slave.get());
    ASSERT_TRUE(before & ICANON);
    ASSERT_TRUE(before & ECHO);

    const int signals[] = {SIGUSR2};
    auto loop = EventLoop::create(signals).value();
    std::string keys;
    auto attached = InteractiveKeys::attach(*loop, pty.slave.get(), [&](char key) {
        keys += key;
        if (key == 'q') loop->stop(0);
    });
    ASSERT_TRUE(attached.ok()) << attached.error().to_string();
    ASSERT_TRUE(*attached) << "a pty is a terminal: keys must be on";
    const tcflag_t raw = local_flags(pty.slave.get());
    EXPECT_FALSE(raw & ICANON) << "a key must act without Enter";
    EXPECT_FALSE(raw & ECHO);
    EXPECT_TRUE(raw & ISIG) << "Ctrl-C must still be a signal";

    ASSERT_EQ(::write(pty.master.get(), "rbhq", 4), 4);
    auto deadline = loop->after(30s, [&] { loop->stop(1); });
    EXPECT_EQ(loop->run(), 0);
    EXPECT_EQ(keys, "rbhq");

    attached->reset();
    const tcflag_t after = local_flags(pty.slave.get());
    EXPECT_EQ(after, before) << "the terminal must come back exactly as it was";
}

TEST(InteractiveKeys, ExplicitRestoreIsIdempotent) {
    Pty pty;
    ASSERT_TRUE(pty.slave);
    const tcflag_t before = local_flags(pty.slave.get());
    const int signals[] = {SIGUSR2};
    auto loop = EventLoop::create(signals).value();
    auto keys = InteractiveKeys::attach(*loop, pty.slave.get(), [](char) {}).value();
    ASSERT_TRUE(keys);
    keys->restore();
    EXPECT_EQ(local_flags(pty.slave.get()), before);
    keys->restore();
    keys.reset();
    EXPECT_EQ(local_flags(pty.slave.get()), before);
    // And once restored, a second terminal can be attached.
    auto again = InteractiveKeys::attach(*loop, pty.slave.get(), [](char) {}).value();
    EXPECT_TRUE(again);
}

TEST(InteractiveKeys, RestoredAtExitToo) {
    Pty pty;
    ASSERT_TRUE(pty.slave);
    const tcflag_t before = local_flags(pty.slave.get());
    pid_t child = ::fork();
    if (child == 0) {
        // A child that attaches and then leaves through exit() without destroying anything.
        const int signals[] = {SIGUSR2};
        auto loop = EventLoop::create(signals);
        if (!loop) ::_exit(10);
        auto keys = InteractiveKeys::attach(**loop, pty.slave.get(), [](char) {});
        if (!keys || !*keys) ::_exit(11);
        if (local_flags(pty.slave.get()) & ICANON) ::_exit(12);
        g_never_destroyed = keys->release();  // no destructor will run: only the atexit path can restore it
        std::exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    ASSERT_EQ(WEXITSTATUS(status), 0);
    EXPECT_EQ(local_flags(pty.slave.get()), before);
}

TEST(InteractiveKeys, RestoredWhenTheProcessCrashes) {
    Pty pty;
    ASSERT_TRUE(pty.slave);
    const tcflag_t before = local_flags(pty.slave.get());
    pid_t child = ::fork();
    if (child == 0) {
        const int signals[] = {SIGUSR2};
        auto loop = EventLoop::create(signals);
        if (!loop) ::_exit(10);
        auto keys = InteractiveKeys::attach(**loop, pty.slave.get(), [](char) {});
        if (!keys || !*keys) ::_exit(11);
        auto restored = InteractiveKeys::attach(**loop, pty.slave.get(), [](char) {});  // refused: one at a time
        if (!restored || *restored) ::_exit(13);
        std::abort();
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status)) << status;
    EXPECT_EQ(local_flags(pty.slave.get()), before);
}

TEST(InteractiveKeys, OffWhenNotATerminal) {
    auto pipe = make_pipe().value();
    const int signals[] = {SIGUSR2};
    auto loop = EventLoop::create(signals).value();
    auto keys = InteractiveKeys::attach(*loop, pipe.read.get(), [](char) {});
    ASSERT_TRUE(keys.ok());
    EXPECT_FALSE(*keys);
    EXPECT_FALSE(is_foreground_terminal(pipe.read.get()));
}
