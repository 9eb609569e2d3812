#pragma once
// Console: every line hotswap prints goes through here, prefixed by its source (`hotswap`, `build`,
// `app#3`) and coloured when the output is a terminal. One writer, so lines never interleave mid-line.

#include <functional>
#include <string>
#include <string_view>

#include "core/verbosity.hpp"

namespace hotswap {

enum class Source { Hotswap, Build, App, Check };
enum class Tone { Plain, Good, Warn, Bad, Dim };

class Console {
public:
    static Console& get();

    // Colour follows the terminal unless NO_COLOR is set (https://no-color.org) or FORCE_COLOR asks for it.
    void configure(Verbosity verbosity);
    Verbosity verbosity() const { return verbosity_; }

    // A line from hotswap itself.
    void info(std::string_view text, Tone tone = Tone::Plain);
    void warn(std::string_view text) { info(text, Tone::Warn); }
    void error(std::string_view text) { info(text, Tone::Bad); }
    void debug(std::string_view text);  // only with --verbose
    // A line of a child's output: `build │ …` or `app#3 │ …`. Quiet mode hides build output only.
    void child_line(Source source, int generation, std::string_view line);

    // Where the lines go instead of stdout, after the verbosity has chosen them: a test reads what would
    // have been printed. An empty function means stdout again.
    using Capture = std::function<void(std::string_view label, Tone tone, std::string_view text)>;
    void capture(Capture to) { capture_ = std::move(to); }

private:
    void write(std::string_view label, Tone tone, std::string_view text);
    bool color_ = false;
    Verbosity verbosity_ = Verbosity::Normal;
    Capture capture_;
};

}  // namespace hotswap
