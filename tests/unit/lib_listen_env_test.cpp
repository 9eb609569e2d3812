// libhotswap's socket-activation rules: the pure parsing of LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES, then
// hotswap_listener() on real fds and a real environment.

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>

#include "lib/hotswap.hpp"
#include "lib/listen_env.h"

namespace {

const long kSelf = 4242;

// The library's rule (hotswap_listener_count): an unset LISTEN_PID is accepted.
int count(const char* fds, const char* pid) {
    return hotswap_internal_listen_count(fds, pid, kSelf, HOTSWAP_INTERNAL_PID_OPTIONAL);
}

// systemd's rule, hotswap's own adoption: an unset LISTEN_PID means the sockets are someone else's.
int count_own(const char* fds, const char* pid) {
    return hotswap_internal_listen_count(fds, pid, kSelf, HOTSWAP_INTERNAL_PID_REQUIRED);
}

// The index, or -errno when there is none.
int index_of(int n, const char* names, const char* name) { return hotswap_internal_listen_index(n, names, name); }

}  // namespace

TEST(LibListenCount, NothingPassedIsZero) {
    EXPECT_EQ(count(nullptr, nullptr), 0);
    EXPECT_EQ(count("", "4242"), 0);
    EXPECT_EQ(count("0", "4242"), 0);
}

TEST(LibListenCount, CountsSocketsPassedToThisProcess) {
    EXPECT_EQ(count("1", "4242"), 1);
    EXPECT_EQ(count("3", "4242"), 3);
}

TEST(LibListenCount, AcceptsAMissingPidForLaunchersThatCannotKnowIt) {
    EXPECT_EQ(count("2", nullptr), 2);
}

TEST(LibListenCount, AMissingPidIsNoneOfOursWhenAPidIsRequired) {
    EXPECT_EQ(count_own("2", nullptr), 0);
    EXPECT_EQ(count_own("x", nullptr), 0);  // not ours: not checked
    EXPECT_EQ(count_own("2", "4242"), 2);
    EXPECT_EQ(count_own("2", "4243"), 0);
    EXPECT_EQ(count_own("2", ""), -EINVAL);
}

// As sd_listen_fds() has it: a LISTEN_PID that is set must be a pid; an empty one is not.
TEST(LibListenCount, RefusesAnEmptyPid) {
    EXPECT_EQ(count("2", ""), -EINVAL);
}

// Whose variables they are is decided first: inherited ones are ignored whatever their LISTEN_FDS says.
TEST(LibListenCount, IgnoresMalformedVariablesOfAnotherProcess) {
    EXPECT_EQ(count("x", "4243"), 0);
    EXPECT_EQ(count("", "abc"), 0);  // nothing passed: nothing to check
}

TEST(LibListenCount, IgnoresVariablesMeantForAnotherProcess) {
    EXPECT_EQ(count("1", "4243"), 0);
    EXPECT_EQ(count("1", "1"), 0);
}

TEST(LibListenCount, RefusesMalformedNumbers) {
    for (auto [fds, pid] : {std::pair{"x", "4242"}, {"-1", "4242"}, {"1 ", "4242"}, {" 1", "4242"}, {"+1", "4242"},
                            {"99999999999999999999", "4242"}, {"1000000", "4242"}, {"1", "abc"}, {"1", "0"},
                            {"1", "-4242"}, {"1", "99999999999999999999999"}}) {
        EXPECT_EQ(count(fds, pid), -EINVAL) << fds << " / " << pid;
    }
}

TEST(LibListenIndex, FindsAnExactName) {
    EXPECT_EQ(index_of(2, "http:admin", "http"), 0);
    EXPECT_EQ(index_of(2, "http:admin", "admin"), 1);
    EXPECT_EQ(index_of(3, "a:b:c", "c"), 2);
}

TEST(LibListenIndex, ALoneUnnamedSocketAnswersToAnyName) {
    for (const char* names : {static_cast<const char*>(nullptr), "", "default", "unknown"}) {
        EXPECT_EQ(index_of(1, names, "http"), 0) << (names ? names : "(unset)");
        EXPECT_EQ(index_of(1, names, "default"), 0);
        EXPECT_EQ(index_of(1, names, nullptr), 0);
    }
}

TEST(LibListenIndex, DefaultAndUnknownFindTheFirstUnnamedSocket) {
    EXPECT_EQ(index_of(2, "http:unknown", "default"), 1);
    EXPECT_EQ(index_of(2, "http:default", "unknown"), 1);
    EXPECT_EQ(index_of(2, "http:", "default"), 1);
    EXPECT_EQ(index_of(2, "http", "default"), 1);  // fewer names than sockets: the rest are unnamed
    EXPECT_EQ(index_of(2, nullptr, nullptr), 0);
}

TEST(LibListenIndex, AMissingNameIsNotFound) {
    EXPECT_EQ(index_of(2, "http:admin", "metrics"), -ENOENT);
    EXPECT_EQ(index_of(2, "http:admin", "default"), -ENOENT);
    EXPECT_EQ(index_of(2, nullptr, "http"), -ENOENT);  // two unnamed sockets: "http" is neither
    EXPECT_EQ(index_of(1, "http", "admin"), -ENOENT);  // a lone *named* socket keeps its name
    EXPECT_EQ(index_of(0, nullptr, "default"), -ENOENT);
}

