// hello-cpp: the smallest useful server for hotswap, in one file. It takes its listening socket with
// libhotswap (or binds 127.0.0.1:$PORT itself), says READY=1 when it can serve, answers GET / with its
// version, and on SIGTERM stops accepting, finishes the request in hand and exits 0: everything hotswap
// needs to swap versions without dropping a request.
//
// One connection at a time, one request per connection ("Connection: close"): correct HTTP/1.1, and short.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <hotswap.hpp>

#include "version.hpp"

namespace {

// The socket hotswap (or systemd) passed, else one bound on 127.0.0.1:$PORT (8080 by default); -1 on error.
int take_listener(std::string& origin) {
    if (std::optional<int> fd = hotswap::listener()) {
        origin = "fd " + std::to_string(*fd) + " passed by the supervisor";
        return *fd;
    }
    if (errno != ENOENT) {  // sockets were passed, but the variables are malformed or an fd is not open
        std::fprintf(stderr, "hello-cpp: cannot take the passed socket: %s\n", std::strerror(errno));
        return -1;
    }
    const char* port_text = std::getenv("PORT");
    int port = port_text && *port_text ? std::atoi(port_text) : 8080;
    if (port <= 0 || port > 65535) {
        std::fprintf(stderr, "hello-cpp: PORT=%s is not a port number; set PORT to 1-65535\n", port_text);
        return -1;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, SOMAXCONN) != 0) {
        std::fprintf(stderr, "hello-cpp: cannot listen on 127.0.0.1:%d (%s); set PORT to a free port\n", port,
                     std::strerror(errno));
        return -1;
    }
    origin = "127.0.0.1:" + std::to_string(port);
    return fd;
}

std::string response(std::string_view status, std::string_view body, bool with_body = true) {
    return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + (with_body ? std::string(body) : "");
}

// The answer to a request head ("GET / HTTP/1.1\r\nHost: ...").
std::string answer(std::string_view head) {
    std::string_view line = head.substr(0, head.find("\r\n"));
    size_t first = line.find(' '), last = line.rfind(' ');
    if (first == std::string_view::npos || first == last || !line.substr(last + 1).starts_with("HTTP/1."))
        return response("400 Bad Request", "bad request\n");
    std::string_view method = line.substr(0, first), target = line.substr(first + 1, last - first - 1);
    if (method != "GET" && method != "HEAD") return response("405 Method Not Allowed", "only GET and HEAD\n");
    bool body = method == "GET";
    if (target == "/") return response("200 OK", std::string("hello from hello-cpp ") + kVersion + "\n", body);
    return response("404 Not Found", "not found\n", body);
}

// Reads one request head, answers it, and closes the connection (the client's half too, so that nothing
// it still sends turns the close into a reset). A client that stalls is given up after 5 seconds.
void serve(int fd) {
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::string in;
    char chunk[4096];
    while (in.find("\r\n\r\n") == std::string::npos && in.size() < 16 * 1024) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) break;
        in.append(chunk, size_t(n));
    }
    if (in.find("\r\n\r\n") != std::string::npos) {
        std::string out = answer(in);
        for (size_t sent = 0; sent < out.size();) {
            ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += size_t(n);
        }
    }
    ::shutdown(fd, SHUT_WR);
    while (::read(fd, chunk, sizeof chunk) > 0) {
    }
    ::close(fd);
}

}  // namespace

int main() {
    // SIGTERM (hotswap, systemd) and SIGINT arrive on a signalfd, read next to the listening socket.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, nullptr);
    int signals = ::signalfd(-1, &stop, SFD_CLOEXEC);
    std::string origin;
    int listener = take_listener(origin);
    if (signals < 0 || listener < 0) return 1;

    std::fprintf(stderr, "hello-cpp %s serving on %s (pid %d)\n", kVersion, origin.c_str(), int(::getpid()));
    hotswap::ready();  // the socket is listening: hotswap may now stop the previous version
    hotswap::status(std::string("hello-cpp ") + kVersion + " serving");

    // Non-blocking accept: the previous or next version shares this socket and may take the connection
    // poll announced. (The connections accepted are blocking: accept4 does not pass O_NONBLOCK on.)
    ::fcntl(listener, F_SETFL, ::fcntl(listener, F_GETFL) | O_NONBLOCK);
    pollfd fds[] = {{listener, POLLIN, 0}, {signals, POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) return 1;
        if (fds[1].revents) break;  // a stop signal
        if (!fds[0].revents) continue;
        if (int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC); fd >= 0) serve(fd);
    }
    // Stop accepting: close our copy of the socket (never shutdown(): connections still queued in it are
    // the next version's to accept).
    hotswap::stopping();
    ::close(listener);
    std::fprintf(stderr, "hello-cpp %s stopped\n", kVersion);
    return 0;
}
