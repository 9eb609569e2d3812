#pragma once
// UpstreamPool: one generation's upstream side. Its address (the private port or socket it listens on),
// its idle keep-alive connections, and how many are out serving a request. Idle connections are reused
// newest first (the one least likely to have timed out at the app) and closed by the front after
// upstream_idle_timeout, or at once when the generation drains: the app never has to close an idle
// connection itself, which would race a request being sent on it.

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <vector>

#include "core/event_loop.hpp"
#include "front/upstream_connection.hpp"
#include "net/socket_address.hpp"

namespace hotswap {

class UpstreamPool {
public:
    UpstreamPool(EventLoop& loop, int generation, std::vector<SocketAddress> addresses, Duration idle_timeout);
    ~UpstreamPool();
    UpstreamPool(const UpstreamPool&) = delete;
    UpstreamPool& operator=(const UpstreamPool&) = delete;

    int generation() const { return generation_; }
    // An idle connection (reused: fresh = false) or a new one connecting; null when no connect could start.
    std::unique_ptr<UpstreamConnection> take(bool& fresh);
    // A new connection, never an idle one (a retry after a reused one failed).
    std::unique_ptr<UpstreamConnection> open_new();
    // Back after a request: kept idle when `reusable` and the generation is not draining, else closed.
    void give_back(std::unique_ptr<UpstreamConnection> c, bool reusable);
    // The generation drains: idle connections are closed now, busy ones when they come back.
    void close_idle();
    void stop_keeping() {
        keeping_ = false;
        close_idle();
    }
    // Busy ones left the pool through take(): they count until give_back (or their destruction elsewhere).
    void forget_busy() {
        if (busy_ > 0) --busy_;
    }

    size_t idle() const { return idle_.size(); }
    size_t busy() const { return busy_; }
    uint64_t opened() const { return opened_; }

private:
    struct Idle {
        std::unique_ptr<UpstreamConnection> connection;
        Clock::time_point since;
    };
    void on_idle_event(UpstreamConnection* c);
    void expire();
    void arm_expiry();

    EventLoop& loop_;
    int generation_;
    std::vector<SocketAddress> addresses_;
    Duration idle_timeout_;
    std::list<Idle> idle_;  // oldest first
    size_t busy_ = 0;
    uint64_t opened_ = 0;
    bool keeping_ = true;
    EventLoop::Timer expiry_;
};

}  // namespace hotswap
