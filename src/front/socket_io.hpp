#pragma once
// The front's two socket steps, the same for a client and an upstream connection: write what a buffer
// holds, read what a socket has. Non-blocking, edge-triggered: `readable`/`writable` remember the last
// event until a call finds the socket empty or full.

#include <cstddef>
#include <string>

namespace hotswap {

enum class SocketIo {
    Moved,    // bytes moved
    Blocked,  // nothing to move now: wait for the next event
    Closed,   // read: the peer closed its side (EOF)
    Failed,   // the connection is broken (reset, refused)
};

// Sends out[sent..] until it is all gone or the socket is full; a drained buffer is emptied (and its memory
// let go when it grew large).
SocketIo send_buffered(int fd, std::string& out, size_t& sent, bool& writable);
// One read of up to `size` bytes into `buffer` (`n`: how many). A short read emptied the socket: the next
// bytes bring a new edge, so `readable` is cleared and no read is spent on EAGAIN, unless the peer's FIN
// came with the edge (`hangup_seen`), whose read of 0 must still come.
SocketIo read_once(int fd, char* buffer, size_t size, size_t& n, bool& readable, bool hangup_seen);

}  // namespace hotswap
