#include "ready/delay_probe.hpp"

#include <fmt/core.h>

namespace hotswap {

DelayProbe::~DelayProbe() { loop_.cancel_timer(timer_); }

void DelayProbe::begin() {
    timer_ = loop_.add_timer(delay_, [this] {
        timer_ = 0;
        report_ready();
    });
}

std::string DelayProbe::describe() const { return fmt::format("staying up for {}", format_duration(delay_)); }

}  // namespace hotswap
