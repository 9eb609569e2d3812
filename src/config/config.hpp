#pragma once
// Config: everything one hotswap run needs, merged from hotswap.toml and the command line (flags win),
// validated once. The rest of hotswap reads only this struct.

#include <csignal>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/build_nice.hpp"
#include "core/duration.hpp"
#include "core/verbosity.hpp"
// A plain struct of settings, shared with the front that follows them (no code of front/ comes with it).
#include "front/shift_policy.hpp"

namespace hotswap {

using namespace std::chrono_literals;

enum class Verb { Run, Serve, Init, Status, Reload, Rollback, History, Stop };

// When a generation that exits on its own is started again (--restart, [run] restart).
enum class RestartPolicy { Auto, Never, OnCrash };  // Auto: on-crash for servers, never for plain commands

// How proxy mode reads client connections ([proxy] protocol): the HTTP front per request (Http), bytes as
// they come (Tcp), or the front for connections that start with an HTTP/1.x request line (Auto).
enum class ProxyProtocol { Auto, Http, Tcp };
// How a generation gets its private address behind the proxy ([proxy] app_socket).
enum class AppSocket { Port, Fd };

struct ListenSpec {
    std::string name;     // may be empty: a default name is given when the address is parsed
    std::string address;  // as written: tcp://…, host:port, :port, [::1]:port, unix:///path
};

struct Config {
    Verb verb = Verb::Run;
    std::filesystem::path config_file;  // empty when none was read
    std::filesystem::path root;         // the project directory: the config file's, else the working directory

    // [watch]
    std::vector<std::string> watch_paths{"."};
    std::vector<std::string> extensions;
    std::vector<std::string> ignore;
    Duration debounce{50};
    std::optional<Duration> poll;  // set: poll at this interval instead of inotify

    // [build]
    std::string build_cmd;  // empty: no build, restart only
    std::optional<Duration> build_timeout;
    int build_nice = kDefaultBuildNice;  // nice steps below hotswap's priority for the build; 0: the same
    bool build_idle = false;             // --build-nice idle: the build at SCHED_IDLE instead
    std::string artifact;
    size_t artifacts_keep = 5;  // [artifacts] keep: builds kept in .hotswap/artifacts
    // --verify-key / [artifacts] verify_key: a minisign public key file, or the base64 key itself; every
    // binary run needs a valid BINARY.minisig by that key (serve, or run with --artifact).
    std::string verify_key;

    // [run]
    std::vector<std::string> command;  // argv; a TOML string becomes /bin/sh -c STRING
    std::vector<std::string> env;      // extra "NAME=value"
    std::string cwd;
    int stop_signal = SIGTERM;
    Duration drain_timeout{10s};
    Duration probation{5s};
    bool listen_pid = true;  // false: --no-listen-pid, for commands that exec through a shell
    RestartPolicy restart = RestartPolicy::Auto;

    // [[listen]] and [ready]
    std::vector<ListenSpec> listen;
    std::string ready;  // notify | http:URL | tcp:ADDR | log:REGEX | delay:MS; empty: default
    Duration ready_timeout{30s};

    // [proxy] address / --proxy: proxy mode, listen here and forward to each generation's private address;
    // empty: off
    std::string proxy;
    // [proxy] protocol / --proxy-protocol: auto (the HTTP front for HTTP/1.x, bytes otherwise), http, tcp.
    ProxyProtocol proxy_protocol = ProxyProtocol::Auto;
    // [proxy] app_socket / --app-socket: how a generation gets its private address: $PORT to bind (port),
    // or a listening socket at fd 3 under LISTEN_FDS (fd).
    AppSocket app_socket = AppSocket::Port;
    Duration header_timeout{10s};   // [proxy] header_timeout: a request head must come within this (408)
    size_t max_connections = 10000;  // [proxy] max_connections: client connections open at once
    bool forwarded_headers = true;   // [proxy] forwarded_headers: X-Forwarded-For, -Proto, -Host

    // [shift] (the HTTP front only): how a ready version takes the traffic over. steps unset: at once in the
    // dev loop, kServeShiftSteps in serve behind the front (docs/operations.md says why).
    std::optional<std::vector<unsigned>> shift_steps;
    ShiftPolicy shift;  // every field but steps, as [shift] sets them

    // [check]: what a ready version must pass before it gets any traffic.
    std::string check_cmd;           // --check CMD: run with the version's private address; non-zero: not switched
    Duration check_timeout{60s};     // [check] timeout
    size_t shadow = 0;               // --shadow N: replay the last N distinct GET/HEAD requests against it
    // [proxy] live_reload; unset: on in the dev loop behind the front, off in serve (live_reload_on()).
    std::optional<bool> live_reload;
    bool css_swap = true;  // [proxy] css_swap: with live reload, a change of stylesheets only swaps them, no build
    std::optional<bool> shadow_block;  // [check] on_regression: block or warn; unset: block in serve, warn in run
    Duration shadow_timeout{5s};     // [check] shadow_timeout: per replayed request

    std::string events;  // --events FILE|-
    Verbosity verbosity = Verbosity::Normal;
    bool json = false;   // --json for client verbs
    bool ready_check = false;     // status --ready: exit 0 only when a generation serves
    std::string rollback_target;  // rollback [ID]; empty: the previous good build
    bool force = false;           // init --force: overwrite an existing hotswap.toml
};

// Why parsing stopped: a usage/config error (exit 2), or a request for --help/--version (exit 0).
struct ConfigOutcome {
    std::optional<Config> config;
    int exit_code = 0;
};

// serve's gradual default behind the HTTP front.
inline const std::vector<unsigned> kServeShiftSteps{10, 50, 100};

// The HTTP front runs (proxy mode with protocol auto or http).
bool front_configured(const Config& c);
// Live reload runs: asked for, or by default in the dev loop behind the front.
bool live_reload_on(const Config& c);
// The steps a shift takes in this run: [shift] steps, else the mode's default.
std::vector<unsigned> shift_steps_for(const Config& c);

// "10,50,100" (the last step is 100, added when missing) or "off" / "now" (one step of 100: at once).
Result<std::vector<unsigned>> parse_shift_steps(std::span<const std::string> values);
// "none" | "connection" | "cookie"; "warn" | "block".
Result<ShiftSticky> parse_shift_sticky(std::string_view text);
Result<bool> parse_on_regression(std::string_view text);

// "auto" | "http" | "tcp", and "port" | "fd".
Result<ProxyProtocol> parse_proxy_protocol(std::string_view text);
Result<AppSocket> parse_app_socket(std::string_view text);

// "never" | "on-crash" (the --restart flag and the [run] restart key).
Result<RestartPolicy> parse_restart_policy(std::string_view text);

// Parses argv, reads the config file (-c, else ./hotswap.toml when present), merges and validates.
// Errors are printed here, naming file:line:column for the config file.
ConfigOutcome load_config(int argc, char** argv);

}  // namespace hotswap
