// Proxy mode's forwarding engine (net/proxy.hpp) between real loopback sockets: bytes both ways, half-close,
// back-pressure on a large transfer, the route of the moment at accept time, waiting in the backlog while
// nothing serves, a dead upstream, and the replay of a connection an old generation dropped unanswered.
// The proxy runs on an event loop in a thread of its own; the test thread is its client and calls into the
// loop through LoopThread::call, so the loop is only ever touched from its own thread.

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/event_loop.hpp"
#include "net/proxy.hpp"
#include "net/proxy_buffer.hpp"

using namespace hotswap;

namespace {

// Generous: these bound a hang, they never measure speed.
constexpr int kDeadlineMs = 20'000;

class LoopThread {
public:
    LoopThread() {
        loop_ = std::move(EventLoop::create({}).value());
        wake_ = std::move(make_pipe(true).value());
        (void)loop_->add_fd(wake_.read.get(), EPOLLIN, [this](uint32_t) { run_queued(); });
        thread_ = std::thread([this] { loop_->run(); });
    }
    ~LoopThread() {
        call([this] { loop_->stop(0); });
        thread_.join();
    }

    // Runs `f` on the loop's thread and returns its result.
    template <typename F>
    auto call(F f) -> decltype(f()) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        {
            std::lock_guard lock(mutex_);
            queue_.emplace_back([&task] { task(); });
        }
        char byte = 1;
        EXPECT_EQ(::write(wake_.write.get(), &byte, 1), 1);
        return result.get();
    }

    EventLoop& loop() { return *loop_; }

private:
    void run_queued() {
        char drain[64];
        while (::read(wake_.read.get(), drain, sizeof drain) > 0) {
        }
        std::deque<std::function<void()>> batch;
        {
            std::lock_guard lock(mutex_);
            batch.swap(queue_);
        }
        for (auto& f : batch) f();
    }

    std::unique_ptr<EventLoop> loop_;
    Pipe wake_;
    std::mutex mutex_;
    std::deque<std::function<void()>> queue_;
    std::thread thread_;
};

sockaddr_in loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

FileDescriptor listen_loopback(uint16_t port = 0) {
    FileDescriptor fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr = loopback(port);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd.get(), SOMAXCONN), 0);
    return fd;
}

uint16_t port_of(int fd) { return local_address(fd).value().port(); }

// A loopback port that was just listened on and closed again: a connection to it is refused.
uint16_t closed_port() {
    FileDescriptor gone = listen_loopback();
    return port_of(gone.get());
}

FileDescriptor connect_to(uint16_t port) {
    FileDescriptor fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr = loopback(port);
    EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
}

bool wait_readable(int fd, int timeout_ms = kDeadlineMs) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1;
}

// Reads exactly `n` bytes (or until EOF / error / the deadline).
std::string read_n(int fd, size_t n) {
    std::string out;
    char chunk[4096];
    while (out.size() < n && wait_readable(fd)) {
        ssize_t got = ::read(fd, chunk, std::min(sizeof chunk, n - out.size()));
        if (got <= 0) break;
        out.append(chunk, size_t(got));
    }
    return out;
}

// Reads until EOF; `ok` is false on a reset or the deadline.
std::string read_to_eof(int fd, bool* ok = nullptr) {
    std::string out;
    char chunk[65536];
    for (;;) {
        if (!wait_readable(fd)) {
            if (ok) *ok = false;
            return out;
        }
        ssize_t got = ::read(fd, chunk, sizeof chunk);
        if (got == 0) break;
        if (got < 0) {
            if (ok) *ok = false;
            return out;
        }
        out.append(chunk, size_t(got));
    }
    if (ok) *ok = true;
    return out;
}

void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        ASSERT_GT(n, 0);
        bytes.remove_prefix(size_t(n));
    }
}

