#include "config/config_file.hpp"

#include <functional>
#include <map>

#include <fmt/core.h>
#include <fmt/format.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/suggest.hpp"
#include "core/signal_name.hpp"

namespace hotswap {

namespace {

constexpr std::string_view kTopKeys[] = {"watch", "build", "run", "listen", "ready", "proxy", "artifacts", "events", "quiet", "verbose"};
constexpr std::string_view kWatchKeys[] = {"paths", "ext", "ignore", "exclude", "debounce", "debounce_ms", "poll"};
constexpr std::string_view kBuildKeys[] = {"cmd", "timeout", "artifact", "nice"};
constexpr std::string_view kRunKeys[] = {"cmd",           "args",      "env",        "cwd",
                                         "stop_signal",   "drain_timeout", "probation", "listen_pid",
                                         "restart"};
constexpr std::string_view kListenKeys[] = {"name", "address"};
constexpr std::string_view kReadyKeys[] = {"kind", "timeout", "url", "address", "pattern", "delay"};
constexpr std::string_view kArtifactsKeys[] = {"keep", "verify_key"};
constexpr std::string_view kProxyKeys[] = {"address"};

constexpr KnownKeys kKnown[] = {
    {"", kTopKeys}, {"watch", kWatchKeys}, {"build", kBuildKeys}, {"run", kRunKeys},
    {"listen", kListenKeys}, {"ready", kReadyKeys}, {"proxy", kProxyKeys}, {"artifacts", kArtifactsKeys},
};

// Errors carry the position of the offending node.
class Reader {
public:
    explicit Reader(const std::filesystem::path& file) : file_(file.string()) {}

    Error at(const toml::source_region& where, std::string_view message) const {
        return Error::message(fmt::format("{}:{}:{}: {}", file_, where.begin.line, where.begin.column, message));
    }

    Result<std::string> string(const toml::node& node, std::string_view key) const {
        if (auto s = node.value<std::string>()) return *s;
        return at(node.source(), fmt::format("'{}' must be a string", key));
    }

    // A string or an array of strings.
    Result<std::vector<std::string>> strings(const toml::node& node, std::string_view key) const {
        if (auto s = node.value<std::string>()) return std::vector<std::string>{*s};
        const toml::array* array = node.as_array();
        if (!array) return at(node.source(), fmt::format("'{}' must be a string or an array of strings", key));
        std::vector<std::string> out;
        for (const toml::node& item : *array) {
            auto s = item.value<std::string>();
            if (!s) return at(item.source(), fmt::format("every item of '{}' must be a string", key));
            out.push_back(*s);
        }
        return out;
    }

    // "500ms"/"10s"; a bare integer only where the key says its unit (debounce is in ms).
    Result<Duration> duration(const toml::node& node, std::string_view key, bool integer_is_ms) const {
        if (auto s = node.value<std::string>()) {
            auto d = parse_duration(*s);
            if (!d) return at(node.source(), fmt::format("'{}': {}", key, d.error().to_string()));
            return *d;
        }
        if (integer_is_ms) {
            if (auto n = integer(node); n && *n >= 0) return Duration(*n);
        }
        return at(node.source(), fmt::format("'{}' must be a duration string like \"500ms\" or \"10s\"", key));
    }

    // An integer written as one: toml++'s value<int64_t>() would also convert a float, and a float beyond
    // int64's range makes that conversion undefined behaviour (the config fuzzer found it).
    static std::optional<int64_t> integer(const toml::node& node) {
        if (const auto* i = node.as_integer()) return i->get();
        return std::nullopt;
    }

    Result<bool> boolean(const toml::node& node, std::string_view key) const {
        if (auto b = node.value<bool>()) return *b;
        return at(node.source(), fmt::format("'{}' must be true or false", key));
    }

    // Every key of `table` must be known in `section`.
    Result<void> check_keys(const toml::table& table, std::string_view section,
                            std::span<const std::string_view> keys) const {
        for (auto&& [key, node] : table) {
            (void)node;
            std::string_view k = key.str();
            if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
            std::string where = section.empty() ? "at the top level" : fmt::format("in [{}]", section);
            std::string message = fmt::format("unknown key '{}' {}", k, where);
            if (auto near = nearest(k, keys)) message += fmt::format("; did you mean '{}'?", *near);
            else message += fmt::format("; known keys: {}", fmt::join(keys, ", "));
            return at(key.source(), message);
        }
        return {};
    }

