// Readiness (DESIGN.md §5) without a supervisor: the --ready forms, the notify protocol, the notify socket
// (credentials, size limit) and the probes that need no network.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <filesystem>

#include "core/event_loop.hpp"
#include "ready/notify_message.hpp"
#include "ready/notify_server.hpp"
#include "ready/probe.hpp"
#include "ready/process_group.hpp"
#include "ready/ready_spec.hpp"
#include "temp_dir.hpp"

using hotswap::testing::TempDir;
using namespace hotswap;
using namespace std::chrono_literals;

TEST(ReadySpec, EachKindParses) {
    EXPECT_EQ(parse_ready_spec("notify")->kind, ReadyKind::Notify);
    auto http = parse_ready_spec("http:http://127.0.0.1:8080/health");
    ASSERT_TRUE(http);
    EXPECT_EQ(http->kind, ReadyKind::Http);
    EXPECT_EQ(http->url, "http://127.0.0.1:8080/health");
    auto bare = parse_ready_spec("http://127.0.0.1:8080/health");
    ASSERT_TRUE(bare) << bare.error().to_string();
    EXPECT_EQ(bare->kind, ReadyKind::Http);
    EXPECT_EQ(bare->url, "http://127.0.0.1:8080/health");
    EXPECT_EQ(to_string(*bare), "http:http://127.0.0.1:8080/health");
    auto tcp = parse_ready_spec("tcp:[::1]:9000");
    ASSERT_TRUE(tcp);
    EXPECT_EQ(tcp->address, "[::1]:9000");
    auto log = parse_ready_spec("log:listening on :[0-9]+");
    ASSERT_TRUE(log);
    EXPECT_EQ(log->pattern, "listening on :[0-9]+");
    EXPECT_EQ(parse_ready_spec("delay:750")->delay, 750ms);
    EXPECT_EQ(parse_ready_spec("delay:2s")->delay, 2000ms);
    EXPECT_FALSE(parse_ready_spec("notify")->is_default);
    EXPECT_TRUE(ReadySpec{}.is_default);
    EXPECT_EQ(ReadySpec{}.kind, ReadyKind::Delay);
}

TEST(ReadySpec, MistakesAreConfigurationErrorsThatSayWhatToWrite) {
    auto expect_error = [](std::string_view text, std::string_view needle) {
        auto r = parse_ready_spec(text);
        ASSERT_FALSE(r) << text;
        EXPECT_NE(r.error().to_string().find(needle), std::string::npos) << r.error().to_string();
    };
    expect_error("ready", "use notify, http:URL, tcp:ADDR, log:REGEX or delay:MS");
    expect_error("notify:1", "notify takes no argument");
    expect_error("tcp:", "needs an address");
    expect_error("tcp:127.0.0.1:0", "port 0");
    expect_error("log:", "needs a regular expression");
    expect_error("log:([", "invalid regular expression");
    expect_error("delay:soon", "delay:500, delay:2s");
    expect_error("https://127.0.0.1:8443/", "https is not supported");
}

TEST(NotifyMessage, ReadsTheKeysSystemdDefines) {
    auto m = parse_notify_message("READY=1\nSTATUS=listening on :8080\nMAINPID=42\nWATCHDOG=1\ngarbage\n", 7);
    EXPECT_EQ(m.sender, 7);
    EXPECT_TRUE(m.ready);
    EXPECT_EQ(m.status, "listening on :8080");
    EXPECT_EQ(m.mainpid, 42);
    EXPECT_FALSE(m.stopping);
    EXPECT_FALSE(parse_notify_message("READY=0", 7).ready);
    EXPECT_TRUE(parse_notify_message("STOPPING=1", 7).stopping);
    EXPECT_FALSE(parse_notify_message("MAINPID=x", 7).mainpid);
}

TEST(ProcessGroup, OfThisProcessAndOfNone) {
    EXPECT_EQ(process_group_of(::getpid()), ::getpgrp());
    EXPECT_EQ(process_group_of(0), -1);
    EXPECT_EQ(process_group_of(-5), -1);
}

