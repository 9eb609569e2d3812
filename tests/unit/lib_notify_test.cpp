// libhotswap's notify side: NOTIFY_SOCKET parsing, the STATUS text, and the datagrams themselves received
// on real sockets (a path and an abstract name), with the sender's credentials the kernel attaches.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "lib/hotswap.hpp"
#include "lib/notify_address.h"
#include "lib/notify_message.h"
#include "temp_dir.hpp"

using hotswap::testing::TempDir;

namespace {

socklen_t header_size() { return socklen_t(offsetof(sockaddr_un, sun_path)); }

}  // namespace

TEST(LibNotifyAddress, APathIsNulTerminated) {
    sockaddr_un address;
    socklen_t length = 0;
    ASSERT_EQ(hotswap_internal_notify_address("/run/app/notify", &address, &length), 0);
    EXPECT_EQ(address.sun_family, AF_UNIX);
    EXPECT_STREQ(address.sun_path, "/run/app/notify");
    EXPECT_EQ(length, header_size() + std::strlen("/run/app/notify") + 1);
}

TEST(LibNotifyAddress, AnAtSignMeansTheAbstractNamespace) {
    sockaddr_un address;
    socklen_t length = 0;
    ASSERT_EQ(hotswap_internal_notify_address("@hotswap/notify/7", &address, &length), 0);
    EXPECT_EQ(address.sun_path[0], '\0');
    EXPECT_EQ(std::string(address.sun_path + 1, std::strlen("hotswap/notify/7")), "hotswap/notify/7");
    // The length covers the NUL and the name, nothing more: abstract names are not NUL-terminated.
    EXPECT_EQ(length, header_size() + 1 + std::strlen("hotswap/notify/7"));
}

TEST(LibNotifyAddress, RefusesWhatIsNeitherAPathNorAnAbstractName) {
    sockaddr_un address;
    socklen_t length = 0;
    for (const char* bad : {"relative/notify", "vsock:2:1234", "@", "x"})
        EXPECT_EQ(hotswap_internal_notify_address(bad, &address, &length), -EAFNOSUPPORT) << bad;
}

TEST(LibNotifyAddress, RefusesNamesTooLongForSunPath) {
    sockaddr_un address;
    socklen_t length = 0;
    std::string fits = "/" + std::string(sizeof address.sun_path - 2, 'a');
    EXPECT_EQ(hotswap_internal_notify_address(fits.c_str(), &address, &length), 0);
    std::string path = "/" + std::string(sizeof address.sun_path - 1, 'a');
    EXPECT_EQ(hotswap_internal_notify_address(path.c_str(), &address, &length), -ENAMETOOLONG);
    std::string abstract_fits = "@" + std::string(sizeof address.sun_path - 1, 'a');
    EXPECT_EQ(hotswap_internal_notify_address(abstract_fits.c_str(), &address, &length), 0);
    std::string abstract = "@" + std::string(sizeof address.sun_path, 'a');
    EXPECT_EQ(hotswap_internal_notify_address(abstract.c_str(), &address, &length), -ENAMETOOLONG);
}

TEST(LibStatusMessage, PrefixesTheText) {
    char out[64];
    EXPECT_EQ(hotswap_internal_status_message(out, sizeof out, "warming caches"), std::strlen("STATUS=warming caches"));
    EXPECT_STREQ(out, "STATUS=warming caches");
}

TEST(LibStatusMessage, LineBreaksCannotAddAssignments) {
    char out[64];
    hotswap_internal_status_message(out, sizeof out, "ok\nREADY=1\r\n");
    EXPECT_STREQ(out, "STATUS=ok READY=1  ");
}

TEST(LibStatusMessage, CutsLongTextBeforeASplitCharacter) {
    char out[12];  // "STATUS=" and 4 bytes of text
    hotswap_internal_status_message(out, sizeof out, "abcdef");
    EXPECT_STREQ(out, "STATUS=abcd");
    hotswap_internal_status_message(out, sizeof out, "abc\xC3\xA9");  // "abcé": é would be split
    EXPECT_STREQ(out, "STATUS=abc");
    hotswap_internal_status_message(out, sizeof out, "\xE2\x82\xAC\xE2\x82\xAC");  // "€€": only one fits
    EXPECT_STREQ(out, "STATUS=\xE2\x82\xAC");
}

