#include "config/config.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <system_error>

#include <fmt/core.h>

#include "config/command_line.hpp"
#include "config/config_file.hpp"

namespace hotswap {

namespace {

int usage_error(std::string_view message) {
    fmt::print(stderr, "hotswap: {}\n", message);
    return 2;
}

// Checks what no single key can check alone.
Result<void> validate(const Config& c) {
    if (c.verb == Verb::Run && c.command.empty() && c.build_cmd.empty())
        return Error::message(
            "nothing to run: give the server's command after `--` (hotswap -- ./server), a build command with -b, "
            "or write a hotswap.toml (hotswap init)");
    if (c.verb == Verb::Serve && c.command.empty())
        return Error::message("serve needs the server's command after `--` (hotswap serve -- ./server)");
    if (c.verb == Verb::Run && !c.verify_key.empty() && c.artifact.empty())
        return Error::message("--verify-key checks the build's output binary: name it with --artifact PATH");
    if (c.debounce > Duration(60'000)) return Error::message("--debounce: at most 60000 ms");
    if (c.poll && c.poll->count() < 10) return Error::message("--poll: at least 10 ms");
    if (c.ready_timeout.count() <= 0) return Error::message("--ready-timeout must be more than 0");
    for (const auto& p : c.watch_paths)
        if (p.empty()) return Error::message("--watch: a path must not be empty");
    // What needs the HTTP front, or at least a private port per version.
    const bool client_verb = c.verb != Verb::Run && c.verb != Verb::Serve;
    if (!client_verb && c.shift_steps && c.shift_steps->size() > 1 && !front_configured(c))
        return Error::message(
            "--shift needs the HTTP front, which routes each request: add --proxy ADDR (protocol auto or http); fd "
            "mode and the TCP proxy move whole connections, so they switch at once");
    if (!client_verb && c.live_reload.value_or(false) && !front_configured(c))
        return Error::message(
            "--live-reload works through the HTTP front, which sees the pages: add --proxy ADDR (protocol auto or http)");
    if (!client_verb && c.shadow > 0 && !front_configured(c))
        return Error::message("--shadow replays requests the HTTP front saw: add --proxy ADDR (protocol auto or http)");
    if (!client_verb && !c.check_cmd.empty() && c.proxy.empty())
        return Error::message(
            "--check runs against the new version alone, on its private port: add --proxy ADDR (in fd mode every "
            "version shares the public sockets, so a check would reach the one serving now)");
    return {};
}

}  // namespace

bool front_configured(const Config& c) { return !c.proxy.empty() && c.proxy_protocol != ProxyProtocol::Tcp; }

bool live_reload_on(const Config& c) {
    return front_configured(c) && c.live_reload.value_or(c.verb == Verb::Run);
}

std::vector<unsigned> shift_steps_for(const Config& c) {
    if (!front_configured(c)) return {100};
    if (c.shift_steps) return *c.shift_steps;
    return c.verb == Verb::Serve ? kServeShiftSteps : std::vector<unsigned>{100};
}

Result<std::vector<unsigned>> parse_shift_steps(std::span<const std::string> values) {
    if (values.size() == 1 && (values[0] == "off" || values[0] == "now")) return std::vector<unsigned>{100};
    std::vector<unsigned> steps;
    for (const std::string& v : values) {
        unsigned step = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), step);
        if (ec != std::errc() || end != v.data() + v.size() || step < 1 || step > 100)
            return Error::message(fmt::format("'{}' is not a step: give percentages from 1 to 100, like 10,50,100 "
                                              "(or off: switch at once)", v));
        if (!steps.empty() && step <= steps.back())
            return Error::message(fmt::format("steps must rise: {} comes after {}", step, steps.back()));
        steps.push_back(step);
    }
    if (steps.empty()) return Error::message("no steps: give percentages like 10,50,100, or off");
    if (steps.back() != 100) steps.push_back(100);  // the last step is the switch
    return steps;
}

Result<ShiftSticky> parse_shift_sticky(std::string_view text) {
    if (text == "none") return ShiftSticky::None;
    if (text == "connection") return ShiftSticky::Connection;
    if (text == "cookie") return ShiftSticky::Cookie;
    return Error::message(fmt::format("'{}' is not a sticky mode: use none, connection or cookie", text));
}

Result<bool> parse_on_regression(std::string_view text) {
    if (text == "block") return true;
    if (text == "warn") return false;
    return Error::message(fmt::format("'{}' is not an on_regression policy: use block or warn", text));
}

Result<RestartPolicy> parse_restart_policy(std::string_view text) {
    if (text == "never") return RestartPolicy::Never;
    if (text == "on-crash") return RestartPolicy::OnCrash;
    return Error::message(fmt::format("'{}' is not a restart policy: use never or on-crash", text));
}

Result<ProxyProtocol> parse_proxy_protocol(std::string_view text) {
    if (text == "auto") return ProxyProtocol::Auto;
    if (text == "http") return ProxyProtocol::Http;
    if (text == "tcp") return ProxyProtocol::Tcp;
    return Error::message(fmt::format("'{}' is not a proxy protocol: use auto, http or tcp", text));
}

Result<AppSocket> parse_app_socket(std::string_view text) {
    if (text == "port") return AppSocket::Port;
    if (text == "fd") return AppSocket::Fd;
    return Error::message(fmt::format("'{}' is not an app socket: use port ($PORT, the app binds it) or fd (a socket "
                                      "at fd 3 under LISTEN_FDS)", text));
}

ConfigOutcome load_config(int argc, char** argv) {
    auto parsed = parse_command_line(argc, argv);
    if (auto* code = std::get_if<int>(&parsed)) return {std::nullopt, *code};
    CommandLine& line = std::get<CommandLine>(parsed);

    Config config;
    config.verb = line.verb;
    std::error_code ec;
    std::filesystem::path cwd = std::filesystem::current_path(ec);
    if (ec) return {std::nullopt, usage_error("cannot read the working directory: " + ec.message())};
    config.root = cwd;

    std::filesystem::path file;
    if (line.config_file) {
        file = *line.config_file;
        if (!std::filesystem::exists(file, ec))
            return {std::nullopt, usage_error(fmt::format("{}: no such config file", file.string()))};
    } else if (std::filesystem::exists("hotswap.toml", ec)) {
        file = "hotswap.toml";
    }
    if (!file.empty() && line.verb != Verb::Init) {
        if (auto r = read_config_file(file, config); !r) return {std::nullopt, usage_error(r.error().to_string())};
        config.config_file = std::filesystem::absolute(file, ec);
        config.root = config.config_file.parent_path();
    }
    if (auto r = line.apply(config); !r) return {std::nullopt, usage_error(r.error().to_string())};
    if (!line.command.empty()) config.command = line.command;
    if (auto r = validate(config); !r) return {std::nullopt, usage_error(r.error().to_string())};
    return {std::move(config), 0};
}

}  // namespace hotswap
