#pragma once
// join_path: a name inside a directory, as the watchers write paths ("/src" + "a.c" = "/src/a.c").

#include <string>
#include <string_view>

namespace hotswap {

// `dir`, one '/', then `name`; a `dir` that already ends in '/' (the root "/") gets no second one.
inline std::string join_path(std::string_view dir, std::string_view name) {
    std::string out(dir);
    if (out.empty() || out.back() != '/') out += '/';
    out += name;
    return out;
}

}  // namespace hotswap
