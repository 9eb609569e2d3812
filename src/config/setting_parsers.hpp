#pragma once
// Settings written as text: the parsers that hotswap.toml's strings and the flags' values share, so a
// value means the same on both sides. (parse_signal is in core/, parse_restart_policy beside its enum.)

#include <cstdint>
#include <string_view>

#include "config/config.hpp"
#include "core/duration.hpp"
#include "core/result.hpp"

namespace hotswap {

// A duration where a bare number means milliseconds (--debounce 50, --poll=250).
Result<Duration> parse_ms_or_duration(std::string_view text);

// --build-nice N: a whole number of nice steps, from 0 (the build's priority is left alone) to
// kMaxBuildNice. The word idle, the other value the setting takes, is for the caller to check first.
Result<int> parse_build_nice(std::string_view text);
bool is_build_nice(int64_t steps);

}  // namespace hotswap
