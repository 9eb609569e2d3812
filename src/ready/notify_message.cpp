#include "ready/notify_message.hpp"

#include <charconv>

namespace hotswap {

NotifyMessage parse_notify_message(std::string_view datagram, pid_t sender) {
    NotifyMessage m;
    m.sender = sender;
    while (!datagram.empty()) {
        auto newline = datagram.find('\n');
        std::string_view line = datagram.substr(0, newline);
        datagram = newline == std::string_view::npos ? std::string_view() : datagram.substr(newline + 1);
        auto eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view key = line.substr(0, eq);
        std::string_view value = line.substr(eq + 1);
        if (key == "READY") {
            m.ready = value == "1";
        } else if (key == "STOPPING") {
            m.stopping = value == "1";
        } else if (key == "RELOADING") {
            m.reloading = value == "1";
        } else if (key == "STATUS") {
            m.status = std::string(value);
        } else if (key == "MAINPID") {
            long pid = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), pid);
            if (ec == std::errc() && end == value.data() + value.size() && pid > 0) m.mainpid = pid_t(pid);
        }
    }
    return m;
}

}  // namespace hotswap
