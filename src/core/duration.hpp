#pragma once
// Durations as the user writes them ("500ms", "10s", "2m", "1h") and as hotswap prints them.

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace hotswap {

using Duration = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Parses "<number><unit>" with unit ms, s, m or h; fractions allowed ("1.5s"). A bare number is refused,
// because "10" could mean either unit: the error says which forms exist.
Result<Duration> parse_duration(std::string_view text);

// "4 ms", "312 ms", "1.24 s", "2 min 5 s".
std::string format_duration(Duration d);
std::string format_duration(Clock::duration d);

}  // namespace hotswap
