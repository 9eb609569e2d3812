#include "supervise/generation.hpp"

#include <fmt/core.h>

#include "ready/probe.hpp"

namespace hotswap {

Generation::~Generation() = default;

void Generation::remember(std::string_view line) {
    constexpr size_t kTail = 20;
    tail.emplace_back(line);
    if (tail.size() > kTail) tail.pop_front();
}

std::string Generation::label() const { return fmt::format("app#{}", id); }

}  // namespace hotswap
