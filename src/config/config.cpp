#include "config/config.hpp"

#include <unistd.h>

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
    return {};
}

}  // namespace

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
