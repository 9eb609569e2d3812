#pragma once
// The argv a build command runs as. A command of plain words (a path and its arguments, nothing a shell
// would expand or interpret) is run directly: /bin/sh would only start, fork the one command and wait,
// a process more per build for nothing. Anything else (quotes, variables, globs, redirections, pipes,
// `&&`, assignments, a shell builtin first) goes to /bin/sh -c as written.

#include <string>
#include <string_view>
#include <vector>

namespace hotswap {

std::vector<std::string> build_argv(std::string_view command);

}  // namespace hotswap
