#include "front/header_fields.hpp"

#include <algorithm>

namespace hotswap {

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
}  // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    auto same = [](char x, char y) { return lower(x) == lower(y); };
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same);
}

std::optional<std::string_view> HeaderFields::find(std::string_view name) const {
    for (const auto& field : fields_) {
        if (equals_ignoring_case(field.name, name)) return field.value;
    }
    return std::nullopt;
}

size_t HeaderFields::count(std::string_view name) const {
    return size_t(std::count_if(fields_.begin(), fields_.end(),
                                [&](const HeaderField& field) { return equals_ignoring_case(field.name, name); }));
}

std::vector<std::string_view> HeaderFields::list(std::string_view name) const {
    std::vector<std::string_view> elements;
    for (const auto& field : fields_) {
        if (!equals_ignoring_case(field.name, name)) continue;
        std::string_view rest = field.value;
        while (!rest.empty()) {
            size_t comma = rest.find(',');
            auto element = trim(rest.substr(0, comma));
            if (!element.empty()) elements.push_back(element);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
    }
    return elements;
}

bool HeaderFields::has_token(std::string_view name, std::string_view token) const {
    auto elements = list(name);
    auto is_token = [&](std::string_view e) { return equals_ignoring_case(e, token); };
    return std::any_of(elements.begin(), elements.end(), is_token);
}

size_t HeaderFields::remove(std::string_view name) {
    const size_t before = fields_.size();
    std::erase_if(fields_, [&](const HeaderField& f) { return equals_ignoring_case(f.name, name); });
    return before - fields_.size();
}

}  // namespace hotswap
