#include "supervise/generation.hpp"

#include <fmt/core.h>

#include "ready/probe.hpp"

namespace hotswap {

const char* to_string(GenerationState state) {
    switch (state) {
        case GenerationState::Starting: return "starting";
        case GenerationState::Ready: return "ready";
        case GenerationState::Serving: return "serving";
        case GenerationState::Draining: return "draining";
        case GenerationState::Gone: return "gone";
        case GenerationState::Failed: return "failed";
    }
    return "unknown";
}

Generation::~Generation() = default;

void Generation::remember(std::string_view line) {
    constexpr size_t kTail = 20;
    tail.emplace_back(line);
    if (tail.size() > kTail) tail.pop_front();
}

std::string Generation::label() const { return fmt::format("app#{}", id); }

}  // namespace hotswap
