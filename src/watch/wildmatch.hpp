#pragma once
// Git's wildmatch: the glob dialect of .gitignore. Kept byte-for-byte compatible with git's own matcher
// (wildmatch.c) because users debug their ignore files with `git check-ignore`, and any difference
// between git's verdict and ours is a bug report.

#include <string_view>

namespace hotswap {

enum class WildFlags { None = 0, Pathname = 1 };

// True when `text` matches `pattern`. With WildFlags::Pathname, `*`, `?` and classes do not match '/',
// and `**` matches across directories only as a whole component (`**/`, `/**/`, `/**`).
bool wildmatch(std::string_view pattern, std::string_view text, WildFlags flags);

}  // namespace hotswap
