#pragma once
// NotifyServer: the NOTIFY_SOCKET every generation gets (DESIGN.md §5). One datagram socket per supervisor;
// the kernel stamps each datagram with the sender's pid (SO_PASSCRED), which the supervisor maps to a
// generation with process_group_of(). Datagrams without credentials, or over 4096 bytes, are dropped.

#include <functional>
#include <memory>
#include <string>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "core/result.hpp"
#include "ready/notify_message.hpp"
#include "ready/process_group.hpp"

namespace hotswap {

class NotifyServer {
public:
    using Message = NotifyMessage;
    using Callback = std::function<void(const Message&)>;

    // Binds an AF_UNIX datagram socket at `path` (the caller picks a path in a 0700 directory; "@name" is
    // the abstract namespace). A socket file already at `path` is replaced; any other file is an error.
    static Result<std::unique_ptr<NotifyServer>> create(EventLoop& loop, std::string path, Callback on_message);

    struct PassKey {
        explicit PassKey() = default;
    };
    NotifyServer(PassKey, EventLoop& loop, std::string path, Callback on_message);
    ~NotifyServer();  // unregisters and removes the socket file
    NotifyServer(const NotifyServer&) = delete;
    NotifyServer& operator=(const NotifyServer&) = delete;

    // The value for NOTIFY_SOCKET.
    const std::string& path() const { return path_; }
    int fd() const { return fd_.get(); }

private:
    void on_readable();

    EventLoop& loop_;
    std::string path_;
    Callback on_message_;
    FileDescriptor fd_;
    bool registered_ = false;
};

}  // namespace hotswap
