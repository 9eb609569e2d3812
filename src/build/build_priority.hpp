#pragma once
// The build's CPU priority: a build runs a few nice steps below hotswap, so on a machine with few cores
// the server being developed keeps answering quickly while the compiler runs (a developer's requests
// keep their latency while they save files). `nice` is relative to hotswap's own niceness, like nice(1).

#include <optional>

#include "core/build_nice.hpp"
#include "core/result.hpp"

namespace hotswap {

// The niceness a build runs at: hotswap's own + `nice` (capped at 19, the lowest priority), set in the
// build's first process before exec, so everything it starts inherits it; none for 0 (hotswap's own).
Result<std::optional<int>> build_niceness(int nice);

}  // namespace hotswap
