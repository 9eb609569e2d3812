#pragma once
// The build's CPU priority: a build runs a few nice steps below hotswap, so on a machine with few cores
// the server being developed keeps answering quickly while the compiler runs (a developer's requests
// keep their latency while they save files). `nice` is relative to hotswap's own niceness, like nice(1).

#include <optional>

#include "core/result.hpp"

namespace hotswap {

// The default of --build-nice / [build] nice, chosen from bench/reload.sh's figures.
inline constexpr int kDefaultBuildNice = 10;
inline constexpr int kMaxBuildNice = 19;

// The niceness a build runs at: hotswap's own + `nice` (capped at 19, the lowest priority), set in the
// build's first process before exec, so everything it starts inherits it; none for 0 (hotswap's own).
Result<std::optional<int>> build_niceness(int nice);

}  // namespace hotswap
