#pragma once
// ProxyConnection: one client connection forwarded to one generation's private port (proxy mode, DESIGN.md
// §4). Two non-blocking sockets, edge-triggered in the event loop, and a bounded ProxyBuffer each way:
// a side is read only while the other direction's buffer has room (back-pressure), an EOF is passed on as
// shutdown(SHUT_WR) once what preceded it is written (half-close), and an error on either side ends both.
//
// A generation that resets or closes the connection before it answered a single byte (it stopped while
// the connection sat in its accept queue) has not seen the request: when another generation serves by
// then, the connection is replayed to it, client bytes and all, and the client never notices. When the
// generation refuses or resets it and none other serves yet (it is crashing; a restart or rollback is on
// its way), the connection *waits* for the next route, as it would have in a shared accept queue.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "net/proxy_buffer.hpp"
#include "net/socket_address.hpp"

namespace hotswap {

// Where new connections go: one generation's private port (127.0.0.1, then ::1). `epoch` tells routes
// apart even when a port number comes back.
struct ProxyRoute {
    uint64_t epoch = 0;
    uint16_t port = 0;
    std::vector<SocketAddress> addresses;
};

enum class ProxySide { Client, Upstream };

class ProxyConnection {
public:
    enum class Status {
        Open,    // still forwarding
        Closed,  // both sides finished, or the client went away
        Failed,  // no generation could take it: the client was cut off
    };
    // Called by the event loop for either socket; the owner passes it to on_event().
    using Notify = std::function<void(ProxySide side, uint32_t epoll_events)>;

    // `current` is the proxy's route of the moment, read again whenever the connection needs a new one.
    ProxyConnection(EventLoop& loop, FileDescriptor client, const std::shared_ptr<const ProxyRoute>& current,
                    size_t buffer_size, int max_attempts, Notify notify);
    ~ProxyConnection();
    ProxyConnection(const ProxyConnection&) = delete;
    ProxyConnection& operator=(const ProxyConnection&) = delete;

    // Registers the client socket and connects to the current route.
    Status start();
    Status on_event(ProxySide side, uint32_t epoll_events);
    // Waiting for a route: the one its generation refused it from is gone. resume() tries the current one.
    bool waiting() const { return waiting_; }
    Clock::time_point waiting_since() const { return waiting_since_; }
    Status resume();

    int replays() const { return attempts_ > 1 ? attempts_ - 1 : 0; }
    uint16_t upstream_port() const { return route_ ? route_->port : 0; }

private:
    // The passes of one wake-up: move bytes both ways until nothing moves, then say whether it is over.
    Status pump();
    bool pump_to_upstream(Status& outcome);
    bool pump_to_client(Status& outcome);

    // Upstream socket management: try the route's addresses in turn; a failure before any answer may replay.
    bool open_upstream();
    void close_upstream();
    Status on_connected(uint32_t epoll_events);
    Status upstream_failed();
    bool can_replay() const;
    Status replay();
    void wait_for_route();

    EventLoop& loop_;
    const std::shared_ptr<const ProxyRoute>& current_;
    int max_attempts_;
    Notify notify_;

    FileDescriptor client_;
    FileDescriptor upstream_;
    ProxyBuffer to_upstream_;
    ProxyBuffer to_client_;
    std::shared_ptr<const ProxyRoute> route_;
    size_t address_index_ = 0;
    int attempts_ = 0;

    bool client_registered_ = false, upstream_registered_ = false;
    bool client_readable_ = false, client_writable_ = false;
    bool upstream_readable_ = false, upstream_writable_ = false;
    bool connecting_ = false;
    bool client_eof_ = false, upstream_eof_ = false;    // EOF read from that side
    bool client_shut_ = false, upstream_shut_ = false;  // our FIN sent to that side
    bool answered_ = false;                             // the upstream has sent at least one byte
    bool waiting_ = false;                              // no upstream: waiting for the next route
    Clock::time_point waiting_since_{};
};

}  // namespace hotswap
