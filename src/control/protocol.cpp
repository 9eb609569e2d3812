#include "control/protocol.hpp"

#include <fmt/core.h>

namespace hotswap {

const char* to_string(ControlCommand command) {
    switch (command) {
        case ControlCommand::Status: return "status";
        case ControlCommand::Reload: return "reload";
        case ControlCommand::Rollback: return "rollback";
        case ControlCommand::History: return "history";
        case ControlCommand::Stop: return "stop";
    }
    return "unknown";
}

const char* to_string(ControlErrorCode code) {
    switch (code) {
        case ControlErrorCode::BadRequest: return "bad_request";
        case ControlErrorCode::TooLarge: return "too_large";
        case ControlErrorCode::Truncated: return "truncated";
        case ControlErrorCode::PermissionDenied: return "permission_denied";
        case ControlErrorCode::Busy: return "busy";
        case ControlErrorCode::Failed: return "failed";
    }
    return "failed";
}

namespace {

std::optional<ControlCommand> command_named(std::string_view name) {
    for (ControlCommand c : {ControlCommand::Status, ControlCommand::Reload, ControlCommand::Rollback,
                             ControlCommand::History, ControlCommand::Stop})
        if (name == to_string(c)) return c;
    return std::nullopt;
}

}  // namespace

Result<ControlRequest> parse_control_request(std::string_view line) {
    if (line.size() > kMaxControlMessage)
        return Error::message(fmt::format("request too large: at most {} bytes", kMaxControlMessage));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // tolerate CRLF from `nc -C` and the like
    // The JSON parser would stop at a NUL as if the line ended there: a NUL is never part of a request.
    if (line.find('\0') != std::string_view::npos) return Error::message("malformed request: it contains a NUL byte");
    auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return Error::message("malformed request: send one JSON object per line");
    if (!json.is_object()) return Error::message("malformed request: expected a JSON object like {\"cmd\":\"status\"}");
    auto cmd = json.find("cmd");
    if (cmd == json.end() || !cmd->is_string())
        return Error::message("malformed request: \"cmd\" must be a string");
    auto command = command_named(cmd->get_ref<const std::string&>());
    if (!command) return Error::message("unknown command: use status, reload, rollback, history or stop");
    ControlRequest request;
    request.command = *command;
    if (auto id = json.find("id"); id != json.end() && !id->is_null()) {
        if (!id->is_string()) return Error::message("malformed request: \"id\" must be a string");
        const std::string& text = id->get_ref<const std::string&>();
        if (text.size() > kMaxArtifactId)
            return Error::message(fmt::format("malformed request: \"id\" is longer than {} bytes", kMaxArtifactId));
        if (!text.empty()) request.artifact = text;
    }
    return request;
}

nlohmann::json to_json(const ControlRequest& request) {
    nlohmann::json j{{"cmd", to_string(request.command)}};
    if (request.artifact) j["id"] = *request.artifact;
    return j;
}

nlohmann::json control_error(std::string_view message, ControlErrorCode code) {
    return nlohmann::json{{"ok", false}, {"error", std::string(message)}, {"code", to_string(code)}};
}

std::string string_field(const nlohmann::json& message, std::string_view key, std::string_view fallback) {
    if (!message.is_object()) return std::string(fallback);
    auto it = message.find(key);
    return it != message.end() && it->is_string() ? it->get<std::string>() : std::string(fallback);
}

bool bool_field(const nlohmann::json& message, std::string_view key, bool fallback) {
    if (!message.is_object()) return fallback;
    auto it = message.find(key);
    return it != message.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

const nlohmann::json& array_field(const nlohmann::json& message, std::string_view key) {
    static const nlohmann::json empty = nlohmann::json::array();
    if (!message.is_object()) return empty;
    auto it = message.find(key);
    return it != message.end() && it->is_array() ? *it : empty;
}

std::string control_line(const nlohmann::json& message) {
    return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace hotswap
