// SPDX-License-Identifier: MIT (see LICENSE at the root of hotswap)
// libhotswap for C++: the C API of hotswap.h with std::string_view, std::optional and an enum class.
//
//   int fd = hotswap::listener().value_or(-1);   // the passed socket, or bind one yourself
//   hotswap::ready();                            // after the first accept() could succeed
//
// Header-only over the C library; link hotswap::hotswap (CMake) or `pkg-config --libs hotswap`.
#pragma once

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

#include "hotswap.h"

namespace hotswap {

// What happened to a notification. `no_supervisor` is normal when the server runs on its own.
enum class Notified { sent, no_supervisor, failed };

// The C calls return -errno on failure; the wrappers below turn that into nullopt or Notified::failed and
// leave the reason in errno.

// How many sockets were passed to this process (0 when it was not socket-activated); nullopt with errno
// EINVAL when the LISTEN_* variables are malformed.
inline std::optional<int> listener_count() {
    int n = hotswap_listener_count();
    if (n < 0) {
        errno = -n;
        return std::nullopt;
    }
    return n;
}

// The passed socket called `name` (see hotswap_listener() for the naming rules), or nullopt with errno
// saying why: ENOENT none by that name, EINVAL malformed variables, EBADF an fd that is not open.
inline std::optional<int> listener(std::string_view name = HOTSWAP_DEFAULT_LISTENER) {
    int fd = hotswap_listener(std::string(name).c_str());
    if (fd < 0) {
        errno = -fd;
        return std::nullopt;
    }
    return fd;
}

namespace detail {
inline Notified notified(int result) {
    if (result > 0) return Notified::sent;
    if (result == 0) return Notified::no_supervisor;
    errno = -result;
    return Notified::failed;
}
}  // namespace detail

// Any sd_notify state ("READY=1\nSTATUS=up"); on failure errno says why.
inline Notified notify(std::string_view state) { return detail::notified(hotswap_notify(std::string(state).c_str())); }

// READY=1: this version serves; the supervisor may drain the previous one.
inline Notified ready() { return detail::notified(hotswap_ready()); }

// STATUS=text, shown by the supervisor.
inline Notified status(std::string_view text) { return detail::notified(hotswap_status(std::string(text).c_str())); }

// STOPPING=1: this version has begun to shut down.
inline Notified stopping() { return detail::notified(hotswap_stopping()); }

}  // namespace hotswap
