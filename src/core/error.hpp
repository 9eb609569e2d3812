#pragma once
// Error: what failed, in one sentence, keeping the failing syscall's name and errno when there is one.

#include <string>
#include <string_view>

namespace hotswap {

class Error {
public:
    Error() = default;

    // A failed system call: `syscall` is its name, errno is read now.
    static Error from_errno(std::string_view syscall);
    static Error from_errno(std::string_view syscall, int errnum);
    // A failed system call on something the user named (a path, an address): "open(/x): No such file…".
    static Error from_errno(std::string_view syscall, std::string_view subject, int errnum);
    // A plain message, complete as it stands.
    static Error message(std::string text);

    // Prefix context: "binding api: bind(127.0.0.1:80): Permission denied".
    Error with_context(std::string_view context) const;

    int errnum() const { return errnum_; }
    std::string to_string() const;

private:
    std::string text_;
    int errnum_ = 0;
};

}  // namespace hotswap