// A generation stand-in: greets each connection with its name and a newline, then echoes everything until
// EOF, then closes its side too.
class EchoServer {
public:
    explicit EchoServer(std::string name) : name_(std::move(name)), listener_(listen_loopback()) {
        port_ = port_of(listener_.get());
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~EchoServer() {
        ::shutdown(listener_.get(), SHUT_RDWR);  // wakes accept()
        acceptor_.join();
        {
            std::lock_guard lock(mutex_);
            for (int fd : open_) ::shutdown(fd, SHUT_RDWR);  // wakes the workers' reads
        }
        for (auto& t : workers_) t.join();
    }
    uint16_t port() const { return port_; }
    int connections() const { return connections_; }

private:
    void accept_loop() {
        for (;;) {
            int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) return;
            ++connections_;
            {
                std::lock_guard lock(mutex_);
                open_.push_back(fd);
            }
            workers_.emplace_back([this, fd] { echo(fd); });
        }
    }
    void echo(int raw) {
        FileDescriptor fd(raw);
        auto forget = [this, raw] {
            std::lock_guard lock(mutex_);
            std::erase(open_, raw);
        };
        echo_until_eof(fd.get());
        forget();
    }
    void echo_until_eof(int fd) {
        std::string hello = name_ + "\n";
        if (::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL) < 0) return;
        char chunk[65536];
        for (;;) {
            ssize_t n = ::read(fd, chunk, sizeof chunk);
            if (n <= 0) break;
            for (ssize_t off = 0; off < n;) {
                ssize_t w = ::send(fd, chunk + off, size_t(n - off), MSG_NOSIGNAL);
                if (w <= 0) return;
                off += w;
            }
        }
        ::shutdown(fd, SHUT_WR);
    }

    std::string name_;
    FileDescriptor listener_;
    uint16_t port_ = 0;
    std::atomic<int> connections_{0};
    std::mutex mutex_;
    std::vector<int> open_;
    std::thread acceptor_;
    std::vector<std::thread> workers_;
};

class ProxyTest : public ::testing::Test {
protected:
    void SetUp() override { make_proxy({}); }
    void make_proxy(ProxyOptions options) {
        loop_.call([this] { proxy_.reset(); });
        auto listener = Listener::bind(parse_listen_address("127.0.0.1:0").value());
        ASSERT_TRUE(listener) << listener.error().to_string();
        port_ = listener->bound_port();
        proxy_ = loop_.call([&] {
            return std::move(Proxy::create(loop_.loop(), std::move(*listener), std::move(options)).value());
        });
    }
    // Polls the proxy's figures (from its own thread) until `done` holds, or the deadline.
    template <typename Predicate>
    ProxyStats stats_once(Predicate done) {
        ProxyStats s = stats();
        for (int i = 0; i < kDeadlineMs / 10 && !done(s); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            s = stats();
        }
        return s;
    }
    void TearDown() override {
        loop_.call([this] { proxy_.reset(); });
    }
    void route(uint16_t port) {
        loop_.call([&] { proxy_->set_upstream(port); });
    }
    ProxyStats stats() {
        return loop_.call([this] { return proxy_->stats(); });
    }

    LoopThread loop_;
    std::unique_ptr<Proxy> proxy_;
    uint16_t port_ = 0;
};

}  // namespace

TEST(ProxyBuffer, HoldsWrittenBytesForAReplayUntilToldOtherwise) {
    ProxyBuffer b(8, true);
    auto room = b.space();
    ASSERT_EQ(room.size(), 8u);
    std::memcpy(room.data(), "abcdef", 6);
    b.filled(6);
    b.consumed(4);
    EXPECT_EQ(std::string(b.pending().data(), b.pending().size()), "ef");
    EXPECT_EQ(b.retained(), 4u);
    b.rewind();
    EXPECT_EQ(std::string(b.pending().data(), b.pending().size()), "abcdef");
    b.consumed(6);
    EXPECT_FALSE(b.has_pending());
    EXPECT_EQ(b.space().size(), 2u);  // retained bytes still take room
    b.stop_retaining();
    EXPECT_EQ(b.retained(), 0u);
    EXPECT_EQ(b.space().size(), 8u);
}

