#include "supervise/generation.hpp"

#include <fmt/core.h>

#include "ready/probe.hpp"

namespace hotswap {

Generation::~Generation() = default;

std::string Generation::label() const { return fmt::format("app#{}", id); }

}  // namespace hotswap
