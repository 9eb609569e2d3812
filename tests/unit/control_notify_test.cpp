// SystemdNotifier (what the service manager hears) and EventStream (--events): the exact messages, in
// order, for start, upgrades that work and upgrades that fail, and shutdown.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "control/event_stream.hpp"
#include "control/systemd_notifier.hpp"
#include "temp_dir.hpp"

using hotswap::testing::TempDir;
using namespace hotswap;
namespace fs = std::filesystem;

namespace {

struct Recorder {
    std::vector<std::string> messages;
    SystemdNotifier notifier{[this](std::string_view m) { messages.emplace_back(m); }};
};

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST(SystemdNotifier, ReadyOnceTheFirstGenerationServes) {
    Recorder r;
    r.notifier.on_event(event::BuildStart{"start"}, false);
    r.notifier.on_event(event::Spawn{1, 0, "", "build"}, false);
    EXPECT_TRUE(r.messages.empty()) << "nothing to say before anything serves";
    r.notifier.on_event(event::Switch{1, 0, "", 0, 0, 0, 0}, true);
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0], "READY=1\nSTATUS=serving app#1");
    EXPECT_EQ(r.notifier.phase(), SystemdNotifier::Phase::Ready);
}

TEST(SystemdNotifier, RestartModeWithoutSwitchIsReadyToo) {
    Recorder r;
    r.notifier.on_event(event::Spawn{1, 0, "", "build"}, true);
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_TRUE(starts_with(r.messages[0], "READY=1\n"));
}

TEST(SystemdNotifier, UpgradeIsBracketedByReloadingAndReady) {
    Recorder r;
    r.notifier.serving("serving app#1");
    r.notifier.on_event(event::Change{1, ""}, true);
    r.notifier.on_event(event::BuildStart{"change"}, true);  // same upgrade: said once
    r.notifier.on_event(event::Switch{2, 0, "", 1, 0, 0, 0}, true);
    ASSERT_EQ(r.messages.size(), 3u);
    EXPECT_TRUE(starts_with(r.messages[1], "RELOADING=1\nMONOTONIC_USEC=")) << r.messages[1];
    // MONOTONIC_USEC is now on CLOCK_MONOTONIC, in microseconds.
    auto usec = std::stoull(r.messages[1].substr(r.messages[1].find('=', 12) + 1));
    EXPECT_LE(usec, monotonic_usec());
    EXPECT_GT(usec + 60'000'000ull, monotonic_usec());
    EXPECT_EQ(r.messages[2], "READY=1\nSTATUS=serving app#2");
}

TEST(SystemdNotifier, FailedUpgradeEndsTheReloadToo) {
    for (const Event& failure : {Event{event::BuildEnd{false, 0, "exit status 2", ""}}, Event{event::Exit{2, 0, "", "starting", "", "exec failed", 0, ""}},
                                 Event{event::ReloadEnd{false, "app#2 never got ready", 1, "reload", 0}}}) {
        const std::string_view event = event_name(failure);
        Recorder r;
        r.notifier.serving("serving app#1");
        r.notifier.reload_started("reload requested (control)");
        r.notifier.on_event(failure, true);
        ASSERT_EQ(r.messages.size(), 3u) << event;
        EXPECT_TRUE(starts_with(r.messages[2], "READY=1\nSTATUS=")) << event << ": " << r.messages[2];
        EXPECT_EQ(r.notifier.phase(), SystemdNotifier::Phase::Ready);
    }
}

TEST(SystemdNotifier, NoReloadingBeforeTheFirstReadyAndNeverMainpid) {
    Recorder r;
    r.notifier.reload_started("too early");
    r.notifier.on_event(event::BuildEnd{false, 0, "exit status 2", ""}, false);
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0], "STATUS=build failed");
    r.notifier.serving("serving app#1");
    r.notifier.stopping();
    r.notifier.on_event(event::Switch{9, 0, "", 1, 0, 0, 0}, true);  // too late to matter
    ASSERT_EQ(r.messages.size(), 3u);
    EXPECT_EQ(r.messages[2], "STOPPING=1\nSTATUS=stopping");
    for (const auto& m : r.messages) EXPECT_EQ(m.find("MAINPID"), std::string::npos);
}

TEST(SystemdNotifier, StatusIsOneLineAndNotRepeated) {
    Recorder r;
    r.notifier.serving("serving\napp#1");
    r.notifier.status("serving app#1");
    r.notifier.status("serving app#2");
    r.notifier.status("serving app#2");
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[0], "READY=1\nSTATUS=serving app#1");
    EXPECT_EQ(r.messages[1], "STATUS=serving app#2");
}