TEST(ProxyBuffer, CompactsWhenTheEndIsReached) {
    ProxyBuffer b(8, false);
    std::memcpy(b.space().data(), "abcdefgh", 8);
    b.filled(8);
    EXPECT_TRUE(b.space().empty());
    b.consumed(5);
    auto room = b.space();
    EXPECT_EQ(room.size(), 5u);
    EXPECT_EQ(std::string(b.pending().data(), b.pending().size()), "fgh");
}

TEST_F(ProxyTest, ForwardsBothWaysAndPassesHalfCloseOn) {
    EchoServer a("A");
    route(a.port());
    FileDescriptor client = connect_to(port_);
    write_all(client.get(), "hello");
    EXPECT_EQ(read_n(client.get(), 7), "A\nhello");
    // The client's FIN reaches the server, whose FIN comes back after the rest of its answer.
    write_all(client.get(), " again");
    ASSERT_EQ(::shutdown(client.get(), SHUT_WR), 0);
    bool clean = false;
    EXPECT_EQ(read_to_eof(client.get(), &clean), " again");
    EXPECT_TRUE(clean);
    client.reset();
    // Both sides finished: the proxy lets the connection go.
    for (int i = 0; i < kDeadlineMs / 10 && stats().open != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(stats().open, 0u);
    EXPECT_EQ(stats().accepted, 1u);
    EXPECT_EQ(stats().failed, 0u);
}

TEST_F(ProxyTest, LargeTransferArrivesWhole) {
    EchoServer a("A");
    route(a.port());
    FileDescriptor client = connect_to(port_);
    std::string payload(8 << 20, '\0');
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = char((i * 131) >> 7);
    std::thread writer([&] {
        write_all(client.get(), payload);
        ::shutdown(client.get(), SHUT_WR);
    });
    bool clean = false;
    std::string echoed = read_to_eof(client.get(), &clean);
    writer.join();
    EXPECT_TRUE(clean);
    ASSERT_EQ(echoed.size(), payload.size() + 2);
    EXPECT_TRUE(echoed.substr(2) == payload);
}

TEST_F(ProxyTest, StopsReadingWhenTheOtherSideDoesNotTakeTheBytes) {
    // An upstream that accepts and never reads: the client must run into a full pipe, not into the proxy's
    // memory. Socket buffers on both hops hold a few MiB at most; without back-pressure the proxy would take
    // everything.
    FileDescriptor sink = listen_loopback();
    route(port_of(sink.get()));
    FileDescriptor client = connect_to(port_);
    ASSERT_EQ(set_nonblocking(client.get()).ok(), true);
    std::string chunk(64 * 1024, 'x');
    size_t written = 0;
    constexpr size_t kLimit = 256u << 20;
    while (written < kLimit) {
        ssize_t n = ::send(client.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n > 0) {
            written += size_t(n);
            continue;
        }
        ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
        // Full: stalled for good once nothing drains for a while (the proxy may still be moving bytes).
        pollfd p{client.get(), POLLOUT, 0};
        if (::poll(&p, 1, 500) == 0) break;
    }
    EXPECT_LT(written, kLimit) << "the proxy kept reading with nowhere to put the bytes";

    // The stalled bytes all arrive once the upstream reads.
    ASSERT_TRUE(wait_readable(sink.get()));
    FileDescriptor upstream(::accept4(sink.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(upstream);
    ::shutdown(client.get(), SHUT_WR);
    bool clean = false;
    std::string received = read_to_eof(upstream.get(), &clean);
    EXPECT_TRUE(clean);
    EXPECT_EQ(received.size(), written);
}

TEST_F(ProxyTest, OpenConnectionsStayWithTheirGenerationAfterASwitch) {
    EchoServer a("A"), b("B");
    route(a.port());
    FileDescriptor first = connect_to(port_);
    EXPECT_EQ(read_n(first.get(), 2), "A\n");
    route(b.port());
    FileDescriptor second = connect_to(port_);
    EXPECT_EQ(read_n(second.get(), 2), "B\n");
    // The first one still talks to A.
    write_all(first.get(), "still A");
    EXPECT_EQ(read_n(first.get(), 7), "still A");
    EXPECT_EQ(a.connections(), 1);
    EXPECT_EQ(b.connections(), 1);
}

TEST_F(ProxyTest, ConnectionsWaitInTheBacklogWhileNothingServes) {
    FileDescriptor client = connect_to(port_);  // the kernel completes the handshake; nobody accepts
    write_all(client.get(), "early");
    EXPECT_EQ(stats().accepted, 0u);
    EchoServer a("A");
    route(a.port());
    EXPECT_EQ(read_n(client.get(), 7), "A\nearly");
    loop_.call([this] { proxy_->clear_upstream(); });
    FileDescriptor later = connect_to(port_);
    EXPECT_EQ(stats().accepted, 1u);
    route(a.port());
    EXPECT_EQ(read_n(later.get(), 2), "A\n");
}

TEST_F(ProxyTest, AClientNoGenerationTakesIsClosedAndCounted) {
    ProxyOptions options;
    options.max_wait = std::chrono::milliseconds(100);
    make_proxy(std::move(options));
    const uint16_t dead = closed_port();
    route(dead);
    FileDescriptor client = connect_to(port_);
    write_all(client.get(), "anyone?");
    // Refused: it waits for another generation, which never comes within max_wait.
    std::string got = read_to_eof(client.get());
    EXPECT_EQ(got, "");
    auto s = stats_once([](const ProxyStats& s) { return s.failed == 1; });
    EXPECT_EQ(s.failed, 1u);
    EXPECT_EQ(s.open, 0u);
    EXPECT_EQ(s.waiting, 0u);
}

TEST_F(ProxyTest, AConnectionRefusedByADyingGenerationWaitsForTheNextOne) {
    // The generation closed its port (it is crashing) before hotswap learned it was gone: the connection
    // waits, as it would in the backlog, and the restarted generation answers it.
    const uint16_t dead = closed_port();
    route(dead);
    FileDescriptor client = connect_to(port_);
    write_all(client.get(), "request");
    auto s = stats_once([](const ProxyStats& s) { return s.waiting == 1; });
    ASSERT_EQ(s.waiting, 1u);
    loop_.call([this] { proxy_->clear_upstream(); });  // its exit, seen by the supervisor
    EchoServer restarted("R");
    route(restarted.port());
    EXPECT_EQ(read_n(client.get(), 9), "R\nrequest");
    s = stats();
    EXPECT_EQ(s.waiting, 0u);
    EXPECT_EQ(s.failed, 0u);
}

TEST_F(ProxyTest, AConnectionDroppedUnansweredByTheOldGenerationIsReplayedToTheNewOne) {
    // The old generation closes its listener with our connection still in its accept queue (the kernel
    // resets it): it never saw the request, so the new generation gets it instead.
    FileDescriptor old_listener = listen_loopback();
    route(port_of(old_listener.get()));
    FileDescriptor client = connect_to(port_);
    write_all(client.get(), "request");
    ASSERT_TRUE(wait_readable(old_listener.get()));  // queued at the old generation
    EchoServer b("B");
    route(b.port());
    old_listener.reset();
    EXPECT_EQ(read_n(client.get(), 9), "B\nrequest");
    EXPECT_EQ(stats().failed, 0u);
    EXPECT_EQ(stats().replayed, 1u);
}

TEST(ProxyPort, IsFreeAndBindable) {
    auto port = pick_private_port();
    ASSERT_TRUE(port) << port.error().to_string();
    EXPECT_NE(*port, 0);
    FileDescriptor fd = listen_loopback(*port);
    EXPECT_EQ(port_of(fd.get()), *port);
}
