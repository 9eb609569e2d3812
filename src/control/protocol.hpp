#pragma once
// The control protocol: one JSON object per line each way.
//   request:  {"cmd": "status" | "reload" | "rollback" | "history" | "stop", "id": "<artifact>"?}
//   response: {"ok": true, ...} or {"ok": false, "error": "one sentence"}

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace hotswap {

// Requests larger than this are refused without being parsed.
constexpr size_t kMaxControlMessage = 64 * 1024;

enum class ControlCommand { Status, Reload, Rollback, History, Stop };

struct ControlRequest {
    ControlCommand command;
    std::optional<std::string> artifact;  // rollback target
};

// Parses one request line. Never throws; malformed input is an Error with a sentence for the client.
Result<ControlRequest> parse_control_request(std::string_view line);
const char* to_string(ControlCommand command);

nlohmann::json control_error(std::string_view message);

}  // namespace hotswap
