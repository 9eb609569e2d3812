#pragma once
// FileDescriptor: owns one fd, closes it once. Move-only, so ownership is always visible in the types.

#include <utility>

namespace hotswap {

class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() { reset(); }

    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    explicit operator bool() const { return valid(); }

    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

// A pipe whose both ends are O_CLOEXEC (and O_NONBLOCK when asked).
struct Pipe {
    FileDescriptor read;
    FileDescriptor write;
};

}  // namespace hotswap

#include "core/result.hpp"

namespace hotswap {
Result<Pipe> make_pipe(bool nonblocking_read = false);
Result<void> set_nonblocking(int fd);
}  // namespace hotswap
