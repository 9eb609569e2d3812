#pragma once
// Durations as the user writes them ("500ms", "10s", "2m", "1h") and as hotswap prints them.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace hotswap {

using Duration = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Parses "<number><unit>" with unit ms, s, m or h; fractions allowed ("1.5s"). A bare number is refused,
// because "10" could mean either unit: the error says which forms exist.
Result<Duration> parse_duration(std::string_view text);

// How long ago `t` was, in whole milliseconds; a time never set (the epoch) is 0 ago.
inline Duration since(Clock::time_point t) {
    if (t == Clock::time_point{}) return Duration(0);
    return std::chrono::duration_cast<Duration>(Clock::now() - t);
}
// A span in whole milliseconds, as events and status report it.
inline int64_t whole_ms(Clock::duration d) { return std::chrono::duration_cast<Duration>(d).count(); }

// "4 ms", "312 ms", "1.24 s", "2 min 5 s".
std::string format_duration(Duration d);
std::string format_duration(Clock::duration d);

}  // namespace hotswap
