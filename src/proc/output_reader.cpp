#include "proc/output_reader.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

namespace hotswap {

Result<std::unique_ptr<OutputReader>> OutputReader::create(EventLoop& loop, FileDescriptor read_end,
                                                           LineCallback on_line) {
    HS_TRY_VOID(set_nonblocking(read_end.get()));
    auto reader = std::make_unique<OutputReader>(loop, std::move(read_end), std::move(on_line));
    OutputReader* self = reader.get();
    HS_TRY_VOID(loop.add_fd(self->fd_.get(), EPOLLIN, [self](uint32_t) { self->on_readable(); }));
    return reader;
}

OutputReader::OutputReader(EventLoop& loop, FileDescriptor fd, LineCallback on_line)
    : loop_(loop), fd_(std::move(fd)), splitter_(std::move(on_line)) {}

OutputReader::~OutputReader() {
    if (fd_) loop_.remove_fd(fd_.get());
}

void OutputReader::drain() {
    if (fd_) on_readable();
}

void OutputReader::on_readable() {
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd_.get(), buf, sizeof buf);
        if (n > 0) {
            splitter_.feed(std::string_view(buf, size_t(n)));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        // EOF (every writer closed) or a real error: either way this stream is over.
        splitter_.finish();
        loop_.remove_fd(fd_.get());
        fd_.reset();
        return;
    }
}

}  // namespace hotswap
