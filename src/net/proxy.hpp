#pragma once
// Proxy: proxy mode's forwarding engine (DESIGN.md §4, last paragraph), for programs that cannot take a
// passed socket and bind $PORT themselves. It owns the public listening socket and every forwarded
// connection, in the one event loop:
// - each accepted connection goes to the route current *at accept time* (the serving generation's private
//   port); after set_upstream() new connections go to the new port while open ones stay where they are,
//   which is the old generation's drain;
// - while no generation serves (none yet, or the serving one crashed) the listening socket is not polled,
//   so clients wait in the kernel's backlog instead of being refused;
// - a connection its generation refuses before answering waits (up to max_wait) for the next route: a
//   crashing generation closes its port before hotswap learns of its exit and restarts it;
// - a connection no generation takes is closed, and counted in stats().failed.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "net/listener.hpp"
#include "net/proxy_connection.hpp"

namespace hotswap {

struct ProxyOptions {
    size_t buffer_size = 64 * 1024;  // per direction and connection, held only while bytes wait in it
    int max_attempts = 3;            // generations one connection may be offered to (see ProxyConnection)
    Duration max_wait{30'000};       // how long a refused connection may wait for the next generation
    std::function<void(std::string_view)> on_warning;  // e.g. out of file descriptors
};

struct ProxyStats {
    uint64_t accepted = 0;
    uint64_t open = 0;
    uint64_t failed = 0;    // closed because no generation could take them
    uint64_t replayed = 0;  // moved to a newer generation after the old one dropped them unanswered
    uint64_t waiting = 0;   // refused by their generation, waiting for the next one
};

class Proxy {
public:
    // `listener` becomes non-blocking and is accepted from once set_upstream() names a port. A Proxy made
    // with an empty Listener() accepts nothing itself: it forwards what adopt() hands it (the HTTP front's
    // connections that are not HTTP).
    static Result<std::unique_ptr<Proxy>> create(EventLoop& loop, Listener listener, ProxyOptions options = {});
    Proxy(EventLoop& loop, Listener listener, ProxyOptions options);
    ~Proxy();
    Proxy(const Proxy&) = delete;
    Proxy& operator=(const Proxy&) = delete;

    // New connections go to this loopback port from now on (127.0.0.1, else ::1).
    void set_upstream(uint16_t port);
    // Nothing serves: new connections wait in the backlog until the next set_upstream().
    void clear_upstream();
    std::optional<uint16_t> upstream() const;
    // A client connection accepted elsewhere, forwarded like one of its own from now on.
    void adopt(FileDescriptor client);

    const Listener& listener() const { return listener_; }
    ProxyStats stats() const;

private:
    void watch_listener(bool on);
    void accept_pending();
    void on_accept_error(int err);
    void on_connection_event(uint64_t id, ProxySide side, uint32_t events);
    // After each call into a connection: ends it, or notes whether it waits for a route.
    void settle(uint64_t id, ProxyConnection::Status status);
    void finish(uint64_t id, ProxyConnection::Status status);
    void resume_waiting();
    void expire_waiting();

    EventLoop& loop_;
    Listener listener_;
    ProxyOptions options_;
    std::shared_ptr<const ProxyRoute> current_;
    uint64_t next_epoch_ = 1;
    bool listening_ = false;
    EventLoop::Timer resume_timer_;
    std::unordered_map<uint64_t, std::unique_ptr<ProxyConnection>> connections_;
    std::set<uint64_t> waiting_;  // ordered: the oldest connection is offered the new route first
    EventLoop::Timer expiry_timer_;
    uint64_t next_id_ = 1;
    ProxyStats stats_;
};

// A loopback port for a generation to bind ($PORT): free now, and below the kernel's ephemeral range so no
// outgoing connection takes it as its source port before the generation binds it.
Result<uint16_t> pick_private_port();

}  // namespace hotswap
