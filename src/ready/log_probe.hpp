#pragma once
// LogProbe: ready when a line of the generation's output matches a regular expression ("listening on").

#include <string>

#include "ready/probe_base.hpp"
#include "ready/std_regex.hpp"

namespace hotswap {

class LogProbe final : public ProbeBase {
public:
    // `pattern` was validated by parse_ready_spec(); ECMAScript syntax, searched anywhere in the line.
    LogProbe(EventLoop& loop, std::string pattern);
    void on_output_line(std::string_view line) override;
    std::string describe() const override;

private:
    void begin() override;
    std::string pattern_;
    bool matched_ = false;
    std::regex regex_;
};

}  // namespace hotswap
