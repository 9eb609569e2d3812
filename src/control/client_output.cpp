#include "control/client_output.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

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

// A value as text, durations ("…_ms") in their own units; "" for null and empty strings.
std::string value_text(std::string_view key, const json& value) {
    if (value.is_null()) return "";
    if (key.ends_with("_ms")) return milliseconds_text(value);
    return value.is_string() ? value.get<std::string>() : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The last reload for a person: "app#3 (change), built in 312 ms, ready in 40 ms, 400 ms in all, artifact
// 3-abc". Missing or empty fields are left out; fields this client does not know follow as "name value".
std::string last_reload_text(const json& reload) {
    std::vector<std::string> parts;
    auto field = [&](std::string_view key) -> std::string {
        auto it = reload.find(key);
        return it == reload.end() ? "" : value_text(key, *it);
    };
    std::string head;
    if (std::string g = field("generation"); !g.empty()) head = "app#" + g;
    if (std::string why = field("reason"); !why.empty()) head += head.empty() ? why : " (" + why + ")";
    if (!head.empty()) parts.push_back(head);
    if (std::string v = field("build_ms"); !v.empty()) parts.push_back("built in " + v);
    if (std::string v = field("ready_ms"); !v.empty()) parts.push_back("ready in " + v);
    if (std::string v = field("total_ms"); !v.empty()) parts.push_back(v + " in all");
    if (std::string v = field("artifact"); !v.empty()) parts.push_back("artifact " + v);
    constexpr std::string_view kKnown[] = {"generation", "reason", "build_ms", "ready_ms", "total_ms", "artifact"};
    for (const auto& [key, value] : reload.items()) {
        if (std::find(std::begin(kKnown), std::end(kKnown), key) != std::end(kKnown)) continue;
        std::string shown = value_text(key, value);
        if (shown.empty()) continue;
        std::string_view name = key;
        if (name.ends_with("_ms")) name.remove_suffix(3);
        parts.push_back(fmt::format("{} {}", name, shown));
    }
    if (parts.empty()) return "nothing to tell";
    std::string out = parts.front();
    for (size_t i = 1; i < parts.size(); ++i) out += ", " + parts[i];
    return out;
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
        out += fmt::format("  last reload: {}\n", it->is_object() ? last_reload_text(*it) : text_of(r, "last_reload"));
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
    if (auto it = r.is_object() ? r.find("front") : r.end(); it != r.end() && it->is_object()) {
        // The HTTP front: its client connections, then each generation's requests through it.
        const json& f = *it;
        out += fmt::format("  front: {} ({}) · {} connections open, {} accepted, {} waiting, {} bad, {} failed\n",
                           text_of(f, "address", "?"), text_of(f, "protocol", "auto"), text_of(f, "connections_open", "0"),
                           text_of(f, "connections_accepted", "0"), text_of(f, "requests_waiting", "0"),
                           text_of(f, "bad_requests", "0"), text_of(f, "requests_failed", "0"));
        for (const json& g : array_field(f, "generations"))
            out += fmt::format("    app#{} {} · weight {} · {} requests, {} in flight, {} retried, {} 5xx, {} upstream ({} idle)\n",
                               text_of(g, "generation", "?"), text_of(g, "state", "?"), text_of(g, "weight", "0"),
                               text_of(g, "requests", "0"),
                               text_of(g, "in_flight", "0"), text_of(g, "retries", "0"), text_of(g, "status_5xx", "0"),
                               text_of(g, "upstream_connections", "0"), text_of(g, "upstream_idle", "0"));
    }
    if (auto it = r.is_object() ? r.find("promotion") : r.end(); it != r.end() && it->is_object()) {
        // A ready version on its way in: which pass it is in, and during a shift its share and step.
        const json& p = *it;
        std::string line = fmt::format("  promotion: app#{} in its {}", text_of(p, "generation", "?"), text_of(p, "pass", "?"));
        if (auto s = p.find("shift"); s != p.end() && s->is_object())
            line += fmt::format(" · {} % of new requests (step {} of {}, {} requests on it in this step, {} in all)",
                                text_of(*s, "weight", "?"), text_of(*s, "step", "?"),
                                s->contains("steps") && (*s)["steps"].is_array() ? std::to_string((*s)["steps"].size()) : "?",
                                text_of(*s, "step_requests", "0"), text_of(*s, "requests", "0"));
        out += line + "\n";
    }
    return out;
}

std::string format_history(const json& r) {
    const json& artifacts = array_field(r, "artifacts");
    if (artifacts.empty() && !bool_field(r, "artifacts_kept", true))
        return "no history: builds are kept only with --artifact PATH (the file the build makes, e.g. "
               "--artifact build/app); start hotswap with it to get history and rollback\n";
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
