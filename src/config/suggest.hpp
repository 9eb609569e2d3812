#pragma once
// "Did you mean …?" for unknown keys and flags: the closest known word by edit distance.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hotswap {

size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate, if it is close enough to be a plausible typo.
std::optional<std::string> nearest(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace hotswap