TEST(SystemdNotifier, StatusIsOneLineCutBeforeACharacter) {
    Recorder r;
    r.notifier.serving("serving\napp#1\r");
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0], "READY=1\nSTATUS=serving app#1 ");
    // 199 bytes, then a two-byte character that would end past the 200-byte cap: it goes whole.
    r.notifier.status(std::string(199, 'a') + "\xc3\xa9tail");
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[1], "STATUS=" + std::string(199, 'a'));
    r.notifier.status(std::string(300, 'b'));
    EXPECT_EQ(r.messages.back(), "STATUS=" + std::string(200, 'b'));
}

TEST(SystemdNotifier, SendsToNotifySocket) {
    TempDir dir{"hotswap-notify"};
    fs::path path = dir.path() / "notify";
    FileDescriptor receiver(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(receiver.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    SystemdNotifier notifier;
    notifier.serving("serving app#1");
    notifier.reload_started("signal");
    ::unsetenv("NOTIFY_SOCKET");
    char buf[512];
    ssize_t n = ::recv(receiver.get(), buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, size_t(n)), "READY=1\nSTATUS=serving app#1");
    n = ::recv(receiver.get(), buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_GT(n, 0);
    EXPECT_TRUE(starts_with(std::string(buf, size_t(n)), "RELOADING=1\nMONOTONIC_USEC="));
}

TEST(EventStream, AppendsOneJsonLinePerEventToAFile) {
    TempDir dir{"hotswap-events"};
    const int signals[] = {SIGUSR2};
    auto loop = EventLoop::create(signals).value();
    {
        std::ofstream existing(dir.path() / "events.jsonl");
        existing << "{\"earlier\":true}\n";
    }
    {
        auto stream = EventStream::open(*loop, dir.file("events.jsonl")).value();
        stream->emit("build_end", {{"ok", true}, {"duration_ms", 312}, {"event", "spoofed"}});
        stream->emit("switch", {{"generation", 2}, {"note", "bad utf-8 \xff"}});
    }
    std::ifstream in(dir.path() / "events.jsonl");
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line, nullptr, false));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0]["earlier"], true) << "appended, not truncated";
    EXPECT_EQ(lines[1]["event"], "build_end") << "fields cannot overwrite the event's name";
    EXPECT_EQ(lines[1]["seq"], 1);
    EXPECT_EQ(lines[1]["duration_ms"], 312);
    EXPECT_EQ(lines[2]["seq"], 2);
    EXPECT_EQ(lines[2]["generation"], 2);
    std::string time = lines[1]["time"];
    EXPECT_EQ(time.size(), 27u) << time;  // 2026-11-25T06:40:01.123456Z
    EXPECT_EQ(time.back(), 'Z');
}

TEST(EventStream, StalledPipeReaderNeverBlocksAndLosesOnlyCountedEvents) {
    const int signals[] = {SIGUSR2};
    auto loop = EventLoop::create(signals).value();
    auto pipe = make_pipe(/*nonblocking_read=*/true).value();
    ASSERT_TRUE(set_nonblocking(pipe.write.get()).ok());
    EventStream stream(*loop, std::move(pipe.write), true);
    // Far more than a pipe holds (64 KiB) plus the queue (1 MiB): emit must return every time.
    std::string pad(2000, 'p');
    const int total = 1500;
    for (int i = 0; i < total; ++i) stream.emit("tick", {{"i", i}, {"pad", pad}});
    // Now read everything there is, letting the stream write the rest as room appears: each emit also
    // flushes what is queued. Done once three rounds bring no original event.
    int seen = 0, dropped = 0, last = -1;
    std::string pending;
    char buf[65536];
    for (int idle = 0; idle < 3;) {
        stream.emit("tick", {{"i", total}, {"pad", ""}});
        int before = seen;
        for (ssize_t n; (n = ::read(pipe.read.get(), buf, sizeof buf)) > 0;) pending.append(buf, size_t(n));
        size_t start = 0;
        for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
            auto line = nlohmann::json::parse(pending.substr(start, nl - start), nullptr, false);
            ASSERT_FALSE(line.is_discarded()) << "a line was cut: " << pending.substr(start, 80);
            int i = line["i"];
            if (i < total) {
                EXPECT_GT(i, last) << "events stay in order";
                last = i;
                ++seen;
            }
            dropped += line.value("dropped", 0);
        }
        pending.erase(0, start);
        idle = seen == before ? idle + 1 : 0;
    }
    EXPECT_GT(seen, 0);
    EXPECT_LT(seen, total) << "the queue is bounded";
    EXPECT_EQ(seen + dropped, total) << "every missing event is counted";
}