namespace {

// Sets or unsets NOTIFY_SOCKET for one test and puts the old value back.
class ScopedNotifySocket {
public:
    explicit ScopedNotifySocket(const char* value) {
        if (const char* old = std::getenv("NOTIFY_SOCKET")) old_ = old;
        if (value) ::setenv("NOTIFY_SOCKET", value, 1);
        else ::unsetenv("NOTIFY_SOCKET");
    }
    ~ScopedNotifySocket() {
        if (old_) ::setenv("NOTIFY_SOCKET", old_->c_str(), 1);
        else ::unsetenv("NOTIFY_SOCKET");
    }
    ScopedNotifySocket(const ScopedNotifySocket&) = delete;
    ScopedNotifySocket& operator=(const ScopedNotifySocket&) = delete;

private:
    std::optional<std::string> old_;
};

// A datagram socket like a supervisor's: bound to `name` (a path, or "@name"), with SO_PASSCRED.
class Receiver {
public:
    explicit Receiver(const std::string& name) : name_(name) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address;
        socklen_t length = 0;
        EXPECT_EQ(hotswap_internal_notify_address(name.c_str(), &address, &length), 0);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), length), 0) << std::strerror(errno);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
    }
    ~Receiver() {
        ::close(fd_);
        if (name_[0] == '/') ::unlink(name_.c_str());
    }
    Receiver(const Receiver&) = delete;
    Receiver& operator=(const Receiver&) = delete;

    struct Datagram {
        std::string text;
        pid_t sender = 0;
    };

    // The next datagram, already queued (sendto on a unix datagram socket is synchronous).
    Datagram next() {
        char data[8192];
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
        iovec iov{data, sizeof data};
        msghdr message{};
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        Datagram out;
        ssize_t n = ::recvmsg(fd_, &message, MSG_DONTWAIT);
        EXPECT_GE(n, 0) << "no datagram arrived: " << std::strerror(errno);
        if (n < 0) return out;
        out.text.assign(data, size_t(n));
        for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
                ucred credentials;
                std::memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
                out.sender = credentials.pid;
            }
        }
        return out;
    }

private:
    std::string name_;
    int fd_ = -1;
};

}  // namespace

TEST(LibNotify, WithoutNotifySocketNothingIsSentAndNothingFails) {
    ScopedNotifySocket unset(nullptr);
    EXPECT_EQ(hotswap_ready(), 0);
    EXPECT_EQ(hotswap_status("x"), 0);
    EXPECT_EQ(hotswap_stopping(), 0);
    EXPECT_EQ(hotswap::ready(), hotswap::Notified::no_supervisor);
    ScopedNotifySocket empty("");
    EXPECT_EQ(hotswap_ready(), 0);
}

TEST(LibNotify, SendsReadyToASocketPathWithTheSendersCredentials) {
    TempDir dir{"libhotswap-notify"};
    std::string path = dir.file("notify");
    Receiver receiver(path);
    ScopedNotifySocket env(path.c_str());
    EXPECT_EQ(hotswap_ready(), 1);
    Receiver::Datagram d = receiver.next();
    EXPECT_EQ(d.text, "READY=1");
    EXPECT_EQ(d.sender, ::getpid());
}

TEST(LibNotify, SendsToAnAbstractSocket) {
    std::string name = "@libhotswap-test/" + std::to_string(::getpid());
    Receiver receiver(name);
    ScopedNotifySocket env(name.c_str());
    EXPECT_EQ(hotswap::status("warming\ncaches"), hotswap::Notified::sent);
    EXPECT_EQ(receiver.next().text, "STATUS=warming caches");
    EXPECT_EQ(hotswap::stopping(), hotswap::Notified::sent);
    EXPECT_EQ(receiver.next().text, "STOPPING=1");
    EXPECT_EQ(hotswap::notify("READY=1\nSTATUS=up"), hotswap::Notified::sent);
    EXPECT_EQ(receiver.next().text, "READY=1\nSTATUS=up");
}

TEST(LibNotify, ALongStatusStillFitsInOneAcceptedDatagram) {
    std::string name = "@libhotswap-test-long/" + std::to_string(::getpid());
    Receiver receiver(name);
    ScopedNotifySocket env(name.c_str());
    EXPECT_EQ(hotswap_status(std::string(10000, 's').c_str()), 1);
    EXPECT_EQ(receiver.next().text.size(), size_t(HOTSWAP_NOTIFY_MAX));
    EXPECT_EQ(hotswap_notify(std::string(HOTSWAP_NOTIFY_MAX + 1, 's').c_str()), -EMSGSIZE);
}

TEST(LibNotify, ReportsErrorsAsNegativeErrno) {
    ScopedNotifySocket relative("notify.sock");
    EXPECT_EQ(hotswap_ready(), -EAFNOSUPPORT);
    ScopedNotifySocket nobody("/nonexistent-dir-for-libhotswap/notify");
    EXPECT_EQ(hotswap_ready(), -ENOENT);
    errno = 0;
    EXPECT_EQ(hotswap::ready(), hotswap::Notified::failed);
    EXPECT_EQ(errno, ENOENT);
}
