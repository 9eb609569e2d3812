#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fmt/core.h>

#include "net/listener.hpp"
#include "net/socket_address.hpp"

namespace hotswap {

namespace {

constexpr int kListenFdsStart = 3;  // SD_LISTEN_FDS_START

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

bool parse_int(std::string_view text, long& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string> split_names(std::string_view names) {
    std::vector<std::string> out;
    if (names.empty()) return out;
    size_t start = 0;
    for (;;) {
        auto colon = names.find(':', start);
        out.emplace_back(names.substr(start, colon - start));
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    return out;
}

}  // namespace

Result<std::vector<Listener>> adopt_systemd_listeners() {
    std::string fds_text = env_or_empty("LISTEN_FDS");
    std::string pid_text = env_or_empty("LISTEN_PID");
    std::string names_text = env_or_empty("LISTEN_FDNAMES");
    // The variables describe our own fds only; unset them now so no child ever sees them (each generation
    // gets its own LISTEN_* from the supervisor).
    ::unsetenv("LISTEN_FDS");
    ::unsetenv("LISTEN_PID");
    ::unsetenv("LISTEN_FDNAMES");

    std::vector<Listener> out;
    if (fds_text.empty()) return out;
    long pid = 0;
    // A LISTEN_PID for another process means the variables were inherited, not meant for us.
    if (!parse_int(pid_text, pid) || pid != long(::getpid())) return out;
    long count = 0;
    if (!parse_int(fds_text, count) || count < 0 || count > 4096)
        return Error::message(fmt::format(
            "LISTEN_FDS=\"{}\" is not a number of sockets (check the program that started hotswap)", fds_text));

    auto names = split_names(names_text);
    for (int i = 0; i < int(count); ++i) {
        int fd = kListenFdsStart + i;
        int flags = ::fcntl(fd, F_GETFD);
        if (flags < 0)
            return Error::message(fmt::format(
                "LISTEN_FDS={} but fd {} is not open (check the program that started hotswap)", count, fd));
        if (!(flags & FD_CLOEXEC) && ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0)
            return Error::from_errno("fcntl(FD_CLOEXEC)");
        FileDescriptor owned(fd);
        int listening = 0;
        socklen_t len = sizeof listening;
        if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening)
            return Error::message(fmt::format(
                "fd {} passed by systemd is not a listening stream socket (use ListenStream= with Accept=no in the "
                ".socket unit)",
                fd));
        HS_TRY(local, local_address(fd));
        ListenAddress address = local.to_listen_address();
        // systemd names unnamed sockets "unknown"; keep it so LISTEN_FDNAMES passes through unchanged.
        if (size_t(i) < names.size() && !names[size_t(i)].empty()) address.name = names[size_t(i)];
        out.push_back(Listener::adopt(std::move(owned), std::move(address)));
    }
    return out;
}

}  // namespace hotswap
