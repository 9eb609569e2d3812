#include "core/file_descriptor.hpp"

#include <unistd.h>

namespace hotswap {

void FileDescriptor::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);  // close() errors are not actionable here; the fd is gone either way.
    fd_ = fd;
}

}  // namespace hotswap

#include <fcntl.h>

namespace hotswap {

Result<Pipe> make_pipe(bool nonblocking_read) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno("pipe2");
    Pipe p{FileDescriptor(fds[0]), FileDescriptor(fds[1])};
    if (nonblocking_read) HS_TRY_VOID(set_nonblocking(p.read.get()));
    return p;
}

Result<void> set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return Error::from_errno("fcntl");
    return {};
}

}  // namespace hotswap
