#include "build/build_command.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace hotswap {

namespace {

// Characters a word may hold and mean the same to /bin/sh as to execve: no quoting, expansion,
// globbing, redirection, separator or comment. `=` and `~` only matter in some places, but a word holding
// them goes to the shell too: simpler to tell apart, and rare in a build command.
bool plain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.' || c == '/' || c == ',' || c == ':' || c == '@' || c == '+' || c == '%';
}

// Words /bin/sh runs itself (builtins and keywords): as argv[0] of execve they would mean something else,
// or nothing at all.
bool shell_word(std::string_view word) {
    static constexpr std::string_view kWords[] = {
        ".",     ":",      "[",      "alias", "bg",    "break", "case",    "cd",    "command", "continue", "do",
        "done",  "echo",   "elif",   "else",  "esac",  "eval",  "exec",    "exit",  "export",  "false",    "fc",
        "fg",    "fi",     "for",    "getopts", "hash", "if",   "jobs",    "kill",  "local",   "printf",   "pwd",
        "read",  "readonly", "return", "set", "shift", "source", "test",   "then",  "times",   "trap",     "true",
        "type",  "ulimit", "umask",  "unalias", "unset", "until", "wait",  "while", "{",       "}",        "!"};
    return std::find(std::begin(kWords), std::end(kWords), word) != std::end(kWords);
}

}  // namespace

std::vector<std::string> build_argv(std::string_view command) {
    std::vector<std::string> words;
    std::string word;
    for (char c : command) {
        if (c == ' ') {
            if (!word.empty()) words.push_back(std::exchange(word, {}));
            continue;
        }
        if (!plain_char(c)) return {"/bin/sh", "-c", std::string(command)};
        word.push_back(c);
    }
    if (!word.empty()) words.push_back(std::move(word));
    if (words.empty() || shell_word(words.front())) return {"/bin/sh", "-c", std::string(command)};
    return words;
}

}  // namespace hotswap
