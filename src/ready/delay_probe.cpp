#include "ready/delay_probe.hpp"

#include <fmt/core.h>

namespace hotswap {

DelayProbe::~DelayProbe() = default;

void DelayProbe::begin() {
    timer_ = loop_.after(delay_, [this] {
        report_ready();
    });
}

std::string DelayProbe::describe() const { return fmt::format("staying up for {}", format_duration(delay_)); }

}  // namespace hotswap
