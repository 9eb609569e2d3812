#pragma once
// HeaderFields: the header (or trailer) fields of one HTTP message, as they came: in order, names and
// values in their own case, values without the whitespace around them. Names compare ignoring case (RFC
// 9110 §5.1); a name may come more than once, and a list-valued field (Connection, Transfer-Encoding) is the
// comma-separated list of all its lines together (§5.3).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotswap {

struct HeaderField {
    std::string name;
    std::string value;
};

// ASCII only, as field names and tokens are.
bool equals_ignoring_case(std::string_view a, std::string_view b);

class HeaderFields {
public:
    using const_iterator = std::vector<HeaderField>::const_iterator;

    void add(std::string name, std::string value) { fields_.push_back({std::move(name), std::move(value)}); }
    void clear() { fields_.clear(); }
    // Drops every field called `name`; how many there were.
    size_t remove(std::string_view name);

    size_t size() const { return fields_.size(); }
    bool empty() const { return fields_.empty(); }
    const HeaderField& operator[](size_t i) const { return fields_[i]; }
    const_iterator begin() const { return fields_.begin(); }
    const_iterator end() const { return fields_.end(); }

    // The value of the first field called `name`.
    std::optional<std::string_view> find(std::string_view name) const;
    size_t count(std::string_view name) const;
    // The elements of the list in every field called `name`, in order, trimmed, empty ones left out:
    // "Connection: keep-alive, Upgrade" gives {"keep-alive", "Upgrade"}.
    std::vector<std::string_view> list(std::string_view name) const;
    // Whether that list holds `token`, ignoring case: has_token("Connection", "close").
    bool has_token(std::string_view name, std::string_view token) const;

private:
    std::vector<HeaderField> fields_;
};

}  // namespace hotswap
