#include "config/settings.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/core.h>

#include "config/setting_parsers.hpp"
#include "core/signal_name.hpp"

namespace hotswap {

namespace {

// The shapes most rows share: one parser, the field it fills.

std::string only_value(const FlagValues& given) { return given.values.empty() ? std::string() : given.values.back(); }

Result<Duration> flag_duration(const FlagValues& given) {
    auto d = parse_duration(only_value(given));
    if (!d) return d.error().with_context(given.name);
    return *d;
}

Result<Duration> flag_ms_or_duration(const FlagValues& given) {
    auto d = parse_ms_or_duration(only_value(given));
    if (!d) return d.error().with_context(given.name);
    return *d;
}

// A TOML string naming a signal or a policy: the parser's own sentence, at the value's position.
template <typename T>
Result<T> toml_parsed(const TomlValue& value, Result<T> (*parse)(std::string_view)) {
    HS_TRY(text, value.string());
    auto parsed = parse(text);
    if (!parsed) return value.error(parsed.error().to_string());
    return *parsed;
}

template <typename T>
Result<T> flag_parsed(const FlagValues& given, Result<T> (*parse)(std::string_view)) {
    auto parsed = parse(only_value(given));
    if (!parsed) return parsed.error().with_context(given.name);
    return *parsed;
}

// --ext go,.tmpl: CLI11 splits at the commas; a leading dot is optional.
std::vector<std::string> extensions_of(std::span<const std::string> values) {
    std::vector<std::string> out;
    for (std::string ext : values) {
        if (!ext.empty() && ext[0] == '.') ext.erase(0, 1);
        if (!ext.empty()) out.push_back(ext);
    }
    return out;
}

// --listen [NAME=]ADDR: a name is letters, digits, '-' and '_' (so "unix:///a=b" is not split).
ListenSpec listen_spec_of(const std::string& spec) {
    ListenSpec l{.name = {}, .address = spec};
    size_t eq = spec.find('=');
    if (eq != std::string::npos && eq > 0 &&
        spec.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == eq) {
        l.name = spec.substr(0, eq);
        l.address = spec.substr(eq + 1);
    }
    return l;
}

// [shift] steps: [10, 50, 100], or "off".
Result<std::vector<unsigned>> toml_steps(const TomlValue& v) {
    std::vector<std::string> texts;
    if (auto text = v.node().value<std::string>()) {
        texts.push_back(*text);
    } else if (const toml::array* array = v.node().as_array()) {
        for (const toml::node& item : *array) {
            const auto* n = item.as_integer();
            if (!n) return v.error_at(item, "every step must be a whole percentage, like steps = [10, 50, 100]");
            texts.push_back(std::to_string(n->get()));
        }
    } else {
        return v.error("'steps' must be percentages like [10, 50, 100], or \"off\"");
    }
    auto steps = parse_shift_steps(texts);
    if (!steps) return v.error(steps.error().to_string());
    return *steps;
}

// A whole number from `low` to `high`, with the sentence that says so.
Result<uint64_t> toml_count(const TomlValue& v, int64_t low, int64_t high) {
    auto n = v.integer();
    if (!n || *n < low || *n > high) return v.error(fmt::format("'{}' must be a whole number from {} to {}", v.key(), low, high));
    return uint64_t(*n);
}

Result<double> toml_number(const TomlValue& v, double low, double high) {
    auto n = v.number();
    if (!n || *n < low || *n > high) return v.error(fmt::format("'{}' must be a number from {} to {}", v.key(), low, high));
    return *n;
}

using R = Result<void>;
using V = const TomlValue&;
using D = ConfigDraft&;
using F = const FlagValues&;
using C = Config&;

// Grouped by section in the order of the sections below; within a section, in the order "known keys"
// lists them. Flags are registered in this order too, so it is also the order of --help.
constexpr Setting kSettings[] = {
    // [watch]
    {.section = "watch", .key = "paths", .flag = "-w,--watch", .form = FlagForm::Repeated,
     .help = "watch this path (repeatable; default .)",
     .read = [](V v, D d) -> R { HS_TRY(paths, v.strings()); d.config.watch_paths = paths; return {}; },
     .apply = [](F f, C c) -> R { c.watch_paths.assign(f.values.begin(), f.values.end()); return {}; }},
    {.section = "watch", .key = "ext", .flag = "-e,--ext", .form = FlagForm::CommaSeparated,
     .help = "only these extensions trigger, e.g. go,tmpl",
     .read = [](V v, D d) -> R { HS_TRY(ext, v.strings()); d.config.extensions = ext; return {}; },
     .apply = [](F f, C c) -> R { c.extensions = extensions_of(f.values); return {}; }},
    {.section = "watch", .key = "ignore", .flag = "-i,--ignore", .form = FlagForm::Repeated,
     .help = "ignore paths matching GLOB (gitignore syntax, repeatable)",
     .read = [](V v, D d) -> R {
         HS_TRY(globs, v.strings());
         d.config.ignore.insert(d.config.ignore.end(), globs.begin(), globs.end());
         return {};
     },
     // Added to the file's ignores, not instead of them.
     .apply = [](F f, C c) -> R { c.ignore.insert(c.ignore.end(), f.values.begin(), f.values.end()); return {}; }},
    {.section = "watch", .key = "exclude",  // another name for ignore
     .read = [](V v, D d) -> R {
         HS_TRY(globs, v.strings());
         d.config.ignore.insert(d.config.ignore.end(), globs.begin(), globs.end());
         return {};
     }},
    {.section = "watch", .key = "debounce", .flag = "--debounce", .help = "settle window in ms (default 50)",
     .read = [](V v, D d) -> R { HS_TRY(ms, v.duration_or_ms()); d.config.debounce = ms; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(ms, flag_ms_or_duration(f)); c.debounce = ms; return {}; }},
    {.section = "watch", .key = "debounce_ms",  // the name DESIGN.md §7 gives debounce
     .read = [](V v, D d) -> R { HS_TRY(ms, v.duration_or_ms()); d.config.debounce = ms; return {}; }},
    {.section = "watch", .key = "poll", .flag = "--poll", .form = FlagForm::OptionalValue,
     .help = "poll every MS instead of using inotify (default 500)",
     .read = [](V v, D d) -> R {
         // as_boolean, not value<bool>: toml++ converts an integer to a boolean, and `poll = 250` means 250 ms.
         if (const auto* on = v.node().as_boolean()) {
             d.config.poll = on->get() ? std::optional<Duration>(Duration(500)) : std::nullopt;
             return {};
         }
         HS_TRY(ms, v.duration_or_ms());
         d.config.poll = ms;
         return {};
     },
     .apply = [](F f, C c) -> R {
         if (only_value(f).empty()) {
             c.poll = Duration(500);
             return {};
         }
         HS_TRY(ms, flag_ms_or_duration(f));
         c.poll = ms;
         return {};
     }},

    // [build]
    {.section = "build", .key = "cmd", .flag = "-b,--build",
     .help = "build command (shell syntax runs through /bin/sh); none: restart only",
     .read = [](V v, D d) -> R { HS_TRY(cmd, v.string()); d.config.build_cmd = cmd; return {}; },
     .apply = [](F f, C c) -> R { c.build_cmd = only_value(f); return {}; }},
    {.section = "build", .key = "timeout", .flag = "--build-timeout", .help = "kill a build running longer than this",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.build_timeout = t; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(t, flag_duration(f)); c.build_timeout = t; return {}; }},
    {.section = "build", .key = "artifact", .flag = "--artifact",
     .help = "the build's output binary (serve: the binary to upgrade to)",
     .read = [](V v, D d) -> R { HS_TRY(path, v.string()); d.config.artifact = path; return {}; },
     .apply = [](F f, C c) -> R { c.artifact = only_value(f); return {}; }},
    {.section = "build", .key = "nice", .flag = "--build-nice",
     .help = "run the build N nice steps below hotswap (0-19, default 10; 0: same priority; idle: only on "
             "CPU time nothing else wants)",
     .read = [](V v, D d) -> R {
         if (v.node().value<std::string>() == "idle") {
             d.config.build_idle = true;
             return {};
         }
         auto steps = v.integer();
         if (!steps || !is_build_nice(*steps))
             return v.error(fmt::format("'nice' must be a number from 0 to {} (0 runs the build at hotswap's own "
                                        "priority) or \"idle\"",
                                        kMaxBuildNice));
         d.config.build_nice = int(*steps);
         return {};
     },
     .apply = [](F f, C c) -> R {
         c.build_idle = only_value(f) == "idle";
         if (c.build_idle) return {};
         HS_TRY(steps, flag_parsed(f, parse_build_nice));
         c.build_nice = steps;
         return {};
     }},

