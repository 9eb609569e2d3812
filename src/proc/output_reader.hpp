#pragma once
// OutputReader: the read end of a child's stdout/stderr pipe, registered on the event loop, delivered as
// whole lines. Shared by the builder and every generation.

#include <functional>
#include <string_view>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "core/line_splitter.hpp"

namespace hotswap {

class OutputReader {
public:
    using LineCallback = std::function<void(std::string_view line)>;
    // Takes the pipe's read end; the caller hands the write end to the child and then closes it.
    static Result<std::unique_ptr<OutputReader>> create(EventLoop& loop, FileDescriptor read_end, LineCallback on_line);
    OutputReader(EventLoop& loop, FileDescriptor fd, LineCallback on_line);
    ~OutputReader();
    OutputReader(const OutputReader&) = delete;
    OutputReader& operator=(const OutputReader&) = delete;

    // Reads whatever is buffered now (used when the child exited, so its last lines come before the verdict).
    void drain();
    bool open() const { return fd_.valid(); }

private:
    void on_readable();

    EventLoop& loop_;
    FileDescriptor fd_;
    LineSplitter splitter_;
};

}  // namespace hotswap
