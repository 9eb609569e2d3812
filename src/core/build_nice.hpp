#pragma once
// The bounds of --build-nice / [build] nice. In core/ so that the config can check and default the
// setting without depending on the builder that applies it (build/build_priority.hpp).

namespace hotswap {

// The default, chosen from bench/reload.sh's figures.
inline constexpr int kDefaultBuildNice = 10;
inline constexpr int kMaxBuildNice = 19;  // Linux's lowest priority

}  // namespace hotswap
