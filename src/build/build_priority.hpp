#pragma once
// The build's CPU priority: a build runs a few nice steps below hotswap, so on a machine with few cores
// the server being developed keeps answering quickly while the compiler runs (a developer's requests
// keep their latency while they save files). `nice` is relative to hotswap's own niceness, like nice(1).

#include <sys/types.h>

#include "core/result.hpp"

namespace hotswap {

// The default of --build-nice / [build] nice, chosen from bench/reload.sh's figures.
inline constexpr int kDefaultBuildNice = 10;
inline constexpr int kMaxBuildNice = 19;

// Lowers every process of the build's process group `group` to hotswap's niceness + `nice` (capped at
// 19, the lowest priority). Processes the build starts later inherit it. 0 leaves the group alone.
Result<void> lower_build_priority(pid_t group, int nice);

}  // namespace hotswap
