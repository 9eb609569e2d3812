#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "net/listener.hpp"
#include "net/socket_address.hpp"
#include "temp_dir.hpp"

using namespace hotswap;

using hotswap::testing::TempDir;

namespace {

ListenAddress addr(std::string_view spec) { return parse_listen_address(spec).value(); }

bool connects_tcp(const char* ip, uint16_t port) {
    auto targets = resolve_tcp(ip, port, false).value();
    FileDescriptor c(::socket(targets[0].family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    return ::connect(c.get(), targets[0].get(), targets[0].length) == 0;
}

bool connects_unix(const std::string& path) {
    auto sa = unix_socket_address(path).value();
    FileDescriptor c(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    return ::connect(c.get(), sa.get(), sa.length) == 0;
}

bool is_cloexec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

// Moves whatever the test process holds at fds 3.. out of the way, so sockets can be placed there as
// systemd would, and puts it back afterwards.
class SystemdFds {
public:
    explicit SystemdFds(int count) : count_(count) {
        for (int i = 0; i < count_; ++i) saved_.push_back(::fcntl(3 + i, F_DUPFD_CLOEXEC, 100));
    }
    ~SystemdFds() {
        for (int i = 0; i < count_; ++i) {
            if (saved_[size_t(i)] >= 0) {
                ::dup3(saved_[size_t(i)], 3 + i, O_CLOEXEC);
                ::close(saved_[size_t(i)]);
            }
        }
    }
    // Places `fd` at 3+i without FD_CLOEXEC, as an exec'ing parent would have.
    void place(int i, int fd) { ASSERT_EQ(::dup2(fd, 3 + i), 3 + i); }

private:
    int count_;
    std::vector<int> saved_;
};

}  // namespace

TEST(NetListener, BindsTcpOnKernelChosenPort) {
    auto l = Listener::bind(addr("127.0.0.1:0"));
    ASSERT_TRUE(l.ok()) << l.error().to_string();
    EXPECT_NE(l->bound_port(), 0);
    EXPECT_EQ(l->address().port, l->bound_port());
    EXPECT_TRUE(is_cloexec(l->fd()));
    int v = 0;
    socklen_t len = sizeof v;
    ASSERT_EQ(::getsockopt(l->fd(), SOL_SOCKET, SO_REUSEADDR, &v, &len), 0);
    EXPECT_EQ(v, 1);
    ASSERT_EQ(::getsockopt(l->fd(), SOL_SOCKET, SO_REUSEPORT, &v, &len), 0);
    EXPECT_EQ(v, 0);
    ASSERT_EQ(::getsockopt(l->fd(), SOL_SOCKET, SO_ACCEPTCONN, &v, &len), 0);
    EXPECT_EQ(v, 1);
    EXPECT_TRUE(connects_tcp("127.0.0.1", l->bound_port()));
}

TEST(NetListener, AllInterfacesAcceptsIpv4AndIpv6) {
    auto l = Listener::bind(addr(":0"));
    ASSERT_TRUE(l.ok()) << l.error().to_string();
    EXPECT_TRUE(connects_tcp("127.0.0.1", l->bound_port()));
    auto local = local_address(l->fd()).value();
    if (local.family() == AF_INET6) {
        EXPECT_TRUE(connects_tcp("::1", l->bound_port()));
    }
}

TEST(NetListener, ExplicitIpv6IsV6Only) {
    auto l = Listener::bind(addr("[::1]:0"));
    if (!l.ok()) GTEST_SKIP() << "no IPv6 loopback: " << l.error().to_string();
    int v = 0;
    socklen_t len = sizeof v;
    ASSERT_EQ(::getsockopt(l->fd(), IPPROTO_IPV6, IPV6_V6ONLY, &v, &len), 0);
    EXPECT_EQ(v, 1);
    EXPECT_TRUE(connects_tcp("::1", l->bound_port()));
}

TEST(NetListener, AddressInUseSaysWhatToDo) {
    auto first = Listener::bind(addr("127.0.0.1:0"));
    ASSERT_TRUE(first.ok());
    auto again = Listener::bind(addr("127.0.0.1:" + std::to_string(first->bound_port())));
    ASSERT_FALSE(again.ok());
    auto msg = again.error().to_string();
    EXPECT_EQ(msg, "cannot listen on tcp://127.0.0.1:" + std::to_string(first->bound_port()) +
                       ": the address is already in use (another process is listening; pick another port with "
                       "--listen)");
    // An address given with --proxy: the advice names --proxy, the option to change.
    auto proxy = Listener::bind(addr("127.0.0.1:" + std::to_string(first->bound_port())), "--proxy");
    ASSERT_FALSE(proxy.ok());
    EXPECT_NE(proxy.error().to_string().find("pick another port with --proxy)"), std::string::npos)
        << proxy.error().to_string();
    EXPECT_EQ(proxy.error().to_string().find("--listen"), std::string::npos) << proxy.error().to_string();
}

TEST(NetListener, ForeignAddressIsExplained) {
    // 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface.
    auto l = Listener::bind(addr("192.0.2.1:0"));
    ASSERT_FALSE(l.ok());
    EXPECT_NE(l.error().to_string().find("is not an address of this machine"), std::string::npos)
        << l.error().to_string();
}

TEST(NetListener, UnixSocketIsCreatedWithModeAndRemoved) {
    TempDir dir{"hotswap-net"};
    std::string path = dir.file("app.sock");
    {
        auto l = Listener::bind(addr("unix://" + path));
        ASSERT_TRUE(l.ok()) << l.error().to_string();
        EXPECT_TRUE(is_cloexec(l->fd()));
        struct stat st{};
        ASSERT_EQ(::stat(path.c_str(), &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_EQ(st.st_mode & 0007, 0u) << std::oct << st.st_mode;  // never world-accessible
        EXPECT_TRUE(connects_unix(path));
        // Moving keeps exactly one owner of the file.
        Listener moved = std::move(l.value());
        EXPECT_TRUE(std::filesystem::exists(path));
    }
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(NetListener, UnixStaleSocketIsReplaced) {
    TempDir dir{"hotswap-net"};
    std::string path = dir.file("stale.sock");
    {
        // A socket file nobody accepts on: bound, then closed without unlinking.
        auto sa = unix_socket_address(path).value();
        FileDescriptor s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        ASSERT_EQ(::bind(s.get(), sa.get(), sa.length), 0);
    }
    ASSERT_TRUE(std::filesystem::exists(path));
    auto l = Listener::bind(addr("unix://" + path));
    ASSERT_TRUE(l.ok()) << l.error().to_string();
    EXPECT_TRUE(connects_unix(path));
}

TEST(NetListener, UnixLiveSocketIsNotStolen) {
    TempDir dir{"hotswap-net"};
    std::string path = dir.file("live.sock");
    auto first = Listener::bind(addr("unix://" + path));
    ASSERT_TRUE(first.ok());
    auto second = Listener::bind(addr("unix://" + path));
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.error().to_string().find("is in use by another process"), std::string::npos);
    EXPECT_TRUE(connects_unix(path));
}

TEST(NetListener, UnixRegularFileIsNotRemoved) {
    TempDir dir{"hotswap-net"};
    std::string path = dir.file("data");
    FileDescriptor f(::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
    ASSERT_TRUE(f.valid());
    auto l = Listener::bind(addr("unix://" + path));
    ASSERT_FALSE(l.ok());
    EXPECT_NE(l.error().to_string().find("exists and is not a socket"), std::string::npos);
    EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

TEST(NetListener, UnixMissingDirectory) {
    TempDir dir{"hotswap-net"};
    auto l = Listener::bind(addr("unix://" + dir.file("no/such/dir.sock")));
    ASSERT_FALSE(l.ok());
    EXPECT_NE(l.error().to_string().find("directory does not exist"), std::string::npos) << l.error().to_string();
}

TEST(NetListener, AbstractUnixSocket) {
    std::string name = "@hotswap-test-" + std::to_string(::getpid());
    auto l = Listener::bind(addr("unix:" + name));
    ASSERT_TRUE(l.ok()) << l.error().to_string();
    EXPECT_TRUE(connects_unix(name));
    EXPECT_EQ(local_address(l->fd()).value().to_listen_address().path, name);
}

TEST(NetSystemdListeners, EmptyWhenNotSocketActivated) {
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_PID");
    auto l = adopt_systemd_listeners();
    ASSERT_TRUE(l.ok());
    EXPECT_TRUE(l->empty());
}

TEST(NetSystemdListeners, IgnoresVariablesMeantForAnotherProcess) {
    ::setenv("LISTEN_FDS", "1", 1);
    ::setenv("LISTEN_PID", std::to_string(::getpid() + 1).c_str(), 1);
    auto l = adopt_systemd_listeners();
    ASSERT_TRUE(l.ok());
    EXPECT_TRUE(l->empty());
    EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr);
}

// --no-listen-pid's variables are for an app behind a forking shell, not for a hotswap below it.
TEST(NetSystemdListeners, IgnoresVariablesWithoutAPid) {
    ::setenv("LISTEN_FDS", "1", 1);
    ::unsetenv("LISTEN_PID");
    auto l = adopt_systemd_listeners();
    ASSERT_TRUE(l.ok()) << l.error().to_string();
    EXPECT_TRUE(l->empty());
    EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr);
}

TEST(NetSystemdListeners, RefusesAMalformedPid) {
    ::setenv("LISTEN_FDS", "1", 1);
    ::setenv("LISTEN_PID", "", 1);
    auto r = adopt_systemd_listeners();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().to_string().find("LISTEN_PID=\"\""), std::string::npos) << r.error().to_string();
    EXPECT_EQ(std::getenv("LISTEN_PID"), nullptr);
}

TEST(NetSystemdListeners, AdoptsNamedSocketsAndUnsetsTheEnvironment) {
    TempDir dir{"hotswap-net"};
    auto tcp = Listener::bind(addr("127.0.0.1:0")).value();
    auto unix_l = Listener::bind(addr("unix://" + dir.file("s.sock"))).value();
    uint16_t port = tcp.bound_port();
    {
        SystemdFds fds(2);
        fds.place(0, tcp.fd());
        fds.place(1, unix_l.fd());
        ::setenv("LISTEN_FDS", "2", 1);
        ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
        ::setenv("LISTEN_FDNAMES", "web:admin", 1);
        auto r = adopt_systemd_listeners();
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        ASSERT_EQ(r->size(), 2u);
        auto& l = r.value();
        EXPECT_EQ(l[0].fd(), 3);
        EXPECT_EQ(l[0].address().name, "web");
        EXPECT_EQ(l[0].address().display(), "tcp://127.0.0.1:" + std::to_string(port));
        EXPECT_EQ(l[0].bound_port(), port);
        EXPECT_TRUE(is_cloexec(3));
        EXPECT_EQ(l[1].address().name, "admin");
        EXPECT_EQ(l[1].address().kind, ListenAddress::Kind::Unix);
        EXPECT_EQ(l[1].address().path, dir.file("s.sock"));
        EXPECT_TRUE(is_cloexec(4));
        EXPECT_EQ(std::getenv("LISTEN_FDS"), nullptr);
        EXPECT_EQ(std::getenv("LISTEN_PID"), nullptr);
        EXPECT_EQ(std::getenv("LISTEN_FDNAMES"), nullptr);
        EXPECT_TRUE(connects_tcp("127.0.0.1", port));
        // Close fds 3 and 4 before SystemdFds puts the test's own fds back there.
        l.clear();
    }
}

TEST(NetSystemdListeners, RefusesANonListeningFd) {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    FileDescriptor a(pair[0]), b(pair[1]);
    SystemdFds fds(1);
    fds.place(0, a.get());
    ::setenv("LISTEN_FDS", "1", 1);
    ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
    ::unsetenv("LISTEN_FDNAMES");
    auto r = adopt_systemd_listeners();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().to_string().find("not a listening stream socket"), std::string::npos);
}

TEST(NetSystemdListeners, UnnamedSocketKeepsDefaultName) {
    auto tcp = Listener::bind(addr("127.0.0.1:0")).value();
    SystemdFds fds(1);
    fds.place(0, tcp.fd());
    ::setenv("LISTEN_FDS", "1", 1);
    ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
    ::unsetenv("LISTEN_FDNAMES");
    auto r = adopt_systemd_listeners();
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(r.value()[0].address().name, "default");
    r.value().clear();  // closes fd 3 before SystemdFds puts the original back
}
