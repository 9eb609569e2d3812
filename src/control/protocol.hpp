#pragma once
// The control protocol: one JSON object per line each way, over the control socket.
//   request:  {"cmd": "status" | "reload" | "rollback" | "history" | "stop", "id": "<artifact>"?}
//   response: {"ok": true, ...} or {"ok": false, "error": "one sentence", "code": "<kind>"}
// A line longer than kMaxControlMessage is refused unparsed; a malformed one gets an error reply and the
// connection stays usable, so one bad client never costs the supervisor anything.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace hotswap {

// Requests larger than this are refused without being parsed.
constexpr size_t kMaxControlMessage = 64 * 1024;
// Artifact ids are short ("12-3f9a0c1b2d4e"); anything longer is a mistake, not an id.
constexpr size_t kMaxArtifactId = 128;

enum class ControlCommand { Status, Reload, Rollback, History, Stop };

struct ControlRequest {
    ControlCommand command = ControlCommand::Status;
    std::optional<std::string> artifact;  // rollback target
};

// Why a request got {"ok": false}: lets scripts tell "not allowed" from "malformed" from "failed".
enum class ControlErrorCode { BadRequest, TooLarge, Truncated, PermissionDenied, Busy, Failed };
const char* to_string(ControlErrorCode code);

// Parses one request line (without its newline). Never throws; malformed input is an Error whose text is
// the sentence for the client.
Result<ControlRequest> parse_control_request(std::string_view line);
const char* to_string(ControlCommand command);
nlohmann::json to_json(const ControlRequest& request);

nlohmann::json control_error(std::string_view message, ControlErrorCode code = ControlErrorCode::Failed);

// Fields of a message from the other end, read without trusting its shape: a missing field, a field of
// another type, or a message that is not an object at all gives `fallback` (json::value() would throw).
std::string string_field(const nlohmann::json& message, std::string_view key, std::string_view fallback = "");
bool bool_field(const nlohmann::json& message, std::string_view key, bool fallback);
const nlohmann::json& array_field(const nlohmann::json& message, std::string_view key);  // empty when absent
// One line on the wire: compact JSON (invalid UTF-8 replaced, never thrown on) and a newline.
std::string control_line(const nlohmann::json& message);

}  // namespace hotswap
