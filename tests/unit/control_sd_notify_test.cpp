// sd_notify_send: hotswap's own report to the service manager, read from NOTIFY_SOCKET by libhotswap's rules.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <string>

#include "control/sd_notify.hpp"
#include "core/file_descriptor.hpp"

using namespace hotswap;

namespace {

// Sets NOTIFY_SOCKET for one test, unsets it afterwards.
struct NotifySocket {
    explicit NotifySocket(const std::string& value) { ::setenv("NOTIFY_SOCKET", value.c_str(), 1); }
    ~NotifySocket() { ::unsetenv("NOTIFY_SOCKET"); }
};

}  // namespace

TEST(ControlSdNotify, NothingToDoWithoutNotifySocket) {
    ::unsetenv("NOTIFY_SOCKET");
    EXPECT_TRUE(sd_notify_send("READY=1").ok());
    NotifySocket empty("");
    EXPECT_TRUE(sd_notify_send("READY=1").ok());
}

TEST(ControlSdNotify, SendsToAnAbstractName) {
    std::string name = "hotswap-sd-notify-test-" + std::to_string(::getpid());
    FileDescriptor receiver(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    name.copy(addr.sun_path + 1, name.size());
    ASSERT_EQ(::bind(receiver.get(), reinterpret_cast<sockaddr*>(&addr),
                     socklen_t(offsetof(sockaddr_un, sun_path) + 1 + name.size())),
              0);
    NotifySocket target("@" + name);
    ASSERT_TRUE(sd_notify_send("READY=1\nSTATUS=up").ok());
    char buf[64];
    ssize_t n = ::recv(receiver.get(), buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, size_t(n)), "READY=1\nSTATUS=up");
}

TEST(ControlSdNotify, RefusesAnAddressThatIsNeitherPathNorAbstractName) {
    for (const char* bad : {"vsock:2:1234", "relative/notify", "@"}) {
        NotifySocket target(bad);
        auto r = sd_notify_send("READY=1");
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.error().to_string().find("neither a path nor an abstract socket name"), std::string::npos)
            << r.error().to_string();
    }
}

TEST(ControlSdNotify, RefusesAPathTooLongForASocketAddress) {
    NotifySocket target("/" + std::string(sizeof(sockaddr_un::sun_path), 'x'));
    auto r = sd_notify_send("READY=1");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().to_string().find("too long"), std::string::npos) << r.error().to_string();
}

TEST(ControlSdNotify, KeepsTheFailingSyscall) {
    NotifySocket target("/nonexistent-dir-for-hotswap-test/notify");
    auto r = sd_notify_send("READY=1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().to_string().rfind("sendto(", 0), 0u) << r.error().to_string();
}
