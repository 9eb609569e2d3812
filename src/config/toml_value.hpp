#pragma once
// One value of hotswap.toml, read as the type its setting wants. Every error names the file, the line and
// the column of the value, so the user can go straight to it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/duration.hpp"
#include "core/result.hpp"

namespace hotswap {

// Where a config file's errors point: "FILE:LINE:COLUMN: message".
class TomlPosition {
public:
    explicit TomlPosition(std::string file) : file_(std::move(file)) {}
    Error error(const toml::source_region& where, std::string_view message) const;
    const std::string& file() const { return file_; }

private:
    std::string file_;
};

class TomlValue {
public:
    TomlValue(const toml::node& node, std::string_view key, const TomlPosition& position)
        : node_(node), key_(key), position_(position) {}

    const toml::node& node() const { return node_; }
    std::string_view key() const { return key_; }
    // An error at this value (or at one item inside it).
    Error error(std::string_view message) const { return error_at(node_, message); }
    Error error_at(const toml::node& item, std::string_view message) const {
        return position_.error(item.source(), message);
    }

    Result<std::string> string() const;
    // A string or an array of strings.
    Result<std::vector<std::string>> strings() const;
    // "500ms", "10s", "2m".
    Result<Duration> duration() const;
    // A duration string, or a bare integer of milliseconds (for the keys whose name says ms).
    Result<Duration> duration_or_ms() const;
    Result<bool> boolean() const;
    // An integer written as one: toml++'s value<int64_t>() would also convert a float, and a float beyond
    // int64's range makes that conversion undefined behaviour (the config fuzzer found it).
    std::optional<int64_t> integer() const;
    // An integer or a float, as a double.
    std::optional<double> number() const;
    // A value inside this one (an item of a table), with its own key for its errors.
    TomlValue inner(const toml::node& node, std::string_view key) const { return {node, key, position_}; }

private:
    const toml::node& node_;
    std::string_view key_;
    const TomlPosition& position_;
};

}  // namespace hotswap
