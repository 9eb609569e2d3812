#pragma once
// NotifyMessage: one sd_notify datagram ("READY=1\nSTATUS=listening on :8080\n"), the protocol of
// systemd's Type=notify, which hotswap speaks so unchanged sd_notify() clients work under it.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace hotswap {

struct NotifyMessage {
    pid_t sender = 0;  // from SCM_CREDENTIALS, checked by the kernel
    bool ready = false;
    bool stopping = false;
    bool reloading = false;
    std::optional<std::string> status;
    std::optional<pid_t> mainpid;
};

// Newline-separated KEY=VALUE assignments; unknown keys (WATCHDOG=1, FDSTORE=1, …) and malformed lines are
// ignored, as systemd does.
NotifyMessage parse_notify_message(std::string_view datagram, pid_t sender);

}  // namespace hotswap
