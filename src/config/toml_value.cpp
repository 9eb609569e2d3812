#include "config/toml_value.hpp"

#include <fmt/core.h>

namespace hotswap {

Error TomlPosition::error(const toml::source_region& where, std::string_view message) const {
    return Error::message(fmt::format("{}:{}:{}: {}", file_, where.begin.line, where.begin.column, message));
}

Result<std::string> TomlValue::string() const {
    if (auto s = node_.value<std::string>()) return *s;
    return error(fmt::format("'{}' must be a string", key_));
}

Result<std::vector<std::string>> TomlValue::strings() const {
    if (auto s = node_.value<std::string>()) return std::vector<std::string>{*s};
    const toml::array* array = node_.as_array();
    if (!array) return error(fmt::format("'{}' must be a string or an array of strings", key_));
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
        auto s = item.value<std::string>();
        if (!s) return error_at(item, fmt::format("every item of '{}' must be a string", key_));
        out.push_back(*s);
    }
    return out;
}

Result<Duration> TomlValue::duration() const {
    if (auto s = node_.value<std::string>()) {
        auto d = parse_duration(*s);
        if (!d) return error(fmt::format("'{}': {}", key_, d.error().to_string()));
        return *d;
    }
    return error(fmt::format("'{}' must be a duration string like \"500ms\" or \"10s\"", key_));
}

Result<Duration> TomlValue::duration_or_ms() const {
    if (auto n = integer(); n && *n >= 0) return Duration(*n);
    return duration();
}

Result<bool> TomlValue::boolean() const {
    if (auto b = node_.value<bool>()) return *b;
    return error(fmt::format("'{}' must be true or false", key_));
}

std::optional<int64_t> TomlValue::integer() const {
    if (const auto* i = node_.as_integer()) return i->get();
    return std::nullopt;
}

std::optional<double> TomlValue::number() const {
    if (const auto* i = node_.as_integer()) return double(i->get());
    if (const auto* f = node_.as_floating_point()) return f->get();
    return std::nullopt;
}

}  // namespace hotswap
