#include "core/signal_name.hpp"

#include <cctype>
#include <csignal>
#include <cstring>
#include <string>
#include <utility>

#include <fmt/core.h>

namespace hotswap {

Result<int> parse_signal(std::string_view name) {
    std::string upper;
    for (char c : name) upper.push_back(char(std::toupper(static_cast<unsigned char>(c))));
    std::string_view n = upper;
    if (n.starts_with("SIG")) n.remove_prefix(3);
    static constexpr std::pair<std::string_view, int> kSignals[] = {
        {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
        {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"WINCH", SIGWINCH}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
    };
    for (auto [sname, num] : kSignals)
        if (n == sname) return num;
    int num = 0;
    bool digits = !n.empty();
    for (char c : n) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (digits && n.size() < 4) {
        num = std::stoi(std::string(n));
        if (num > 0 && num < NSIG) return num;
    }
    return Error::message(fmt::format("'{}' is not a signal: use a name like TERM, INT, HUP, QUIT, USR1 or KILL", name));
}

std::string signal_name(int signo) {
    const char* abbrev = ::sigabbrev_np(signo);
    return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", signo);
}

}  // namespace hotswap
