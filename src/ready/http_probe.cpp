#include "ready/http_probe.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace hotswap {

namespace {
// Enough for any status line; a server that sends more before a newline is not speaking HTTP.
constexpr size_t kMaxStatusLine = 1024;
}  // namespace

HttpProbe::HttpProbe(EventLoop& loop, std::string url, HttpUrl parsed)
    : RetryingProbe(loop), url_(std::move(url)), parsed_(std::move(parsed)), connect_(loop) {}

HttpProbe::~HttpProbe() { close_connection(); }

int HttpProbe::parse_status_line(std::string_view line) {
    if (line.substr(0, 5) != "HTTP/") return -1;
    auto space = line.find(' ');
    if (space == std::string_view::npos || line.size() < space + 4) return -1;
    int code = 0;
    for (size_t i = space + 1; i < space + 4; ++i) {
        if (line[i] < '0' || line[i] > '9') return -1;
        code = code * 10 + (line[i] - '0');
    }
    if (line.size() > space + 4 && line[space + 4] != ' ' && line[space + 4] != '\r') return -1;
    return code;
}

void HttpProbe::close_connection() {
    if (registered_) loop_.remove_fd(conn_.get());
    registered_ = false;
    conn_.reset();
    response_.clear();
}

void HttpProbe::abandon_attempt() {
    connect_.cancel();
    close_connection();
}

void HttpProbe::attempt() {
    ListenAddress target;
    target.host = parsed_.host;
    target.port = parsed_.port;
    auto targets = connect_targets(target);
    if (!targets.ok()) {
        fail(targets.error().to_string());
        return;
    }
    connect_.start(std::move(targets.value()), [this](FileDescriptor fd, std::string failure) {
        if (fd) {
            on_connected(std::move(fd));
        } else {
            fail(std::move(failure));
        }
    });
}

void HttpProbe::on_connected(FileDescriptor fd) {
    conn_ = std::move(fd);
    std::string request = fmt::format(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: hotswap-ready-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        parsed_.target, parsed_.host_header);
    // A fresh connection's send buffer takes a request this small whole; anything less is a failed attempt.
    ssize_t n = ::send(conn_.get(), request.data(), request.size(), MSG_NOSIGNAL);
    if (n != ssize_t(request.size())) {
        std::string why = n < 0 ? std::strerror(errno) : "short write";
        close_connection();
        fail(std::move(why));
        return;
    }
    auto added = loop_.add_fd(conn_.get(), EPOLLIN | EPOLLRDHUP, [this](uint32_t) { on_readable(); });
    if (!added.ok()) {
        close_connection();
        fail(added.error().to_string());
        return;
    }
    registered_ = true;
}

void HttpProbe::on_readable() {
    char buf[512];
    ssize_t n = ::recv(conn_.get(), buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        std::string why = n < 0 ? std::strerror(errno) : "the connection closed before a response";
        close_connection();
        fail(std::move(why));
        return;
    }
    response_.append(buf, size_t(n));
    auto newline = response_.find('\n');
    if (newline == std::string::npos && response_.size() < kMaxStatusLine) return;
    std::string line = response_.substr(0, std::min(newline, kMaxStatusLine));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    int status = parse_status_line(line);
    close_connection();
    if (status >= 200 && status <= 299) {
        succeed();
    } else if (status < 0) {
        fail("the answer is not HTTP");
    } else {
        fail(fmt::format("HTTP {}", status));
    }
}

std::string HttpProbe::describe() const {
    std::string text = fmt::format("GET {} answering 2xx", url_);
    if (!last_failure().empty()) text += fmt::format(" (last attempt: {})", last_failure());
    return text;
}

}  // namespace hotswap
