#include "front/socket_io.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace hotswap {

namespace {
// A buffer that grew beyond this for a large body gives its memory back once drained.
constexpr size_t kKeepCapacity = 32 * 1024;
bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }
}  // namespace

SocketIo send_buffered(int fd, std::string& out, size_t& sent, bool& writable) {
    bool moved = false;
    while (sent < out.size()) {
        if (!writable) return moved ? SocketIo::Moved : SocketIo::Blocked;
        ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += size_t(n);
            moved = true;
        } else if (n < 0 && would_block(errno)) {
            writable = false;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return SocketIo::Failed;
        }
    }
    if (sent > 0) {
        out.clear();
        sent = 0;
        if (out.capacity() > kKeepCapacity) std::string().swap(out);
    }
    return moved ? SocketIo::Moved : SocketIo::Blocked;
}

SocketIo read_once(int fd, char* buffer, size_t size, size_t& n, bool& readable, bool hangup_seen) {
    n = 0;
    if (!readable) return SocketIo::Blocked;
    ssize_t got;
    do got = ::read(fd, buffer, size);
    while (got < 0 && errno == EINTR);
    if (got > 0) {
        n = size_t(got);
        if (n < size && !hangup_seen) readable = false;
        return SocketIo::Moved;
    }
    if (got == 0) return SocketIo::Closed;
    if (would_block(errno)) {
        readable = false;
        return SocketIo::Blocked;
    }
    return SocketIo::Failed;
}

}  // namespace hotswap
