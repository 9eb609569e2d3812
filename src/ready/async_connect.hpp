#pragma once
// AsyncConnect: one non-blocking connect() on the event loop, trying each address of a target in turn
// (localhost has both ::1 and 127.0.0.1). The tcp and http probes build on it.

#include <functional>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "net/listen_address.hpp"
#include "net/socket_address.hpp"

namespace hotswap {

// The addresses to try for a probe target: TCP (an empty host means this machine) or a unix socket.
Result<std::vector<SocketAddress>> connect_targets(const ListenAddress& target);

class AsyncConnect {
public:
    // `connected` is valid on success; otherwise `failure` says why the last address failed
    // ("connection refused"). Called at most once per start(), possibly from inside start(); it may
    // destroy this object.
    using Callback = std::function<void(FileDescriptor connected, std::string failure)>;

    explicit AsyncConnect(EventLoop& loop) : loop_(loop) {}
    ~AsyncConnect() { cancel(); }
    AsyncConnect(const AsyncConnect&) = delete;
    AsyncConnect& operator=(const AsyncConnect&) = delete;

    void start(std::vector<SocketAddress> targets, Callback callback);
    // Abandons the attempt in flight; the callback is not called.
    void cancel();

private:
    void try_next();
    void on_writable();
    void finish(FileDescriptor fd, std::string failure);
    void unregister();

    EventLoop& loop_;
    std::vector<SocketAddress> targets_;
    size_t next_ = 0;
    FileDescriptor fd_;
    bool registered_ = false;
    Callback callback_;
    std::string last_failure_;
};

}  // namespace hotswap
