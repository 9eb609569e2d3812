#pragma once
// Signals by name, both ways. In core/ so that the config can read --stop-signal without depending on
// the process code that sends it.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace hotswap {

// "TERM" / "SIGTERM" / "15" → 15.
Result<int> parse_signal(std::string_view name);
// 15 → "SIGTERM".
std::string signal_name(int signo);

}  // namespace hotswap
