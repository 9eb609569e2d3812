#pragma once
// ControlServer: the supervisor's end of the control socket. A 0600 unix socket in a 0700 directory,
// guarded by a lock file so two supervisors never share one project; every peer's uid is checked with
// SO_PEERCRED (the same user or root only); requests are JSON lines of at most kMaxControlMessage bytes.
// Malformed, oversized or truncated input gets an error reply; nothing a client sends can stop the loop.

#include <sys/types.h>

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
    // A handle to answer one request, now or later (reload answers once the outcome is known). A Reply
    // dropped without an answer answers with an error, so a client never waits forever on a lost request.
    class Reply {
    public:
        explicit Reply(std::weak_ptr<Connection> connection);
        ~Reply();
        Reply(const Reply&) = delete;
        Reply& operator=(const Reply&) = delete;
        void send(const nlohmann::json& response);
        // A note before the answer ({"progress": "..."}, no "ok"): a reload says what it waits for.
        void progress(const nlohmann::json& note);
        bool connected() const { return !connection_.expired(); }
        // The connection is then never closed by us, only by the kernel when hotswap exits: a client that
        // waits for EOF (hotswap stop) returns exactly when the supervisor is gone, not a moment before.
        void keep_connection_until_exit();

    private:
        std::weak_ptr<Connection> connection_;
        bool sent_ = false;
    };
    using Handler = std::function<void(const ControlRequest&, std::shared_ptr<Reply>)>;

    // Connections beyond this are answered "busy" and closed.
    static constexpr size_t kMaxConnections = 32;

    static Result<std::unique_ptr<ControlServer>> create(EventLoop& loop, std::filesystem::path path, Handler handler);
    ControlServer(EventLoop& loop, std::filesystem::path path, Handler handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    const std::filesystem::path& path() const { return path_; }
    size_t connection_count() const { return connections_.size(); }

private:
    friend class Connection;
    Result<void> lock_and_bind();
    void accept_all();
    bool peer_allowed(int fd, uid_t& uid, pid_t& pid) const;
    void close_connection(int fd);

    EventLoop& loop_;
    std::filesystem::path path_;
    Handler handler_;
    FileDescriptor lock_;
    FileDescriptor listener_;
    std::unordered_map<int, std::shared_ptr<Connection>> connections_;
};

}  // namespace hotswap
