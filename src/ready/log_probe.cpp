#include "ready/log_probe.hpp"

#include <fmt/core.h>

namespace hotswap {

LogProbe::LogProbe(EventLoop& loop, std::string pattern)
    : ProbeBase(loop), pattern_(std::move(pattern)), regex_(pattern_, std::regex::ECMAScript | std::regex::optimize) {}

void LogProbe::on_output_line(std::string_view line) {
    // Lines printed before start() count too: the supervisor starts the probe right after spawning, but a
    // fast server may already have printed its banner.
    if (reported()) return;
    if (std::regex_search(line.begin(), line.end(), regex_)) {
        matched_ = true;
        if (started()) report_ready();
    }
}

void LogProbe::begin() {
    if (matched_) report_ready();
}

std::string LogProbe::describe() const { return fmt::format("an output line matching /{}/", pattern_); }

}  // namespace hotswap
