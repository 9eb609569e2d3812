#include "control/control_server.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "ui/console.hpp"

namespace hotswap {

namespace {
// A client that sends requests but never reads the answers is cut off past this much queued output.
constexpr size_t kMaxQueuedOutput = 1 << 20;

void send_once(int fd, const std::string& line) {
    ssize_t ignored = ::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)ignored;  // best effort: the connection is closed right after
}
}  // namespace

// One client: reads request lines, hands them to the handler, writes answers in the order they are ready.
// It closes itself once the client has finished sending and every answer it is owed went out.
class ControlServer::Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(ControlServer& server, FileDescriptor fd) : server_(server), fd_(std::move(fd)) {}
    ~Connection() {
        if (fd_) server_.loop_.remove_fd(fd_.get());
        if (keep_until_exit_) (void)fd_.release();  // O_CLOEXEC: no child inherits it; exit closes it
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    int fd() const { return fd_.get(); }

    void on_events(uint32_t events) {
        auto self = shared_from_this();  // closing erases us from the map; stay alive until we return
        if (events & EPOLLOUT) flush();
        if (events & (EPOLLIN | EPOLLRDHUP)) read_input();
        else if (events & (EPOLLHUP | EPOLLERR)) server_.close_connection(fd());
    }

    void send(std::string_view line) {
        auto self = shared_from_this();
        if (output_.size() + line.size() > kMaxQueuedOutput) {
            server_.close_connection(fd());
            return;
        }
        output_.append(line);
        flush();
    }

    void keep_until_exit() { keep_until_exit_ = true; }
    void reply_started() { ++pending_; }
    void reply_finished() {
        auto self = shared_from_this();
        --pending_;
        close_if_finished();
    }

private:
    void read_input() {
        char buf[8192];
        for (;;) {
            ssize_t n = ::recv(fd(), buf, sizeof buf, 0);
            if (n > 0) {
                input_.append(buf, size_t(n));
                if (!handle_complete_lines()) return;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n < 0) {  // ECONNRESET and the like: nobody left to answer
                server_.close_connection(fd());
                return;
            }
            // EOF: a request without its newline was cut short; say so, then finish what is owed.
            if (!input_.empty() && !skipping_oversized_) {
                input_.clear();
                send(control_line(control_error("truncated request: end each request with a newline",
                                                 ControlErrorCode::Truncated)));
            }
            read_closed_ = true;
            update_interest();
            close_if_finished();
            return;
        }
    }

    // Returns false when the connection was closed.
    bool handle_complete_lines() {
        size_t start = 0;
        if (skipping_oversized_) {
            // The rest of a request already refused as too large: dropped up to its newline, unread.
            size_t nl = input_.find('\n');
            if (nl == std::string::npos) {
                input_.clear();
                return true;
            }
            skipping_oversized_ = false;
            start = nl + 1;
        }
        for (size_t nl; (nl = input_.find('\n', start)) != std::string::npos; start = nl + 1) {
            std::string_view line(input_.data() + start, nl - start);
            auto reply = std::make_shared<Reply>(weak_from_this());
            auto request = parse_control_request(line);
            if (!request) reply->send(control_error(request.error().to_string(), line.size() > kMaxControlMessage
                                                                                     ? ControlErrorCode::TooLarge
                                                                                     : ControlErrorCode::BadRequest));
            else server_.handler_(*request, std::move(reply));
            if (!fd_ || server_.connections_.count(fd()) == 0) return false;
        }
        input_.erase(0, start);
        if (input_.size() > kMaxControlMessage) {
            // Refuse it now rather than buffer it, then skip the rest of it: the connection stays usable and
            // a client still writing never meets a closed socket.
            send(control_line(control_error(fmt::format("request too large: at most {} bytes", kMaxControlMessage),
                                            ControlErrorCode::TooLarge)));
            input_.clear();
            skipping_oversized_ = true;
        }
        return server_.connections_.count(fd()) != 0;
    }

    void flush() {
        while (!output_.empty()) {
            ssize_t n = ::send(fd(), output_.data(), output_.size(), MSG_NOSIGNAL);
            if (n > 0) {
                output_.erase(0, size_t(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            server_.close_connection(fd());  // the client went away: nothing to deliver to
            return;
        }
        update_interest();
        close_if_finished();
    }

    void update_interest() {
        uint32_t events = (read_closed_ ? 0u : uint32_t(EPOLLIN | EPOLLRDHUP)) | (output_.empty() ? 0u : uint32_t(EPOLLOUT));
        (void)server_.loop_.modify_fd(fd(), events);
    }

    void close_if_finished() {
        if (read_closed_ && pending_ == 0 && output_.empty() && server_.connections_.count(fd()))
            server_.close_connection(fd());
    }

    ControlServer& server_;
    FileDescriptor fd_;
    std::string input_;
    std::string output_;
    int pending_ = 0;  // Replies handed out and not answered yet
    bool read_closed_ = false;
    bool keep_until_exit_ = false;
    bool skipping_oversized_ = false;  // inside a request refused as too large, until its newline
};

ControlServer::Reply::Reply(std::weak_ptr<Connection> connection) : connection_(std::move(connection)) {
    if (auto c = connection_.lock()) c->reply_started();
}

ControlServer::Reply::~Reply() {
    if (!sent_) send(control_error("the supervisor dropped this request without an answer: try again"));
}

void ControlServer::Reply::send(const nlohmann::json& response) {
    if (sent_) return;  // one answer per request
    sent_ = true;
    if (auto c = connection_.lock()) {
        c->send(control_line(response));
        c->reply_finished();
    }
}

void ControlServer::Reply::progress(const nlohmann::json& note) {
    if (sent_) return;  // nothing may follow the answer
    if (auto c = connection_.lock()) c->send(control_line(note));
}

void ControlServer::Reply::keep_connection_until_exit() {
    if (auto c = connection_.lock()) c->keep_until_exit();
}

Result<std::unique_ptr<ControlServer>> ControlServer::create(EventLoop& loop, std::filesystem::path path,
                                                             Handler handler) {
    auto server = std::make_unique<ControlServer>(loop, std::move(path), std::move(handler));
    HS_TRY_VOID(server->lock_and_bind());
    ControlServer* self = server.get();
    HS_TRY_VOID(loop.add_fd(server->listener_.get(), EPOLLIN, [self](uint32_t) { self->accept_all(); }));
    return server;
}

ControlServer::ControlServer(EventLoop& loop, std::filesystem::path path, Handler handler)
    : loop_(loop), path_(std::move(path)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
    connections_.clear();
    if (listener_) {
        loop_.remove_fd(listener_.get());
        ::unlink(path_.c_str());
    }
}

Result<void> ControlServer::lock_and_bind() {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.string().size() >= sizeof addr.sun_path)
        return Error::message(fmt::format("the control socket path {} is longer than {} bytes: set XDG_RUNTIME_DIR "
                                          "or HOTSWAP_CONTROL_SOCKET to a shorter path",
                                          path_.string(), sizeof addr.sun_path - 1));
    std::memcpy(addr.sun_path, path_.c_str(), path_.string().size());

    // 1. The lock: held for our whole life, so a socket file without a lock holder is stale and safe to remove.
    std::string lock_path = path_.string() + ".lock";
    lock_.reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock_) return Error::from_errno("open", lock_path, errno);
    if (::flock(lock_.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return Error::message("another hotswap is already supervising this directory: stop it first "
                                  "(hotswap stop) or run this one elsewhere");
        return Error::from_errno("flock", lock_path, errno);
    }
    // 2. A socket file left by a supervisor that was killed.
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return Error::from_errno("unlink", path_.string(), errno);
    // 3. The socket, born 0600: no window in which another user could connect.
    listener_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!listener_) return Error::from_errno("socket");
    mode_t old_mask = ::umask(0177);
    int rc = ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int bind_errno = errno;
    ::umask(old_mask);
    if (rc != 0) {
        listener_.reset();
        return Error::from_errno("bind", path_.string(), bind_errno);
    }
    if (::listen(listener_.get(), 16) != 0) return Error::from_errno("listen", path_.string(), errno);
    return {};
}

bool ControlServer::peer_allowed(int fd, uid_t& uid, pid_t& pid) const {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
    uid = cred.uid;
    pid = cred.pid;
    return cred.uid == ::geteuid() || cred.uid == 0;
}

void ControlServer::accept_all() {
    for (;;) {
        FileDescriptor fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!fd) return;  // EAGAIN, or EMFILE and the like: the next connection tries again
        uid_t uid = uid_t(-1);
        pid_t pid = 0;
        if (!peer_allowed(fd.get(), uid, pid)) {
            send_once(fd.get(), control_line(control_error(
                                    "permission denied: only the user running hotswap (or root) may control it",
                                    ControlErrorCode::PermissionDenied)));
            Console::get().warn(fmt::format("refused a control connection from uid {} (pid {}): only uid {} or root "
                                            "may control this hotswap",
                                            int(uid), pid, ::geteuid()));
            continue;
        }
        if (connections_.size() >= kMaxConnections) {
            send_once(fd.get(), control_line(control_error(
                                    fmt::format("busy: {} control connections are open already", kMaxConnections),
                                    ControlErrorCode::Busy)));
            continue;
        }
        int raw = fd.get();
        auto connection = std::make_shared<Connection>(*this, std::move(fd));
        auto added = loop_.add_fd(raw, EPOLLIN | EPOLLRDHUP, [this, raw](uint32_t events) {
            auto it = connections_.find(raw);
            if (it != connections_.end()) it->second->on_events(events);
        });
        if (!added) {
            Console::get().warn(fmt::format("control connection dropped: {}", added.error().to_string()));
            continue;  // `connection` closes the fd; it was never registered
        }
        connections_[raw] = std::move(connection);
    }
}

void ControlServer::close_connection(int fd) { connections_.erase(fd); }

}  // namespace hotswap
