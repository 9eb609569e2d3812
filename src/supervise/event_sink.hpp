#pragma once
// EventSink: where the supervisor's parts report lifecycle events (change, build_start, build_end, spawn,
// ready, switch, drain, exit, rollback, restart, ...) with their fields; the control part writes them out
// as JSON lines (--events) and tells systemd.

#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hotswap {

using EventSink = std::function<void(std::string_view event, nlohmann::json fields)>;

inline void emit_event(const EventSink& sink, std::string_view event, nlohmann::json fields = nlohmann::json::object()) {
    if (sink) sink(event, std::move(fields));
}

}  // namespace hotswap
