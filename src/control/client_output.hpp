#pragma once
// How the client verbs show an answer to a person (--json prints the answer as it came). Tolerant of
// fields it does not know or that are missing: the supervisor's status grows over time.

#include <string>

#include <nlohmann/json.hpp>

namespace hotswap {

std::string format_status(const nlohmann::json& reply);
std::string format_history(const nlohmann::json& reply);

}  // namespace hotswap
