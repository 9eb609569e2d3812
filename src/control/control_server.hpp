#pragma once
// ControlServer: the supervisor's end of the control socket. A 0600 unix socket in a 0700 directory;
// every peer's uid is checked with SO_PEERCRED (the same user or root only); requests are JSON lines of at
// most kMaxControlMessage bytes; a malformed one gets an error reply and the supervisor carries on.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "control/protocol.hpp"
#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"

namespace hotswap {

class ControlServer {
public:
    class Connection;
    // A handle to answer one request, now or later (reload answers once the outcome is known).
    class Reply {
    public:
        explicit Reply(std::weak_ptr<Connection> connection) : connection_(std::move(connection)) {}
        void send(const nlohmann::json& response);
        bool connected() const { return !connection_.expired(); }

    private:
        std::weak_ptr<Connection> connection_;
    };
    using Handler = std::function<void(const ControlRequest&, std::shared_ptr<Reply>)>;

    static Result<std::unique_ptr<ControlServer>> create(EventLoop& loop, std::filesystem::path path, Handler handler);
    ControlServer(EventLoop& loop, std::filesystem::path path, Handler handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    void accept_all();
    void on_readable(int fd);
    void close_connection(int fd);

    EventLoop& loop_;
    std::filesystem::path path_;
    Handler handler_;
    FileDescriptor listener_;
    std::unordered_map<int, std::shared_ptr<Connection>> connections_;
};

}  // namespace hotswap