    Result<const toml::table*> section(const toml::table& root, std::string_view name) const {
        const toml::node* node = root.get(name);
        if (!node) return static_cast<const toml::table*>(nullptr);
        if (!node->is_table()) return at(node->source(), fmt::format("'{}' must be a table: write [{}]", name, name));
        return node->as_table();
    }

private:
    std::string file_;
};

}  // namespace

std::span<const KnownKeys> known_config_keys() { return kKnown; }

Result<void> read_config_file(const std::filesystem::path& file, Config& c) {
    Reader r(file);
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        if (e.source().begin.line == 0)  // not a syntax error: the file could not be read
            return Error::message(fmt::format("{}: {}", file.string(), e.description()));
        return r.at(e.source(), e.description());
    }
    HS_TRY_VOID(r.check_keys(root, "", kTopKeys));

    HS_TRY(watch, r.section(root, "watch"));
    if (watch) {
        HS_TRY_VOID(r.check_keys(*watch, "watch", kWatchKeys));
        for (auto&& [key, node] : *watch) {
            std::string_view k = key.str();
            if (k == "paths") { HS_TRY(v, r.strings(node, k)); c.watch_paths = v; }
            else if (k == "ext") { HS_TRY(v, r.strings(node, k)); c.extensions = v; }
            else if (k == "ignore" || k == "exclude") {
                HS_TRY(v, r.strings(node, k));
                c.ignore.insert(c.ignore.end(), v.begin(), v.end());
            }
            else if (k == "debounce" || k == "debounce_ms") { HS_TRY(v, r.duration(node, k, true)); c.debounce = v; }
            else if (k == "poll") {
                if (auto b = node.value<bool>()) c.poll = *b ? std::optional<Duration>(Duration(500)) : std::nullopt;
                else { HS_TRY(v, r.duration(node, k, true)); c.poll = v; }
            }
        }
    }

    HS_TRY(build, r.section(root, "build"));
    if (build) {
        HS_TRY_VOID(r.check_keys(*build, "build", kBuildKeys));
        for (auto&& [key, node] : *build) {
            std::string_view k = key.str();
            if (k == "cmd") { HS_TRY(v, r.string(node, k)); c.build_cmd = v; }
            else if (k == "timeout") { HS_TRY(v, r.duration(node, k, false)); c.build_timeout = v; }
            else if (k == "artifact") { HS_TRY(v, r.string(node, k)); c.artifact = v; }
            else if (k == "nice" && node.value<std::string>() == "idle") {
                c.build_idle = true;
            } else if (k == "nice") {
                auto n = Reader::integer(node);
                if (!n || *n < 0 || *n > kMaxBuildNice)
                    return r.at(node.source(), fmt::format("'nice' must be a number from 0 to {} (0 runs the build "
                                                           "at hotswap's own priority) or \"idle\"",
                                                           kMaxBuildNice));
                c.build_nice = int(*n);
            }
        }
    }

    HS_TRY(run, r.section(root, "run"));
    if (run) {
        HS_TRY_VOID(r.check_keys(*run, "run", kRunKeys));
        std::vector<std::string> args;
        for (auto&& [key, node] : *run) {
            std::string_view k = key.str();
            if (k == "cmd") {
                if (auto s = node.value<std::string>()) c.command = {"/bin/sh", "-c", *s};
                else { HS_TRY(v, r.strings(node, k)); c.command = v; }
                if (c.command.empty()) return r.at(node.source(), "'cmd' must not be empty");
            }
            else if (k == "args") { HS_TRY(v, r.strings(node, k)); args = v; }
            else if (k == "cwd") { HS_TRY(v, r.string(node, k)); c.cwd = v; }
            else if (k == "env") {
                const toml::table* env = node.as_table();
                if (!env) return r.at(node.source(), "'env' must be a table: env = { NAME = \"value\" }");
                for (auto&& [name, value] : *env) {
                    HS_TRY(v, r.string(value, name.str()));
                    c.env.push_back(fmt::format("{}={}", name.str(), v));
                }
            }
            else if (k == "stop_signal") {
                HS_TRY(v, r.string(node, k));
                auto sig = parse_signal(v);
                if (!sig) return r.at(node.source(), sig.error().to_string());
                c.stop_signal = *sig;
            }
            else if (k == "drain_timeout") { HS_TRY(v, r.duration(node, k, false)); c.drain_timeout = v; }
            else if (k == "probation") { HS_TRY(v, r.duration(node, k, false)); c.probation = v; }
            else if (k == "listen_pid") { HS_TRY(v, r.boolean(node, k)); c.listen_pid = v; }
            else if (k == "restart") {
                HS_TRY(v, r.string(node, k));
                auto policy = parse_restart_policy(v);
                if (!policy) return r.at(node.source(), policy.error().to_string());
                c.restart = *policy;
            }
        }
        c.command.insert(c.command.end(), args.begin(), args.end());
    }

