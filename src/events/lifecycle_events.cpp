#include "events/lifecycle_events.hpp"

#include "core/overloaded.hpp"

namespace hotswap {

std::string_view event_name(const Event& event) {
    return std::visit(overloaded{
                          [](const event::Change&) { return "change"; },
                          [](const event::BuildStart&) { return "build_start"; },
                          [](const event::BuildEnd&) { return "build_end"; },
                          [](const event::Refused&) { return "refused"; },
                          [](const event::Spawn&) { return "spawn"; },
                          [](const event::Ready&) { return "ready"; },
                          [](const event::Check&) { return "check"; },
                          [](const event::Shadow&) { return "shadow"; },
                          [](const event::ShiftStep&) { return "shift_step"; },
                          [](const event::ShiftAnalysis&) { return "shift_analysis"; },
                          [](const event::ShiftEnd&) { return "shift_end"; },
                          [](const event::Switch&) { return "switch"; },
                          [](const event::Drain&) { return "drain"; },
                          [](const event::FrontDrained&) { return "front_drained"; },
                          [](const event::Kill&) { return "kill"; },
                          [](const event::Exit&) { return "exit"; },
                          [](const event::Rollback&) { return "rollback"; },
                          [](const event::Restart&) { return "restart"; },
                          [](const event::Leftovers&) { return "leftovers"; },
                          [](const event::ReloadStart&) { return "reload_start"; },
                          [](const event::ReloadEnd&) { return "reload_end"; },
                      },
                      event);
}

nlohmann::json event_fields(const Event& event) {
    using nlohmann::json;
    return std::visit(
        overloaded{
            [](const event::Change& e) { return json{{"paths", e.paths}, {"first", e.first}, {"binary", e.binary}}; },
            [](const event::BuildStart& e) { return json{{"reason", e.reason}, {"command", e.command}}; },
            [](const event::BuildEnd& e) {
                json j{{"ok", e.ok}, {"duration_ms", e.duration_ms}};
                if (e.ok) {
                    j["artifact"] = e.artifact;
                } else {
                    j["reason"] = e.reason;
                    j["refused"] = e.refused;
                    j["still_serving"] = e.still_serving;
                    j["tail"] = e.tail;
                }
                return j;
            },
            [](const event::Refused& e) {
                return json{{"artifact", e.artifact}, {"reason", e.reason}, {"still_serving", e.still_serving},
                            {"at_start", e.at_start}};
            },
            [](const event::Spawn& e) {
                return json{{"generation", e.generation}, {"pid", e.pid}, {"artifact", e.artifact}, {"reason", e.reason}};
            },
            [](const event::Ready& e) { return json{{"generation", e.generation}, {"pid", e.pid}, {"ready_ms", e.ready_ms}}; },
            [](const event::Switch& e) {
                return json{{"generation", e.generation}, {"pid", e.pid},           {"artifact", e.artifact},
                            {"previous", e.previous},     {"build_ms", e.build_ms}, {"ready_ms", e.ready_ms},
                            {"total_ms", e.total_ms},     {"reason", e.reason},     {"mode", e.mode}};
            },
            [](const event::Drain& e) {
                return json{{"generation", e.generation}, {"pid", e.pid}, {"artifact", e.artifact}, {"signal", e.signal},
                            {"drain_timeout_ms", e.drain_timeout_ms}, {"reason", e.reason}};
            },
            [](const event::Check& e) {
                return json{{"generation", e.generation}, {"ok", e.ok}, {"command", e.command}, {"status", e.status},
                            {"duration_ms", e.duration_ms}, {"tail", e.tail}, {"still_serving", e.still_serving}};
            },
            [](const event::Shadow& e) {
                return json{{"generation", e.generation}, {"replayed", e.replayed}, {"regressions", e.regressions},
                            {"blocked", e.blocked}, {"summary", e.summary}, {"regressed", e.regressed}};
            },
            [](const event::ShiftStep& e) {
                return json{{"generation", e.generation}, {"previous", e.previous}, {"step", e.step},
                            {"steps", e.steps}, {"weight", e.weight}};
            },
            [](const event::ShiftAnalysis& e) {
                return json{{"generation", e.generation},
                            {"previous", e.previous},
                            {"step", e.step},
                            {"weight", e.weight},
                            {"decision", e.decision},
                            {"reason", e.reason},
                            {"step_requests_new", e.step_requests_new},
                            {"step_requests_old", e.step_requests_old},
                            {"step_ms", e.step_ms},
                            {"window_requests_new", e.window_requests_new},
                            {"window_errors_new", e.window_errors_new},
                            {"window_requests_old", e.window_requests_old},
                            {"window_errors_old", e.window_errors_old},
                            {"p99_ms_new", e.p99_ms_new},
                            {"p99_ms_old", e.p99_ms_old}};
            },
            [](const event::ShiftEnd& e) {
                return json{{"generation", e.generation}, {"previous", e.previous}, {"ok", e.ok}, {"reason", e.reason},
                            {"duration_ms", e.duration_ms}, {"requests", e.requests}, {"errors", e.errors}};
            },
            [](const event::FrontDrained& e) {
                return json{{"generation", e.generation}, {"requests", e.requests}, {"status_5xx", e.status_5xx},
                            {"upstream_failures", e.upstream_failures}, {"retries", e.retries},
                            {"abandoned", e.abandoned}, {"in_flight", e.in_flight}, {"timed_out", e.timed_out},
                            {"waited_ms", e.waited_ms}};
            },
            [](const event::Kill& e) {
                return json{{"generation", e.generation}, {"pid", e.pid}, {"reason", e.reason}, {"stop_signal", e.stop_signal},
                            {"drain_timeout_ms", e.drain_timeout_ms}};
            },
            [](const event::Exit& e) {
                return json{{"generation", e.generation}, {"pid", e.pid},       {"artifact", e.artifact},
                            {"state", e.state},           {"status", e.status}, {"reason", e.reason},
                            {"uptime_ms", e.uptime_ms},   {"action", e.action},  {"message", e.message},
                            {"tail", e.tail},             {"still_serving", e.still_serving},
                            {"successor", e.successor},   {"is_crash", e.is_crash}, {"is_server", e.is_server},
                            {"stop_ms", e.stop_ms ? json(*e.stop_ms) : json(nullptr)}};
            },
            [](const event::Rollback& e) {
                json j{{"from", e.from}, {"to", e.to}, {"reason", e.reason}};
                if (e.generation != 0) j["generation"] = e.generation;
                return j;
            },
            [](const event::Restart& e) {
                return json{{"generation", e.generation}, {"artifact", e.artifact}, {"delay_ms", e.delay_ms},
                            {"attempt", e.attempt},       {"reason", e.reason},       {"uptime_ms", e.uptime_ms},
                            {"last_output", e.last_output}};
            },
            [](const event::Leftovers& e) { return json{{"pids", e.pids}}; },
            [](const event::ReloadStart& e) { return json{{"trigger", e.trigger}, {"action", e.action}}; },
            [](const event::ReloadEnd& e) {
                return json{{"ok", e.ok},
                            {"message", e.message},
                            {"generation", e.generation},
                            {"trigger", e.trigger},
                            {"duration_ms", e.duration_ms},
                            {"artifact", e.artifact},
                            {"probation_ms", e.probation_ms}};
            },
        },
        event);
}

}  // namespace hotswap
