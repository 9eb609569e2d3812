#pragma once
// LineSplitter: turns a child's output, read in arbitrary chunks, into whole lines.
// A line longer than the cap is cut into pieces so a process that never prints '\n' cannot grow memory.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace hotswap {

class LineSplitter {
public:
    using LineCallback = std::function<void(std::string_view line)>;
    explicit LineSplitter(LineCallback on_line, size_t max_line = 64 * 1024)
        : on_line_(std::move(on_line)), max_line_(max_line) {}

    void feed(std::string_view chunk);
    // End of stream: emits a last unterminated line, if any.
    void finish();

private:
    LineCallback on_line_;
    size_t max_line_;
    std::string partial_;
};

}  // namespace hotswap
