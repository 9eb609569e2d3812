#pragma once
// sd_notify for hotswap itself: when systemd runs hotswap as Type=notify, hotswap reports READY=1,
// RELOADING=1, STATUS=… and MAINPID=… the same way its own generations report to it.

#include <string_view>

#include "core/result.hpp"

namespace hotswap {

// Sends `message` ("READY=1\nSTATUS=serving generation 3") to $NOTIFY_SOCKET, a path or an abstract name
// starting with '@'. Does nothing when NOTIFY_SOCKET is unset, so callers need not check.
Result<void> sd_notify_send(std::string_view message);

}  // namespace hotswap