    if (const toml::node* listen = root.get("listen")) {
        const toml::array* array = listen->as_array();
        if (!array || !array->is_array_of_tables())
            return r.at(listen->source(), "'listen' must be an array of tables: write [[listen]] with name and address");
        for (const toml::node& item : *array) {
            const toml::table& t = *item.as_table();
            HS_TRY_VOID(r.check_keys(t, "listen", kListenKeys));
            ListenSpec spec;
            const toml::node* address = t.get("address");
            if (!address) return r.at(t.source(), "[[listen]] needs an address, like address = \"127.0.0.1:8080\"");
            HS_TRY(a, r.string(*address, "address"));
            spec.address = a;
            if (const toml::node* name = t.get("name")) { HS_TRY(n, r.string(*name, "name")); spec.name = n; }
            c.listen.push_back(spec);
        }
    }

    HS_TRY(ready, r.section(root, "ready"));
    if (ready) {
        HS_TRY_VOID(r.check_keys(*ready, "ready", kReadyKeys));
        std::string kind, detail;
        for (auto&& [key, node] : *ready) {
            std::string_view k = key.str();
            if (k == "kind") { HS_TRY(v, r.string(node, k)); kind = v; }
            else if (k == "timeout") { HS_TRY(v, r.duration(node, k, false)); c.ready_timeout = v; }
            else if (k == "url" || k == "address" || k == "pattern") { HS_TRY(v, r.string(node, k)); detail = v; }
            else if (k == "delay") { HS_TRY(v, r.duration(node, k, true)); detail = std::to_string(v.count()); }
        }
        if (!kind.empty()) c.ready = detail.empty() ? kind : fmt::format("{}:{}", kind, detail);
    }

    HS_TRY(proxy, r.section(root, "proxy"));
    if (proxy) {
        HS_TRY_VOID(r.check_keys(*proxy, "proxy", kProxyKeys));
        const toml::node* address = proxy->get("address");
        if (!address) return r.at(proxy->source(), "[proxy] needs an address, like address = \"127.0.0.1:8080\"");
        HS_TRY(v, r.string(*address, "address"));
        c.proxy = v;
    }

    HS_TRY(artifacts, r.section(root, "artifacts"));
    if (artifacts) {
        HS_TRY_VOID(r.check_keys(*artifacts, "artifacts", kArtifactsKeys));
        if (const toml::node* keep = artifacts->get("keep")) {
            auto n = Reader::integer(*keep);
            if (!n || *n < 1 || *n > 1000) return r.at(keep->source(), "'keep' must be a number of builds from 1 to 1000");
            c.artifacts_keep = size_t(*n);
        }
        if (const toml::node* key = artifacts->get("verify_key")) { HS_TRY(v, r.string(*key, "verify_key")); c.verify_key = v; }
    }

    if (const toml::node* events = root.get("events")) { HS_TRY(v, r.string(*events, "events")); c.events = v; }
    if (const toml::node* q = root.get("quiet")) { HS_TRY(v, r.boolean(*q, "quiet")); if (v) c.verbosity = Verbosity::Quiet; }
    if (const toml::node* q = root.get("verbose")) { HS_TRY(v, r.boolean(*q, "verbose")); if (v) c.verbosity = Verbosity::Verbose; }
    return {};
}

}  // namespace hotswap
