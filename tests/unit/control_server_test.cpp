// ControlServer over a real unix socket and a real event loop: the client side runs on a thread with
// plain blocking calls, the loop on the test's thread; an eventfd tells the loop the client is done.
// Every test ends by checking the server still answers: no input may cost the supervisor its control.

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "control/control_server.hpp"
#include "control/socket_path.hpp"
#include "temp_dir.hpp"

using namespace hotswap;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

using hotswap::testing::TempDir;

namespace {

// A blocking client end, as `hotswap status` and scripts are.
class Client {
public:
    explicit Client(const fs::path& path) {
        fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    bool connected() const { return connected_; }
    void send(std::string_view bytes) {
        while (!bytes.empty()) {
            ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return;
            bytes.remove_prefix(size_t(n));
        }
    }
    void finish_sending() { ::shutdown(fd_.get(), SHUT_WR); }
    // One line, or "" on EOF/timeout (20 s: generous, only a bug waits that long).
    std::string line() {
        for (;;) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string out = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return out;
            }
            pollfd p{fd_.get(), POLLIN, 0};
            if (::poll(&p, 1, 20'000) <= 0) return "";
            char buf[4096];
            ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
            if (n <= 0) return "";
            buffer_.append(buf, size_t(n));
        }
    }
    nlohmann::json reply() { return nlohmann::json::parse(line(), nullptr, false); }
    // True when the server closed the connection (EOF) with nothing more to say.
    bool closed_by_server() {
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, 20'000) <= 0) return false;
        char c;
        return ::recv(fd_.get(), &c, 1, 0) == 0;
    }

private:
    FileDescriptor fd_;
    bool connected_ = false;
    std::string buffer_;
};

// A server with a handler that answers status at once, keeps reloads for later, and drops "history"
// without answering.
struct Fixture {
    TempDir dir{"hotswap-ctl"};
    fs::path socket = dir.path() / "control.sock";
    std::unique_ptr<EventLoop> loop;
    std::unique_ptr<ControlServer> server;
    std::vector<std::shared_ptr<ControlServer::Reply>> held;
    std::vector<EventLoop::Timer> answers;  // reload replies sent a little later
    int requests = 0;

    Fixture() {
        const int signals[] = {SIGUSR2};
        loop = std::move(EventLoop::create(signals).value());
        auto s = ControlServer::create(*loop, socket, [this](const ControlRequest& r, std::shared_ptr<ControlServer::Reply> reply) {
            ++requests;
            if (r.command == ControlCommand::Status) reply->send({{"ok", true}, {"n", requests}});
            else if (r.command == ControlCommand::Reload) {
                // Answer a little later, from a timer, as a real reload does.
                answers.push_back(loop->after(50ms, [reply] { reply->send({{"ok", true}, {"message", "app#2 serves"}}); }));
            } else if (r.command == ControlCommand::Rollback) held.push_back(reply);
            // History: the reply is dropped here without an answer.
        });
        EXPECT_TRUE(s.ok()) << s.error().to_string();
        server = std::move(*s);
    }

