#include "ui/console.hpp"

#include <unistd.h>

#include <cstdlib>

#include <fmt/core.h>

namespace hotswap {

namespace {
const char* tone_color(Tone tone) {
    switch (tone) {
        case Tone::Good: return "\x1b[32m";
        case Tone::Warn: return "\x1b[33m";
        case Tone::Bad: return "\x1b[31m";
        case Tone::Dim: return "\x1b[2m";
        case Tone::Plain: break;
    }
    return "";
}
}  // namespace

Console& Console::get() {
    static Console console;
    return console;
}

void Console::configure(Verbosity verbosity) {
    verbosity_ = verbosity;
    const char* no_color = std::getenv("NO_COLOR");
    const char* force = std::getenv("FORCE_COLOR");
    color_ = (force && *force && std::string_view(force) != "0") ||
             (::isatty(STDOUT_FILENO) && !(no_color && *no_color));
}

void Console::write(std::string_view label, Tone tone, std::string_view text) {
    if (capture_) {
        capture_(label, tone, text);
        return;
    }
    // One buffer, one write(): stdout may be a pipe shared with the children's own output.
    std::string line;
    if (color_) {
        const char* label_color = label == "hotswap" ? "\x1b[1;35m" : label == "build" ? "\x1b[1;34m" : "\x1b[1;36m";
        line = fmt::format("{}{:>7}\x1b[0m \x1b[2m│\x1b[0m {}{}{}\n", label_color, label, tone_color(tone), text,
                           tone == Tone::Plain ? "" : "\x1b[0m");
    } else {
        line = fmt::format("{:>7} │ {}\n", label, text);
    }
    std::string_view rest = line;
    while (!rest.empty()) {
        ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
        if (n <= 0) return;  // stdout gone: nothing better to do than drop the line
        rest.remove_prefix(size_t(n));
    }
}

void Console::info(std::string_view text, Tone tone) {
    if (verbosity_ == Verbosity::Quiet && (tone == Tone::Plain || tone == Tone::Dim)) return;
    write("hotswap", tone, text);
}

void Console::debug(std::string_view text) {
    if (verbosity_ == Verbosity::Verbose) write("hotswap", Tone::Dim, text);
}

void Console::child_line(Source source, int generation, std::string_view line) {
    if (source == Source::Build || source == Source::Check) {
        if (verbosity_ != Verbosity::Quiet) write(source == Source::Build ? "build" : "check", Tone::Plain, line);
        return;
    }
    write(source == Source::App ? fmt::format("app#{}", generation) : "hotswap", Tone::Plain, line);
}

}  // namespace hotswap