TEST(LibListenName, TheEntryAtAnIndexOrNothing) {
    auto name_at = [](const char* names, int index) {
        size_t length = 99;
        const char* text = hotswap_internal_listen_name(names, index, &length);
        return std::string(text, length);
    };
    EXPECT_EQ(name_at("web:admin", 0), "web");
    EXPECT_EQ(name_at("web:admin", 1), "admin");
    EXPECT_EQ(name_at("web:admin", 2), "");
    EXPECT_EQ(name_at("web::unknown", 1), "");
    EXPECT_EQ(name_at("web::unknown", 2), "unknown");
    EXPECT_EQ(name_at(nullptr, 0), "");
}

TEST(LibListenIndex, NamesAreComparedWhole) {
    EXPECT_EQ(index_of(2, "https:http2", "http"), -ENOENT);
    EXPECT_EQ(index_of(2, "h:http", "http"), 1);
}

namespace {

// Sets or unsets an environment variable for one test and puts the old value back.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value, 1);
        else ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
        else ::unsetenv(name_.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

// Puts a listening socket at fd `target` (without close-on-exec, as a launcher passes it) for one test,
// and restores whatever was there.
class PassedSocket {
public:
    explicit PassedSocket(int target) : target_(target) {
        saved_ = ::fcntl(target, F_DUPFD_CLOEXEC, 100);
        int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        EXPECT_GE(s, 0);
        EXPECT_EQ(::listen(s, 1), 0);
        if (s == target) {
            ::fcntl(s, F_SETFD, 0);  // the socket landed on the target itself: only clear close-on-exec
            return;
        }
        EXPECT_EQ(::dup2(s, target), target);  // dup2 clears FD_CLOEXEC on the copy
        ::close(s);
    }
    ~PassedSocket() {
        if (saved_ >= 0) {
            ::dup2(saved_, target_);
            ::close(saved_);
        } else {
            ::close(target_);
        }
    }
    PassedSocket(const PassedSocket&) = delete;
    PassedSocket& operator=(const PassedSocket&) = delete;

private:
    int target_;
    int saved_ = -1;
};

std::string self_pid() { return std::to_string(::getpid()); }

}  // namespace

TEST(LibListener, AdoptsThePassedSocketAndMarksItCloseOnExec) {
    PassedSocket socket(3);
    ASSERT_EQ(::fcntl(3, F_GETFD) & FD_CLOEXEC, 0);
    ScopedEnv fds("LISTEN_FDS", "1"), pid("LISTEN_PID", self_pid().c_str()), names("LISTEN_FDNAMES", "default");
    EXPECT_EQ(hotswap_listener_count(), 1);
    EXPECT_EQ(hotswap_listener("http"), 3);
    EXPECT_NE(::fcntl(3, F_GETFD) & FD_CLOEXEC, 0);
    EXPECT_EQ(hotswap::listener(), std::optional<int>(3));
}

TEST(LibListener, FindsTheSecondSocketByName) {
    PassedSocket first(3), second(4);
    ScopedEnv fds("LISTEN_FDS", "2"), pid("LISTEN_PID", self_pid().c_str()), names("LISTEN_FDNAMES", "http:admin");
    EXPECT_EQ(hotswap_listener("admin"), 4);
    EXPECT_NE(::fcntl(3, F_GETFD) & FD_CLOEXEC, 0) << "every passed fd is marked, not only the one asked for";
}

TEST(LibListener, NotSocketActivatedIsNotFound) {
    ScopedEnv fds("LISTEN_FDS", nullptr), pid("LISTEN_PID", nullptr), names("LISTEN_FDNAMES", nullptr);
    EXPECT_EQ(hotswap_listener("default"), -ENOENT);
    EXPECT_EQ(hotswap_listener_count(), 0);
    errno = 0;
    EXPECT_EQ(hotswap::listener(), std::nullopt);
    EXPECT_EQ(errno, ENOENT) << "the C++ wrapper leaves the reason in errno";
    EXPECT_EQ(hotswap::listener_count(), std::optional<int>(0));
}

TEST(LibListener, VariablesForAnotherProcessAreIgnored) {
    PassedSocket socket(3);
    ScopedEnv fds("LISTEN_FDS", "1"), pid("LISTEN_PID", "1"), names("LISTEN_FDNAMES", nullptr);
    EXPECT_EQ(hotswap_listener("default"), -ENOENT);
    EXPECT_EQ(::fcntl(3, F_GETFD) & FD_CLOEXEC, 0) << "fds that are not ours are left alone";
}

TEST(LibListener, ACountedFdThatIsNotOpenIsReported) {
    PassedSocket socket(3);
    int saved = ::fcntl(4, F_DUPFD_CLOEXEC, 100);
    ::close(4);
    ScopedEnv fds("LISTEN_FDS", "2"), pid("LISTEN_PID", self_pid().c_str()), names("LISTEN_FDNAMES", nullptr);
    EXPECT_EQ(hotswap_listener("default"), -EBADF);
    if (saved >= 0) {
        ::dup2(saved, 4);
        ::close(saved);
    }
}

TEST(LibListener, MalformedVariablesAreReported) {
    ScopedEnv fds("LISTEN_FDS", "two"), pid("LISTEN_PID", nullptr);
    EXPECT_EQ(hotswap_listener("default"), -EINVAL);
    EXPECT_EQ(hotswap_listener_count(), -EINVAL);
    errno = 0;
    EXPECT_EQ(hotswap::listener_count(), std::nullopt);
    EXPECT_EQ(errno, EINVAL);
}
