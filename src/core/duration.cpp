#include "core/duration.hpp"

#include <charconv>
#include <cmath>

#include <fmt/core.h>

namespace hotswap {

Result<Duration> parse_duration(std::string_view text) {
    auto bad = [&] {
        return Error::message(fmt::format("'{}' is not a duration: write it like 500ms, 10s, 2m or 1h", text));
    };
    size_t unit_at = 0;
    while (unit_at < text.size() && (std::isdigit(static_cast<unsigned char>(text[unit_at])) || text[unit_at] == '.'))
        ++unit_at;
    if (unit_at == 0) return bad();
    double number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + unit_at, number);
    if (ec != std::errc() || end != text.data() + unit_at || !std::isfinite(number)) return bad();
    std::string_view unit = text.substr(unit_at);
    double ms = 0;
    if (unit == "ms") ms = number;
    else if (unit == "s") ms = number * 1000;
    else if (unit == "m" || unit == "min") ms = number * 60'000;
    else if (unit == "h") ms = number * 3'600'000;
    else return bad();
    if (ms > 1e12) return bad();
    return Duration(static_cast<Duration::rep>(std::llround(ms)));
}

std::string format_duration(Duration d) {
    auto ms = d.count();
    if (ms < 1000) return fmt::format("{} ms", ms);
    if (ms < 60'000) return fmt::format("{:.2f} s", static_cast<double>(ms) / 1000.0);
    return fmt::format("{} min {} s", ms / 60'000, (ms % 60'000) / 1000);
}

std::string format_duration(Clock::duration d) {
    return format_duration(std::chrono::duration_cast<Duration>(d));
}

}  // namespace hotswap
