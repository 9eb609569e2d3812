// static_server: the backend of bench/front.sh, a fast static HTTP/1.1 server (one thread, epoll), so
// the figures show what a proxy in front of it costs, not the app. It answers every request (a GET or
// HEAD without a body: the benchmark sends nothing else) with the same small 200, keeps connections
// alive and holds any number of idle ones for a few hundred bytes each.
// It takes its socket the systemd way (fd 3 with LISTEN_FDS/LISTEN_PID) or binds --port (default: $PORT,
// as hotswap's proxy mode sets it) on loopback; SIGTERM/SIGINT end it at once (a benchmark has nothing
// to drain).
//   static_server [--port P] [--body TEXT]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

int listener_from_env_or_bind(int port) {
    const char* fds = std::getenv("LISTEN_FDS");
    const char* pid = std::getenv("LISTEN_PID");
    if (fds && std::atoi(fds) >= 1 && (!pid || std::atoi(pid) == ::getpid())) return 3;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, SOMAXCONN) != 0) {
        std::perror("static_server: bind");
        std::exit(3);
    }
    return fd;
}

// Counts the complete requests in what arrived (each ends with an empty line) and keeps the unfinished
// tail: pipelined requests get one answer each.
int take_requests(std::string& pending) {
    int count = 0;
    size_t start = 0, end;
    while ((end = pending.find("\r\n\r\n", start)) != std::string::npos) {
        ++count;
        start = end + 4;
    }
    pending.erase(0, start);
    return count;
}

}  // namespace

int main(int argc, char** argv) {
    const char* port_env = std::getenv("PORT");
    int port = port_env && *port_env ? std::atoi(port_env) : 8080;
    std::string body = "hello from static_server\n";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--port") port = std::atoi(next().c_str());
        else if (a == "--body") body = next() + "\n";
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the benchmark that started it
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body;
    int listener = listener_from_env_or_bind(port);
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    std::printf("static_server listening\n");
    std::fflush(stdout);

    std::unordered_map<int, std::string> pending;  // per connection: an unfinished request's bytes
    epoll_event events[256];
    char chunk[16384];
    std::string out;
    while (!g_stop) {
        int n = ::epoll_wait(ep, events, 256, 200);
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                // One accept per wake-up (level-triggered): the listener stays blocking, since with
                // LISTEN_FDS its file description is shared with the supervisor.
                int c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c < 0) continue;
                int one = 1;
                ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                epoll_event cev{};
                cev.events = EPOLLIN | EPOLLRDHUP;
                cev.data.fd = c;
                ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                pending[c];
                continue;
            }
            ssize_t got = ::read(fd, chunk, sizeof chunk);
            if (got <= 0) {
                ::close(fd);
                pending.erase(fd);
                continue;
            }
            std::string& buf = pending[fd];
            buf.append(chunk, size_t(got));
            int requests = take_requests(buf);
            if (requests == 0) continue;
            out.clear();
            for (int r = 0; r < requests; ++r) out += response;
            // Small answers into an empty socket buffer: one write takes them all (a client that stops
            // reading with megabytes queued is not something this benchmark does).
            if (::write(fd, out.data(), out.size()) != ssize_t(out.size())) {
                ::close(fd);
                pending.erase(fd);
            }
        }
    }
    return 0;
}
