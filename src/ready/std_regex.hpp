#pragma once
// <regex>, included with GCC's -Wmaybe-uninitialized off: GCC 12 reports false positives inside
// std::regex's std::function members when building with -fsanitize=address (the ASan build), and
// warnings are errors here. Include this instead of <regex>.

#if defined(__GNUC__) && !defined(__clang__)  // clang has no such warning and would reject the name
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#else
#include <regex>
#endif