    // [run]
    {.section = "run", .key = "cmd",  // the command line's is the command after `--`
     .read = [](V v, D d) -> R {
         if (auto line = v.node().value<std::string>()) {
             d.config.command = {"/bin/sh", "-c", *line};
             return {};
         }
         HS_TRY(argv, v.strings());
         if (argv.empty()) return v.error("'cmd' must not be empty");
         d.config.command = argv;
         return {};
     }},
    {.section = "run", .key = "args",
     .read = [](V v, D d) -> R { HS_TRY(args, v.strings()); d.run_args = args; return {}; }},
    {.section = "run", .key = "env",
     .read = [](V v, D d) -> R {
         const toml::table* env = v.node().as_table();
         if (!env) return v.error("'env' must be a table: env = { NAME = \"value\" }");
         for (auto&& [name, item] : *env) {
             HS_TRY(value, v.inner(item, name.str()).string());
             d.config.env.push_back(fmt::format("{}={}", name.str(), value));
         }
         return {};
     }},
    {.section = "run", .key = "cwd",
     .read = [](V v, D d) -> R { HS_TRY(dir, v.string()); d.config.cwd = dir; return {}; }},
    {.section = "run", .key = "stop_signal", .flag = "--stop-signal", .help = "default TERM",
     .read = [](V v, D d) -> R { HS_TRY(sig, toml_parsed(v, parse_signal)); d.config.stop_signal = sig; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(sig, flag_parsed(f, parse_signal)); c.stop_signal = sig; return {}; }},
    {.section = "run", .key = "drain_timeout", .flag = "--drain-timeout", .help = "default 10s",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.drain_timeout = t; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(t, flag_duration(f)); c.drain_timeout = t; return {}; }},
    {.section = "run", .key = "probation", .flag = "--probation", .help = "default 5s",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.probation = t; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(t, flag_duration(f)); c.probation = t; return {}; }},
    {.section = "run", .key = "listen_pid", .flag = "--no-listen-pid", .form = FlagForm::Switch,
     .help = "don't set LISTEN_PID (for commands that fork through a shell)",
     .read = [](V v, D d) -> R { HS_TRY(on, v.boolean()); d.config.listen_pid = on; return {}; },
     .apply = [](F, C c) -> R { c.listen_pid = false; return {}; }},
    {.section = "run", .key = "restart", .flag = "--restart",
     .help = "never | on-crash: restart a server that crashes (default on-crash for servers)",
     .read = [](V v, D d) -> R { HS_TRY(p, toml_parsed(v, parse_restart_policy)); d.config.restart = p; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(p, flag_parsed(f, parse_restart_policy)); c.restart = p; return {}; }},

    // [[listen]]: each table is one more listener; the flag's values replace the file's.
    {.section = "listen", .key = "name",
     .read = [](V v, D d) -> R { HS_TRY(name, v.string()); d.config.listen.back().name = name; return {}; }},
    {.section = "listen", .key = "address", .flag = "-l,--listen", .form = FlagForm::Repeated,
     .help = "[NAME=]ADDR to listen on and pass to the app (repeatable)",
     .read = [](V v, D d) -> R { HS_TRY(address, v.string()); d.config.listen.back().address = address; return {}; },
     .apply = [](F f, C c) -> R {
         c.listen.clear();
         for (const auto& spec : f.values) c.listen.push_back(listen_spec_of(spec));
         return {};
     }},

    // [ready]: kind and its detail make the one string --ready takes, "http:URL".
    {.section = "ready", .key = "kind", .flag = "--ready", .help = "notify | http:URL | tcp:ADDR | log:REGEX | delay:MS",
     .read = [](V v, D d) -> R { HS_TRY(kind, v.string()); d.ready_kind = kind; return {}; },
     .apply = [](F f, C c) -> R { c.ready = only_value(f); return {}; }},
    {.section = "ready", .key = "timeout", .flag = "--ready-timeout", .help = "default 30s",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.ready_timeout = t; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(t, flag_duration(f)); c.ready_timeout = t; return {}; }},
    {.section = "ready", .key = "url",
     .read = [](V v, D d) -> R { HS_TRY(url, v.string()); d.ready_detail = url; return {}; }},
    {.section = "ready", .key = "address",
     .read = [](V v, D d) -> R { HS_TRY(address, v.string()); d.ready_detail = address; return {}; }},
    {.section = "ready", .key = "pattern",
     .read = [](V v, D d) -> R { HS_TRY(pattern, v.string()); d.ready_detail = pattern; return {}; }},
    {.section = "ready", .key = "delay",
     .read = [](V v, D d) -> R { HS_TRY(ms, v.duration_or_ms()); d.ready_detail = std::to_string(ms.count()); return {}; }},

    // [proxy]
    {.section = "proxy", .key = "address", .flag = "--proxy",
     .help = "proxy mode: listen on ADDR, forward to the generation's $PORT (for apps that bind a port)",
     .read = [](V v, D d) -> R { HS_TRY(address, v.string()); d.config.proxy = address; return {}; },
     .apply = [](F f, C c) -> R { c.proxy = only_value(f); return {}; }},
    {.section = "proxy", .key = "protocol", .flag = "--proxy-protocol",
     .help = "auto | http | tcp: the HTTP front switches per request (auto: for connections that speak HTTP/1.x; "
             "the rest, and all with tcp, are forwarded as bytes)",
     .read = [](V v, D d) -> R { HS_TRY(p, toml_parsed(v, parse_proxy_protocol)); d.config.proxy_protocol = p; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(p, flag_parsed(f, parse_proxy_protocol)); c.proxy_protocol = p; return {}; }},
    {.section = "proxy", .key = "app_socket", .flag = "--app-socket",
     .help = "port | fd: each version binds its own $PORT (port), or gets its own listening socket at fd 3 "
             "under LISTEN_FDS (fd)",
     .read = [](V v, D d) -> R { HS_TRY(a, toml_parsed(v, parse_app_socket)); d.config.app_socket = a; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(a, flag_parsed(f, parse_app_socket)); c.app_socket = a; return {}; }},
    {.section = "proxy", .key = "header_timeout", .flag = "--header-timeout",
     .help = "a request head must arrive within this, else 408 (default 10s)",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.header_timeout = t; return {}; },
     .apply = [](F f, C c) -> R { HS_TRY(t, flag_duration(f)); c.header_timeout = t; return {}; }},
    {.section = "proxy", .key = "max_connections",
     .read = [](V v, D d) -> R {
         auto n = v.integer();
         if (!n || *n < 1 || *n > 1'000'000) return v.error("'max_connections' must be a number from 1 to 1000000");
         d.config.max_connections = size_t(*n);
         return {};
     }},
    {.section = "proxy", .key = "forwarded_headers",
     .read = [](V v, D d) -> R { HS_TRY(on, v.boolean()); d.config.forwarded_headers = on; return {}; }},
    {.section = "proxy", .key = "css_swap",
     .read = [](V v, D d) -> R { HS_TRY(on, v.boolean()); d.config.css_swap = on; return {}; }},
    {.section = "proxy", .key = "live_reload", .flag = "--live-reload", .form = FlagForm::OptionalValue,
     .help = "browser live reload through the front: the page reloads when the new version serves, stylesheets "
             "swap in place, a failed build shows in the page; on by default in the dev loop behind the front, "
             "off in serve (--live-reload=off to turn it off)",
     .read = [](V v, D d) -> R { HS_TRY(on, v.boolean()); d.config.live_reload = on; return {}; },
     .apply = [](F f, C c) -> R {
         const std::string value(only_value(f));
         if (value.empty() || value == "on" || value == "true") c.live_reload = true;
         else if (value == "off" || value == "false") c.live_reload = false;
         else return Error::message(fmt::format("--live-reload={}: use on or off", value));
         return {};
     }},

    // [shift] (the HTTP front): how a ready version takes the traffic over, and when that is called off.
    {.section = "shift", .key = "steps", .flag = "--shift", .form = FlagForm::CommaSeparated,
     .help = "shift new requests to a new version in steps, e.g. 10,50,100 (percent), judging each step on real "
             "traffic; off: at once (the default in the dev loop; serve behind the front: 10,50,100)",
     .read = [](V v, D d) -> R { HS_TRY(steps, toml_steps(v)); d.config.shift_steps = steps; return {}; },
     .apply = [](F f, C c) -> R {
         auto steps = parse_shift_steps(f.values);
         if (!steps) return steps.error().with_context(f.name);
         c.shift_steps = *steps;
         return {};
     }},
    {.section = "shift", .key = "step_time",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.shift.step_time = t; return {}; }},
    {.section = "shift", .key = "step_requests",
     .read = [](V v, D d) -> R { HS_TRY(n, toml_count(v, 0, 1'000'000'000)); d.config.shift.step_requests = n; return {}; }},
    {.section = "shift", .key = "max_step_time",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.shift.max_step_time = t; return {}; }},
    {.section = "shift", .key = "window",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.shift.window = t; return {}; }},
    {.section = "shift", .key = "error_margin",  // percentage points
     .read = [](V v, D d) -> R { HS_TRY(p, toml_number(v, 0, 100)); d.config.shift.error_margin = p / 100.0; return {}; }},
    {.section = "shift", .key = "min_requests",
     .read = [](V v, D d) -> R { HS_TRY(n, toml_count(v, 1, 1'000'000)); d.config.shift.min_requests = n; return {}; }},
    {.section = "shift", .key = "consecutive_failures",
     .read = [](V v, D d) -> R { HS_TRY(n, toml_count(v, 0, 1'000'000)); d.config.shift.consecutive_failures = unsigned(n); return {}; }},
    {.section = "shift", .key = "latency_ratio",
     .read = [](V v, D d) -> R { HS_TRY(r, toml_number(v, 1, 1000)); d.config.shift.latency_ratio = r; return {}; }},
    {.section = "shift", .key = "latency_floor",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.shift.latency_floor = t; return {}; }},
    {.section = "shift", .key = "latency_min_requests",
     .read = [](V v, D d) -> R { HS_TRY(n, toml_count(v, 1, 1'000'000)); d.config.shift.latency_min_requests = n; return {}; }},
    {.section = "shift", .key = "sticky",
     .read = [](V v, D d) -> R { HS_TRY(m, toml_parsed(v, parse_shift_sticky)); d.config.shift.sticky = m; return {}; }},

    // [check]: what a ready version must pass before any user request reaches it.
    {.section = "check", .key = "cmd", .flag = "--check",
     .help = "before the switch, run CMD (a shell command) against the new version alone: {port} and {url} in it, "
             "and HOTSWAP_CHECK_PORT / HOTSWAP_CHECK_URL in its environment, are its private address; non-zero: "
             "not switched",
     .read = [](V v, D d) -> R { HS_TRY(cmd, v.string()); d.config.check_cmd = cmd; return {}; },
     .apply = [](F f, C c) -> R { c.check_cmd = only_value(f); return {}; }},
    {.section = "check", .key = "timeout",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.check_timeout = t; return {}; }},
    {.section = "check", .key = "shadow", .flag = "--shadow",
     .help = "before the switch, replay the last N distinct GET/HEAD requests against the new version and compare "
             "with the old one's answers (serve: a regression blocks the switch; run: a warning)",
     .read = [](V v, D d) -> R { HS_TRY(n, toml_count(v, 0, 1000)); d.config.shadow = size_t(n); return {}; },
     .apply = [](F f, C c) -> R {
         const std::string text = only_value(f);
         size_t n = 0;
         auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
         if (ec != std::errc() || end != text.data() + text.size() || n > 1000)
             return Error::message(fmt::format("{}: '{}' is not a number of requests from 0 to 1000", f.name, text));
         c.shadow = n;
         return {};
     }},
    {.section = "check", .key = "on_regression",
     .read = [](V v, D d) -> R { HS_TRY(b, toml_parsed(v, parse_on_regression)); d.config.shadow_block = b; return {}; }},
    {.section = "check", .key = "shadow_timeout",
     .read = [](V v, D d) -> R { HS_TRY(t, v.duration()); d.config.shadow_timeout = t; return {}; }},

    // [artifacts]
    {.section = "artifacts", .key = "keep",
     .read = [](V v, D d) -> R {
         auto n = v.integer();
         if (!n || *n < 1 || *n > 1000) return v.error("'keep' must be a number of builds from 1 to 1000");
         d.config.artifacts_keep = size_t(*n);
         return {};
     }},
    {.section = "artifacts", .key = "verify_key", .flag = "--verify-key",
     .help = "run only binaries with a valid BINARY.minisig by this minisign public key (a .pub file, or the "
             "base64 key)",
     .read = [](V v, D d) -> R { HS_TRY(key, v.string()); d.config.verify_key = key; return {}; },
     .apply = [](F f, C c) -> R { c.verify_key = only_value(f); return {}; }},

    // The top level.
    {.key = "events", .flag = "--events", .help = "write lifecycle events as JSON lines to FILE or -",
     .read = [](V v, D d) -> R { HS_TRY(file, v.string()); d.config.events = file; return {}; },
     .apply = [](F f, C c) -> R { c.events = only_value(f); return {}; }},
    // quiet comes before verbose: given both, verbose wins.
    {.key = "quiet", .flag = "-q,--quiet", .form = FlagForm::Switch,
     .help = "only hotswap's summaries and the app's output",
     .read = [](V v, D d) -> R {
         HS_TRY(on, v.boolean());
         if (on) d.config.verbosity = Verbosity::Quiet;
         return {};
     },
     .apply = [](F, C c) -> R { c.verbosity = Verbosity::Quiet; return {}; }},
    {.key = "verbose", .flag = "-v,--verbose", .form = FlagForm::Switch, .help = "explain every step",
     .read = [](V v, D d) -> R {
         HS_TRY(on, v.boolean());
         if (on) d.config.verbosity = Verbosity::Verbose;
         return {};
     },
     .apply = [](F, C c) -> R { c.verbosity = Verbosity::Verbose; return {}; }},
    // Only the client verbs read it: a file has no use for it.
    {.flag = "--json", .form = FlagForm::Switch, .help = "machine-readable output for status, history, reload",
     .apply = [](F, C c) -> R { c.json = true; return {}; }},
};

