#include "control/client_output.hpp"

#include <fmt/core.h>

#include "control/protocol.hpp"
#include "core/duration.hpp"

namespace hotswap {

namespace {

using nlohmann::json;

// A field as text: strings as they are, numbers and the rest as JSON; `fallback` when missing or null.
std::string text_of(const json& object, std::string_view key, std::string_view fallback = "") {
    if (!object.is_object()) return std::string(fallback);
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::string(fallback);
    if (it->is_string()) return it->get<std::string>();
    return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

// Milliseconds as "2 min 5 s"; anything that is not a plausible count of milliseconds is shown as it is.
std::string milliseconds_text(const json& value) {
    constexpr int64_t kCentury = 100LL * 365 * 24 * 3600 * 1000;
    if (value.is_number_integer() && value.get<int64_t>() >= 0 && value.get<int64_t>() < kCentury)
        return format_duration(Duration(value.get<int64_t>()));
    return value.is_string() ? value.get<std::string>() : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string duration_of(const json& object, std::string_view key) {
    if (!object.is_object()) return "";
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return "";
    return milliseconds_text(*it);
}

std::string first_of(const json& object, std::initializer_list<std::string_view> keys) {
    for (auto key : keys)
        if (std::string s = key.ends_with("_ms") ? duration_of(object, key) : text_of(object, key); !s.empty()) return s;
    return "";
}

}  // namespace

std::string format_status(const json& r) {
    std::string out = fmt::format("hotswap (pid {}) supervising {}", text_of(r, "pid", "?"), text_of(r, "root", "?"));
    if (std::string up = duration_of(r, "uptime_ms"); !up.empty()) out += fmt::format(", up {}", up);
    out += "\n";
    const json& generations = array_field(r, "generations");
    if (generations.empty()) {
        out += bool_field(r, "serving", false) ? "  serving\n" : "  nothing is running yet\n";
    } else {
        for (const auto& g : generations) {
            if (!g.is_object()) continue;
            std::string line = fmt::format("  app#{:<4} {:<9}", text_of(g, "id", "?"), text_of(g, "state", "?"));
            if (std::string pid = text_of(g, "pid"); !pid.empty()) line += fmt::format(" pid {:<8}", pid);
            if (std::string up = first_of(g, {"uptime_ms", "uptime"}); !up.empty()) line += fmt::format(" up {:<12}", up);
            if (std::string artifact = text_of(g, "artifact"); !artifact.empty()) line += " " + artifact;
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out += line + "\n";
        }
        if (!bool_field(r, "serving", false)) out += "  nothing serves right now\n";
    }
    if (auto it = r.is_object() ? r.find("last_reload") : r.end(); it != r.end() && !it->is_null()) {
        if (it->is_object()) {
            std::string summary;
            for (auto& [key, value] : it->items()) {
                std::string shown = key.ends_with("_ms") ? milliseconds_text(value)
                                    : value.is_string() ? value.get<std::string>()
                                                        : value.dump(-1, ' ', false, json::error_handler_t::replace);
                summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", key, shown);
            }
            out += fmt::format("  last reload: {}\n", summary);
        } else {
            out += fmt::format("  last reload: {}\n", text_of(r, "last_reload"));
        }
    }
    if (std::string build = text_of(r, "build"); !build.empty()) out += fmt::format("  build: {}\n", build);
    if (auto it = r.is_object() ? r.find("proxy") : r.end(); it != r.end() && it->is_object()) {
        // Proxy mode: where users connect, which private port serves them now, and the connections.
        const json& p = *it;
        std::string upstream = text_of(p, "upstream_port");
        out += fmt::format("  proxy: {} -> {} · {} open, {} waiting, {} accepted, {} replayed, {} failed\n",
                           text_of(p, "address", "?"),
                           upstream.empty() || upstream == "0" ? "nothing yet" : "127.0.0.1:" + upstream,
                           text_of(p, "connections_open", "0"), text_of(p, "connections_waiting", "0"),
                           text_of(p, "connections_accepted", "0"), text_of(p, "connections_replayed", "0"),
                           text_of(p, "connections_failed", "0"));
    }
    return out;
}

std::string format_history(const json& r) {
    const json& artifacts = array_field(r, "artifacts");
    if (artifacts.empty()) return "no builds yet\n";
    std::string out;
    for (const auto& a : artifacts) {
        if (!a.is_object()) continue;
        std::string line = fmt::format("{:<22} {:<8}", text_of(a, "id", "?"), text_of(a, "outcome", "?"));
        if (std::string built = duration_of(a, "build_ms"); !built.empty()) line += fmt::format(" built in {:<9}", built);
        if (std::string rev = text_of(a, "git_revision"); !rev.empty()) line += " " + rev;
        if (std::string reason = text_of(a, "reason"); !reason.empty()) line += fmt::format("  ({})", reason);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

}  // namespace hotswap
