#include "config/setting_parsers.hpp"

#include <string>

#include <fmt/core.h>

namespace hotswap {

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Result<Duration> parse_ms_or_duration(std::string_view text) {
    if (all_digits(text)) {
        // Twelve digits of milliseconds are some 30 years; more would overflow stoll.
        if (text.size() > 12) return Error::message(fmt::format("'{}' is too large", text));
        return Duration(std::stoll(std::string(text)));
    }
    return parse_duration(text);
}

bool is_build_nice(int64_t steps) { return steps >= 0 && steps <= kMaxBuildNice; }

Result<int> parse_build_nice(std::string_view text) {
    // Two digits at most, so stoi cannot overflow.
    if (!all_digits(text) || text.size() > 2 || !is_build_nice(std::stoi(std::string(text))))
        return Error::message(fmt::format("'{}' is not a number from 0 to {} (0 runs the build at hotswap's own "
                                          "priority) nor 'idle'",
                                          text, kMaxBuildNice));
    return std::stoi(std::string(text));
}

}  // namespace hotswap
