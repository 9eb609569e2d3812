#include "front/sticky_cookie.hpp"

#include <charconv>

namespace hotswap {

namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

int sticky_cookie_generation(const HeaderFields& fields) {
    // RFC 6265 §4.2: "name=value" pairs separated by "; ", in one field or (rarely) several.
    for (size_t i = 0; i < fields.size(); ++i) {
        if (!equals_ignoring_case(fields[i].name, "Cookie")) continue;
        std::string_view rest = fields[i].value;
        while (!rest.empty()) {
            const size_t end = rest.find(';');
            std::string_view pair = trimmed(rest.substr(0, end));
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
            const size_t eq = pair.find('=');
            if (eq == std::string_view::npos || trimmed(pair.substr(0, eq)) != kStickyCookie) continue;
            std::string_view value = trimmed(pair.substr(eq + 1));
            int generation = 0;
            auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), generation);
            if (ec == std::errc() && ptr == value.data() + value.size() && generation > 0) return generation;
        }
    }
    return 0;
}

}  // namespace hotswap
