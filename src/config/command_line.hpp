#pragma once
// The command line of DESIGN.md §8 (CLI11). Flags are applied on top of the config file: a flag given on
// the command line always wins over the same key in hotswap.toml.

#include <functional>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace hotswap {

struct CommandLine {
    Verb verb = Verb::Run;
    std::optional<std::string> config_file;
    std::vector<std::string> command;  // after `--`
    // Applies every flag that was given, in a fixed order; returns the first bad value as an Error.
    std::function<Result<void>(Config&)> apply;
};

// Returns the parsed line, or the exit code when parsing ended the run (--help: 0, a usage error: 2).
std::variant<CommandLine, int> parse_command_line(int argc, char** argv);

}  // namespace hotswap
