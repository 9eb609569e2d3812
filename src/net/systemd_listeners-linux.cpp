#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include <fmt/core.h>

#include "lib/hotswap.h"
#include "lib/listen_env.h"
#include "net/listener.hpp"
#include "net/socket_address.hpp"

namespace hotswap {

namespace {

// getenv that keeps the variable's value after unsetenv; nullopt: unset (which LISTEN_PID may be).
std::optional<std::string> take_env(const char* name) {
    const char* v = std::getenv(name);
    std::optional<std::string> out;
    if (v) out = v;
    ::unsetenv(name);
    return out;
}

const char* c_str_or_null(const std::optional<std::string>& value) { return value ? value->c_str() : nullptr; }

}  // namespace

Result<std::vector<Listener>> adopt_systemd_listeners() {
    // The variables describe our own fds only; unset them now so no child ever sees them (each generation
    // gets its own LISTEN_* from the supervisor).
    auto fds_text = take_env("LISTEN_FDS");
    auto pid_text = take_env("LISTEN_PID");
    auto names_text = take_env("LISTEN_FDNAMES");

    // libhotswap's reading of the variables, so hotswap and the servers linked to the library agree on them,
    // but with systemd's rule for an unset LISTEN_PID: hotswap adopts only sockets passed to it by pid. The
    // variables without LISTEN_PID are those of --no-listen-pid, meant for an app behind a forking shell,
    // not for a hotswap that runs somewhere below it.
    int count = hotswap_internal_listen_count(c_str_or_null(fds_text), c_str_or_null(pid_text), long(::getpid()),
                                              HOTSWAP_INTERNAL_PID_REQUIRED);
    if (count < 0)
        return Error::message(fmt::format(
            "LISTEN_FDS=\"{}\" and LISTEN_PID={} do not say how many sockets were passed to which process "
            "(LISTEN_FDS must be a number, LISTEN_PID a process id); fix the program that started hotswap",
            *fds_text, pid_text ? fmt::format("\"{}\"", *pid_text) : std::string("unset")));

    std::vector<Listener> out;
    for (int i = 0; i < count; ++i) {
        int fd = HOTSWAP_LISTEN_FDS_START + i;
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
        size_t name_length = 0;
        const char* name = hotswap_internal_listen_name(c_str_or_null(names_text), i, &name_length);
        if (name_length > 0) address.name.assign(name, name_length);
        out.push_back(Listener::adopt(std::move(owned), std::move(address)));
    }
    return out;
}

}  // namespace hotswap
