#pragma once
// Listener: one listening socket, bound once by the supervisor and handed to every generation at fd 3, 4, …
// (DESIGN.md §4). All generations accept from this one kernel queue, which is why a switch drops nothing:
// never SO_REUSEPORT (separate queues, whose pending connections are reset when a socket closes).

#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/file_descriptor.hpp"
#include "core/result.hpp"
#include "net/listen_address.hpp"

namespace hotswap {

class Listener {
public:
    // socket(CLOEXEC) + SO_REUSEADDR + bind + listen(SOMAXCONN).
    //  - TCP on every interface (":8080") is one dual-stack IPv6 socket (IPV6_V6ONLY off), or IPv4 when the
    //    host has no IPv6; an explicit IPv6 address ("[::]:8080") is IPv6 only, so 0.0.0.0:8080 can coexist.
    //  - A host name binds its first IPv4 address (else its first IPv6 one).
    //  - Unix: a stale socket file (nobody accepts: connect() is refused) is replaced; a live socket or a
    //    file that is not a socket is an error. The file is created 0660 (less the umask) and removed again
    //    when this Listener is destroyed, if it is still the same file.
    // Errors are one sentence saying what to do, e.g. "cannot listen on tcp://127.0.0.1:8080: the address is
    // already in use (another process is listening; pick another port with --listen)". `option` is the
    // command-line option the address came from, which that advice names (--listen, --proxy).
    static Result<Listener> bind(const ListenAddress& address, std::string_view option = "--listen");

    // Wraps a socket that is already listening (handed to hotswap by systemd); its file is not ours to remove.
    static Listener adopt(FileDescriptor fd, ListenAddress address);

    Listener() = default;
    ~Listener();
    Listener(Listener&& other) noexcept;
    Listener& operator=(Listener&& other) noexcept;
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    int fd() const { return fd_.get(); }
    // As requested, with the kernel's port filled in when ":0" was asked for.
    const ListenAddress& address() const { return address_; }
    uint16_t bound_port() const { return address_.port; }

private:
    void remove_socket_file();

    FileDescriptor fd_;
    ListenAddress address_;
    // The unix socket file this Listener created (device and inode), removed on destruction.
    bool owns_file_ = false;
    dev_t file_dev_ = 0;
    ino_t file_ino_ = 0;
};

// hotswap itself started by systemd (or systemd-socket-activate) with sockets: LISTEN_PID == getpid(),
// LISTEN_FDS=n at fds 3…3+n-1, LISTEN_FDNAMES=a:b. Marks them O_CLOEXEC (each generation gets them through
// the explicit fd list, never by accident), reads each address with getsockname() and unsets the three
// variables so they cannot leak into children. Returns an empty list when hotswap was not socket-activated.
// An unset LISTEN_PID means the sockets are not hotswap's (systemd's rule; --no-listen-pid leaves it out
// for an app behind a shell). Errors: malformed LISTEN_FDS, a set LISTEN_PID that is not a pid (an empty
// one included), or an fd that is not a listening socket.
Result<std::vector<Listener>> adopt_systemd_listeners();

}  // namespace hotswap
