#include "control/control_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "ui/console.hpp"

namespace hotswap {

class ControlServer::Connection {
public:
    Connection(EventLoop& loop, FileDescriptor fd) : loop_(loop), fd_(std::move(fd)) {}
    ~Connection() {
        if (fd_) loop_.remove_fd(fd_.get());
    }
    int fd() const { return fd_.get(); }
    std::string input;
    void send(std::string_view text) {
        out_.append(text);
        flush();
    }
    void flush() {
        while (!out_.empty()) {
            ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
            if (n > 0) {
                out_.erase(0, size_t(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) {
                (void)loop_.modify_fd(fd_.get(), EPOLLIN | EPOLLOUT);
                return;
            }
            out_.clear();  // the client went away; nothing to deliver to
            return;
        }
        (void)loop_.modify_fd(fd_.get(), EPOLLIN);
    }

private:
    EventLoop& loop_;
    FileDescriptor fd_;
    std::string out_;
};

void ControlServer::Reply::send(const nlohmann::json& response) {
    if (auto c = connection_.lock())
        c->send(response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Result<std::unique_ptr<ControlServer>> ControlServer::create(EventLoop& loop, std::filesystem::path path,
                                                             Handler handler) {
    auto server = std::make_unique<ControlServer>(loop, path, std::move(handler));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof addr.sun_path)
        return Error::message(fmt::format("control socket path too long: {}", path.string()));
    std::strcpy(addr.sun_path, path.c_str());

    // A socket file left by a supervisor that was killed is removed; a live one means we are not alone.
    {
        FileDescriptor probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (::connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
            return Error::message("another hotswap is already supervising this directory: stop it first "
                                  "(hotswap stop) or run this one elsewhere");
        if (errno == ECONNREFUSED) ::unlink(path.c_str());
    }
    server->listener_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!server->listener_) return Error::from_errno("socket");
    mode_t old_mask = ::umask(0177);  // the socket is born 0600: no window where others could connect
    int rc = ::bind(server->listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int bind_errno = errno;
    ::umask(old_mask);
    if (rc != 0) return Error::from_errno("bind", path.string(), bind_errno);
    ::chmod(path.c_str(), 0600);
    if (::listen(server->listener_.get(), 16) != 0) return Error::from_errno("listen", path.string(), errno);
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

void ControlServer::accept_all() {
    for (;;) {
        FileDescriptor fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!fd) return;
        ucred cred{};
        socklen_t len = sizeof cred;
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
            (cred.uid != ::getuid() && cred.uid != 0)) {
            std::string reply = control_error("permission denied: only the user running hotswap (or root) may control it")
                                    .dump() + "\n";
            ssize_t ignored = ::send(fd.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
            (void)ignored;
            Console::get().warn(fmt::format("refused a control connection from uid {}", cred.uid));
            continue;
        }
        int raw = fd.get();
        auto connection = std::make_shared<Connection>(loop_, std::move(fd));
        if (!loop_.add_fd(raw, EPOLLIN, [this, raw](uint32_t events) {
                if (events & EPOLLOUT) {
                    auto it = connections_.find(raw);
                    if (it != connections_.end()) it->second->flush();
                }
                if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(raw);
            }))
            continue;
        connections_[raw] = std::move(connection);
    }
}

void ControlServer::on_readable(int fd) {
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    std::shared_ptr<Connection> c = it->second;
    char buf[8192];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            c->input.append(buf, size_t(n));
            size_t nl;
            while ((nl = c->input.find('\n')) != std::string::npos) {
                std::string line = c->input.substr(0, nl);
                c->input.erase(0, nl + 1);
                auto reply = std::make_shared<Reply>(c);
                auto request = parse_control_request(line);
                if (!request) reply->send(control_error(request.error().to_string()));
                else handler_(*request, reply);
                if (connections_.find(fd) == connections_.end()) return;  // the handler closed it
            }
            if (c->input.size() > kMaxControlMessage) {
                Reply(c).send(control_error(fmt::format("request too large: at most {} bytes", kMaxControlMessage)));
                close_connection(fd);
                return;
            }
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        // EOF: a request without its newline is still answered (it was truncated), then the connection ends.
        if (!c->input.empty()) Reply(c).send(control_error("truncated request: end each request with a newline"));
        close_connection(fd);
        return;
    }
}

void ControlServer::close_connection(int fd) { connections_.erase(fd); }

}  // namespace hotswap