    // Runs the loop until `client` (on its own thread) returns.
    void run(std::function<void()> client) {
        FileDescriptor done(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        ASSERT_TRUE(loop->add_fd(done.get(), EPOLLIN, [this](uint32_t) { loop->stop(0); }).ok());
        auto deadline = loop->after(60s, [this] { loop->stop(1); });
        std::thread thread([&] {
            client();
            uint64_t one = 1;
            ssize_t ignored = ::write(done.get(), &one, sizeof one);
            (void)ignored;
        });
        int status = loop->run();
        thread.join();
        deadline.cancel();
        loop->remove_fd(done.get());
        EXPECT_EQ(status, 0) << "the client did not finish in time";
    }
};

void expect_error(const nlohmann::json& reply, std::string_view code, std::string_view says) {
    ASSERT_TRUE(reply.is_object()) << reply.dump();
    EXPECT_EQ(reply.value("ok", true), false);
    EXPECT_EQ(reply.value("code", ""), code) << reply.dump();
    EXPECT_NE(reply.value("error", "").find(says), std::string::npos) << reply.dump();
}

}  // namespace

TEST(ControlServer, AnswersRequestsOnOneConnectionInTurn) {
    Fixture f;
    f.run([&] {
        Client c(f.socket);
        ASSERT_TRUE(c.connected());
        c.send("{\"cmd\":\"status\"}\n{\"cmd\":\"status\"}\n");
        EXPECT_EQ(c.reply()["n"], 1);
        EXPECT_EQ(c.reply()["n"], 2);
        c.send("{\"cmd\":\"reload\"}\n");
        EXPECT_EQ(c.reply()["message"], "app#2 serves");
    });
}

TEST(ControlServer, SocketIsPrivate) {
    Fixture f;
    struct stat st{};
    ASSERT_EQ(::stat(f.socket.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ControlServer, MalformedRequestsGetAnErrorAndTheConnectionStaysUsable) {
    Fixture f;
    f.run([&] {
        Client c(f.socket);
        c.send("this is not json\n");
        expect_error(c.reply(), "bad_request", "malformed request");
        c.send("[\"cmd\", \"status\"]\n");
        expect_error(c.reply(), "bad_request", "expected a JSON object");
        c.send("{\"cmd\":\"format-disk\"}\n");
        expect_error(c.reply(), "bad_request", "unknown command");
        c.send(std::string("\xff\xfe\x00\x01\n", 5));
        expect_error(c.reply(), "bad_request", "malformed request");
        c.send("{\"cmd\":\"status\"}\n");
        EXPECT_EQ(c.reply()["ok"], true);
    });
    EXPECT_EQ(f.requests, 1);
}

TEST(ControlServer, OversizedRequestIsRefusedAndSkipped) {
    Fixture f;
    f.run([&] {
        Client c(f.socket);
        std::string huge = "{\"cmd\":\"status\",\"pad\":\"" + std::string(kMaxControlMessage + 10, 'x');
        c.send(huge);  // no newline yet: the server must not wait for one to refuse it
        expect_error(c.reply(), "too_large", "request too large");
        c.send(std::string(3 * kMaxControlMessage, 'z'));  // the same request goes on: skipped, not buffered
        c.send("\"}\n{\"cmd\":\"status\"}\n");
        EXPECT_EQ(c.reply()["ok"], true) << "the connection is usable again after the oversized request";
        c.send(std::string(kMaxControlMessage + 1, 'w'));
        c.finish_sending();
        expect_error(c.reply(), "too_large", "request too large");
        EXPECT_TRUE(c.closed_by_server()) << "no second complaint (truncated) about the skipped request";
    });
    EXPECT_EQ(f.requests, 1);
}

TEST(ControlServer, OversizedLineWithItsNewlineIsRefusedToo) {
    Fixture f;
    f.run([&] {
        Client c(f.socket);
        c.send("{\"cmd\":\"status\",\"pad\":\"" + std::string(kMaxControlMessage, 'y') + "\"}\n");
        expect_error(c.reply(), "too_large", "request too large");
    });
    EXPECT_EQ(f.requests, 0);
}

TEST(ControlServer, TruncatedRequestIsAnsweredThenClosed) {
    Fixture f;
    f.run([&] {
        Client c(f.socket);
        c.send("{\"cmd\":\"sta");
        c.finish_sending();
        expect_error(c.reply(), "truncated", "truncated request");
        EXPECT_TRUE(c.closed_by_server());
    });
    EXPECT_EQ(f.requests, 0);
}

TEST(ControlServer, LateAnswerStillReachesAClientThatFinishedSending) {
    Fixture f;
    f.run([&] {
        Client c(f.socket);
        c.send("{\"cmd\":\"reload\"}\n");
        c.finish_sending();  // like `echo '{"cmd":"reload"}' | nc -NU …`
        EXPECT_EQ(c.reply()["message"], "app#2 serves");
        EXPECT_TRUE(c.closed_by_server());
    });
}

TEST(ControlServer, DroppedRequestIsAnsweredWithAnError) {
    Fixture f;
    f.run([&] {
        Client c(f.socket);
        c.send("{\"cmd\":\"history\"}\n");
        expect_error(c.reply(), "failed", "dropped this request");
    });
}

TEST(ControlServer, ClientThatLeavesEarlyCostsNothing) {
    Fixture f;
    f.run([&] {
        {
            Client c(f.socket);
            c.send("{\"cmd\":\"rollback\"}\n{\"cmd\":\"stat");
        }  // gone before any answer
        Client next(f.socket);
        next.send("{\"cmd\":\"status\"}\n");
        EXPECT_EQ(next.reply()["ok"], true);
    });
    ASSERT_EQ(f.held.size(), 1u);
    EXPECT_NO_FATAL_FAILURE(f.held[0]->send({{"ok", true}}));  // the late answer goes nowhere, safely
    EXPECT_EQ(f.server->connection_count(), 0u);
}

TEST(ControlServer, TooManyConnectionsAreTurnedAwayPolitely) {
    Fixture f;
    f.run([&] {
        std::vector<std::unique_ptr<Client>> clients;
        for (size_t i = 0; i < ControlServer::kMaxConnections; ++i) {
            clients.push_back(std::make_unique<Client>(f.socket));
            clients.back()->send("{\"cmd\":\"status\"}\n");
            ASSERT_EQ(clients.back()->reply()["ok"], true);  // accepted and registered
        }
        Client extra(f.socket);
        expect_error(extra.reply(), "busy", "busy");
        clients.pop_back();
        // Once one leaves, the next one is served again (the server notices the close first).
        for (int attempt = 0; attempt < 200; ++attempt) {
            Client again(f.socket);
            again.send("{\"cmd\":\"status\"}\n");
            if (again.reply().value("ok", false)) return;
            std::this_thread::sleep_for(10ms);  // waiting for the server's loop to see the hang-up
        }
        ADD_FAILURE() << "a freed connection slot was never reused";
    });
}

TEST(ControlServer, SecondServerOnTheSameSocketIsRefused) {
    Fixture f;
    auto second = ControlServer::create(*f.loop, f.socket, [](const ControlRequest&, std::shared_ptr<ControlServer::Reply>) {});
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.error().to_string().find("another hotswap is already supervising"), std::string::npos);
    f.run([&] {  // and the first one is untouched
        Client c(f.socket);
        c.send("{\"cmd\":\"status\"}\n");
        EXPECT_EQ(c.reply()["ok"], true);
    });
}

TEST(ControlServer, StaleSocketFromAKilledSupervisorIsReplaced) {
    TempDir dir{"hotswap-ctl"};
    fs::path socket = dir.path() / "control.sock";
    {
        // A socket file nobody listens on, as SIGKILL leaves behind.
        FileDescriptor fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
        ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    }
    const int signals[] = {SIGUSR2};
    auto loop = EventLoop::create(signals).value();
    auto server = ControlServer::create(*loop, socket, [](const ControlRequest&, std::shared_ptr<ControlServer::Reply>) {});
    ASSERT_TRUE(server.ok()) << server.error().to_string();
    server->reset();
    EXPECT_FALSE(fs::exists(socket)) << "the socket is removed when the server goes";
}

TEST(ControlServer, PeerOfAnotherUidIsRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another uid";
    Fixture f;
    // Loosen the permissions on purpose, so only SO_PEERCRED stands between uid 65534 and the supervisor.
    ::chmod(f.dir.path().c_str(), 0755);
    ::chmod(f.socket.c_str(), 0666);
    f.run([&] {
        int out[2];
        ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
        pid_t child = ::fork();
        if (child == 0) {
            // Only async-signal-safe calls from here: the parent has threads.
            if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
            int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            std::strncpy(addr.sun_path, f.socket.c_str(), sizeof addr.sun_path - 1);
            if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ::_exit(11);
            const char request[] = "{\"cmd\":\"stop\"}\n";
            ssize_t ignored = ::send(fd, request, sizeof request - 1, MSG_NOSIGNAL);
            (void)ignored;
            char buf[512];
            ssize_t n;
            while ((n = ::read(fd, buf, sizeof buf)) > 0)
                if (::write(out[1], buf, size_t(n)) != n) ::_exit(12);
            ::_exit(0);
        }
        ::close(out[1]);
        std::string answer;
        char buf[512];
        for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) answer.append(buf, size_t(n));
        ::close(out[0]);
        int status = 0;
        ::waitpid(child, &status, 0);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
        expect_error(nlohmann::json::parse(answer, nullptr, false), "permission_denied", "permission denied");
        Client owner(f.socket);
        owner.send("{\"cmd\":\"status\"}\n");
        EXPECT_EQ(owner.reply()["ok"], true);
    });
    EXPECT_EQ(f.requests, 1) << "the refused peer's request must never reach the handler";
}

TEST(ControlSocketPath, IsStablePrivateAndFoundFromSubdirectories) {
    TempDir dir{"hotswap-ctl"};
    fs::path runtime = dir.path() / "run";
    fs::create_directories(dir.path() / "project/src/deep");
    ::mkdir(runtime.c_str(), 0700);
    ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
    ::unsetenv("HOTSWAP_CONTROL_SOCKET");
    auto path = control_socket_path(dir.path() / "project", true);
    ASSERT_TRUE(path.ok()) << path.error().to_string();
    EXPECT_EQ(path->parent_path(), runtime / "hotswap");
    struct stat st{};
    ASSERT_EQ(::stat(path->parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_EQ(control_socket_path(dir.path() / "project/src/..", false).value(), *path) << "canonical path decides";
    EXPECT_FALSE(find_control_socket(dir.path() / "project/src/deep")) << "nothing runs yet";
    { std::ofstream touch(*path); }
    EXPECT_EQ(find_control_socket(dir.path() / "project/src/deep").value(), *path);
    EXPECT_FALSE(find_control_socket(dir.path())) << "a parent does not see its children's supervisors";

    ::setenv("HOTSWAP_CONTROL_SOCKET", (dir.path() / "explicit.sock").c_str(), 1);
    EXPECT_EQ(control_socket_path(dir.path() / "project", false).value(), dir.path() / "explicit.sock");
    EXPECT_EQ(find_control_socket(dir.path()).value(), dir.path() / "explicit.sock");
    ::unsetenv("HOTSWAP_CONTROL_SOCKET");

    ::chmod((runtime / "hotswap").c_str(), 0755);
    auto loose = control_socket_path(dir.path() / "project", false);
    ASSERT_FALSE(loose.ok());
    EXPECT_NE(loose.error().to_string().find("not a private directory"), std::string::npos);
    ::unsetenv("XDG_RUNTIME_DIR");
}
