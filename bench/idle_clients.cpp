// idle_clients: opens N keep-alive connections to a server, sends one GET on each and reads its answer,
// then holds them all idle until SIGINT/SIGTERM: what a proxy's memory looks like with many idle
// keep-alive clients (browsers, pools), measured by bench/front.sh. One connection at a time, so the
// proxy never needs more than one upstream connection for them. Prints "idle_clients holding N" once
// all are open and answered; exits 1 (with the reason) if a connection fails or is closed while held.
//   idle_clients --port P [--connections N]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// Reads one whole response (headers and a Content-Length body); false on a closed connection or an
// answer other than 2xx.
bool read_response(int fd, std::string& why) {
    std::string buf;
    char chunk[4096];
    size_t header_end;
    while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) {
            why = n == 0 ? "closed before an answer" : std::strerror(errno);
            return false;
        }
        buf.append(chunk, size_t(n));
    }
    if (buf.compare(0, 10, "HTTP/1.1 2") != 0 && buf.compare(0, 10, "HTTP/1.0 2") != 0) {
        why = "answer: " + buf.substr(0, buf.find("\r\n"));
        return false;
    }
    size_t length = 0;
    for (const char* name : {"\r\nContent-Length:", "\r\ncontent-length:"}) {
        size_t at = buf.find(name);
        if (at != std::string::npos && at < header_end) length = std::strtoul(buf.c_str() + at + 17, nullptr, 10);
    }
    while (buf.size() < header_end + 4 + length) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) {
            why = "closed inside the body";
            return false;
        }
        buf.append(chunk, size_t(n));
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    int port = 0, connections = 10000;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
        if (a == "--port") port = next();
        else if (a == "--connections") connections = next();
    }
    if (port <= 0 || connections <= 0) {
        std::fprintf(stderr, "usage: idle_clients --port P [--connections N]\n");
        return 2;
    }
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlives the benchmark that started it
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string request = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
    std::vector<pollfd> held;
    held.reserve(size_t(connections));
    for (int i = 0; i < connections && !g_stop; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        std::string why;
        if (fd < 0) {
            why = std::string("socket: ") + std::strerror(errno);
        } else if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            why = std::string("connect: ") + std::strerror(errno);
        } else if (::write(fd, request.data(), request.size()) != ssize_t(request.size())) {
            why = std::string("write: ") + std::strerror(errno);
        } else if (read_response(fd, why)) {
            held.push_back(pollfd{fd, POLLIN, 0});
            continue;
        }
        std::fprintf(stderr, "idle_clients: connection %d of %d: %s\n", i + 1, connections, why.c_str());
        return 1;
    }
    std::printf("idle_clients holding %zu\n", held.size());
    std::fflush(stdout);
    // Idle: a held connection that becomes readable was closed (or sent something unasked): the proxy
    // dropped an idle client, which the benchmark must hear about.
    while (!g_stop) {
        int n = ::poll(held.data(), held.size(), 500);
        if (n <= 0) continue;
        int closed = 0;
        for (const auto& p : held) closed += (p.revents != 0);
        std::fprintf(stderr, "idle_clients: %d of %zu held connections closed by the server\n", closed, held.size());
        return 1;
    }
    for (const auto& p : held) ::close(p.fd);
    return 0;
}
