#include "core/error.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace hotswap {

Error Error::from_errno(std::string_view syscall) { return from_errno(syscall, errno); }

Error Error::from_errno(std::string_view syscall, int errnum) {
    Error e;
    e.errnum_ = errnum;
    e.text_ = fmt::format("{}: {}", syscall, std::strerror(errnum));
    return e;
}

Error Error::from_errno(std::string_view syscall, std::string_view subject, int errnum) {
    Error e;
    e.errnum_ = errnum;
    e.text_ = fmt::format("{}({}): {}", syscall, subject, std::strerror(errnum));
    return e;
}

Error Error::message(std::string text) {
    Error e;
    e.text_ = std::move(text);
    return e;
}

Error Error::with_context(std::string_view context) const {
    Error e = *this;
    e.text_ = fmt::format("{}: {}", context, text_);
    return e;
}

std::string Error::to_string() const { return text_; }

}  // namespace hotswap