constexpr Section kSections[] = {
    {.name = "watch"},
    {.name = "build"},
    {.name = "run"},
    {.name = "listen", .shape = SectionShape::ArrayOfTables, .required_key = "address",
     .missing_message = "[[listen]] needs an address, like address = \"127.0.0.1:8080\"",
     .shape_message = "'listen' must be an array of tables: write [[listen]] with name and address",
     .begin_item = [](Config& c) { c.listen.emplace_back(); }},
    {.name = "ready"},
    {.name = "proxy", .required_key = "address",
     .missing_message = "[proxy] needs an address, like address = \"127.0.0.1:8080\""},
    {.name = "shift"},
    {.name = "check"},
    {.name = "artifacts"},
    {.name = ""},  // the top level's own keys, read last
};

}  // namespace

void ConfigDraft::finish() {
    config.command.insert(config.command.end(), run_args.begin(), run_args.end());
    if (!ready_kind.empty())
        config.ready = ready_detail.empty() ? ready_kind : fmt::format("{}:{}", ready_kind, ready_detail);
}

std::string_view Setting::long_flag() const {
    size_t comma = flag.rfind(',');
    return comma == std::string_view::npos ? flag : flag.substr(comma + 1);
}

std::span<const Setting> settings() { return kSettings; }
std::span<const Section> sections() { return kSections; }

std::vector<std::string_view> known_keys(std::string_view section) {
    std::vector<std::string_view> keys;
    if (section.empty())
        for (const Section& s : kSections)
            if (!s.name.empty()) keys.push_back(s.name);
    for (const Setting& s : kSettings)
        if (s.section == section && !s.key.empty()) keys.push_back(s.key);
    return keys;
}

const Setting* find_setting(std::string_view section, std::string_view key) {
    if (key.empty()) return nullptr;
    auto row = std::find_if(std::begin(kSettings), std::end(kSettings),
                            [&](const Setting& s) { return s.section == section && s.key == key; });
    return row == std::end(kSettings) ? nullptr : &*row;
}

}  // namespace hotswap