namespace {

class NotifyServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        const int signals[] = {SIGTERM};
        loop_ = std::move(EventLoop::create(signals).value());
        auto server = NotifyServer::create(*loop_, dir_.file("notify"),
                                           [this](const NotifyServer::Message& m) { received_.push_back(m); });
        ASSERT_TRUE(server) << server.error().to_string();
        server_ = std::move(*server);
    }
    void send(const std::string& datagram) {
        int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, server_->path().c_str(), sizeof addr.sun_path - 1);
        ASSERT_EQ(::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr),
                  ssize_t(datagram.size()));
        ::close(fd);
    }
    // Runs the loop until the datagrams sent so far have been handled (they are queued already).
    void handle_pending() {
        auto now = loop_->after(0ms, [this] { loop_->stop(0); });
        loop_->run();
    }

    TempDir dir_{"hotswap-notify"};  // outlives the server, whose socket is in it
    std::unique_ptr<EventLoop> loop_;
    std::unique_ptr<NotifyServer> server_;
    std::vector<NotifyServer::Message> received_;
};

}  // namespace

TEST_F(NotifyServerTest, CredentialsNameTheSender) {
    send("READY=1\nSTATUS=up");
    handle_pending();
    ASSERT_EQ(received_.size(), 1u);
    EXPECT_EQ(received_[0].sender, ::getpid());  // stamped by the kernel (SO_PASSCRED), not claimed
    EXPECT_TRUE(received_[0].ready);
    EXPECT_EQ(received_[0].status, "up");
}

TEST_F(NotifyServerTest, OversizedDatagramsAreDropped) {
    send("READY=1\n" + std::string(5000, 'x'));
    send("STATUS=small");
    handle_pending();
    ASSERT_EQ(received_.size(), 1u);
    EXPECT_FALSE(received_[0].ready);
    EXPECT_EQ(received_[0].status, "small");
}

TEST_F(NotifyServerTest, SocketLivesInThePrivateDirectoryAndIsRemoved) {
    EXPECT_TRUE(std::filesystem::is_socket(server_->path()));
    std::string path = server_->path();
    server_.reset();
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(Probes, LogProbeCountsLinesPrintedBeforeItStarted) {
    const int signals[] = {SIGTERM};
    auto loop = std::move(EventLoop::create(signals).value());
    auto probe = make_probe(*loop, parse_ready_spec("log:listening on").value(), ProbeTarget{});
    bool ready = false;
    probe->on_output_line("booting");
    probe->on_output_line("listening on :8080");
    probe->start([&] {
        ready = true;
        loop->stop(0);
    });
    EXPECT_FALSE(ready);  // reported from the loop, never from inside start()
    auto deadline = loop->after(5000ms, [&] { loop->stop(1); });
    EXPECT_EQ(loop->run(), 0);
    EXPECT_TRUE(ready);
}

TEST(Probes, NotifyProbeTakesAReadyThatArrivedBeforeStart) {
    const int signals[] = {SIGTERM};
    auto loop = std::move(EventLoop::create(signals).value());
    auto probe = make_probe(*loop, parse_ready_spec("notify").value(), ProbeTarget{});
    bool ready = false;
    probe->on_notify_ready();
    probe->start([&] {
        ready = true;
        loop->stop(0);
    });
    auto deadline = loop->after(5000ms, [&] { loop->stop(1); });
    EXPECT_EQ(loop->run(), 0);
    EXPECT_TRUE(ready);
}

TEST(Probes, DelayProbeReportsOnceTheDelayPassed) {
    const int signals[] = {SIGTERM};
    auto loop = std::move(EventLoop::create(signals).value());
    auto probe = make_probe(*loop, parse_ready_spec("delay:1").value(), ProbeTarget{});
    int reports = 0;
    probe->start([&] { ++reports; });
    auto deadline = loop->after(200ms, [&] { loop->stop(0); });
    loop->run();
    EXPECT_EQ(reports, 1);
    EXPECT_NE(probe->describe().find("staying up"), std::string::npos);
}
