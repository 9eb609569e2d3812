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

Result<ControlRequest> parse_control_request(std::string_view line) {
    if (line.size() > kMaxControlMessage)
        return Error::message(fmt::format("request too large: at most {} bytes", kMaxControlMessage));
    auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return Error::message("malformed request: send one JSON object per line");
    if (!json.is_object()) return Error::message("malformed request: expected a JSON object");
    auto cmd = json.find("cmd");
    if (cmd == json.end() || !cmd->is_string())
        return Error::message("malformed request: \"cmd\" must be a string");
    const std::string& name = cmd->get_ref<const std::string&>();
    ControlRequest request;
    if (name == "status") request.command = ControlCommand::Status;
    else if (name == "reload") request.command = ControlCommand::Reload;
    else if (name == "rollback") request.command = ControlCommand::Rollback;
    else if (name == "history") request.command = ControlCommand::History;
    else if (name == "stop") request.command = ControlCommand::Stop;
    else return Error::message("unknown command: use status, reload, rollback, history or stop");
    if (auto id = json.find("id"); id != json.end()) {
        if (!id->is_string()) return Error::message("malformed request: \"id\" must be a string");
        request.artifact = id->get<std::string>();
    }
    return request;
}

nlohmann::json control_error(std::string_view message) {
    return nlohmann::json{{"ok", false}, {"error", std::string(message)}};
}

}  // namespace hotswap
