#include "config/command_line.hpp"

#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "core/result.hpp"
#include "core/signal_name.hpp"

namespace hotswap {

namespace {

// A duration flag where a bare number means milliseconds (--debounce 50, --poll=250).
Result<Duration> parse_ms_or_duration(std::string_view flag, const std::string& text) {
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
        if (text.size() > 12) return Error::message(fmt::format("{}: '{}' is too large", flag, text));
        return Duration(std::stoll(text));
    }
    auto d = parse_duration(text);
    if (!d) return d.error().with_context(flag);
    return *d;
}

// --build-nice: a whole number of nice steps, from 0 (the build's priority is left alone) to 19.
Result<int> parse_build_nice(const std::string& text) {
    if (text.empty() || text.size() > 2 || text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(text) > kMaxBuildNice)
        return Error::message(fmt::format("--build-nice: '{}' is not a number from 0 to {} (0 runs the build at "
                                          "hotswap's own priority) nor 'idle'",
                                          text, kMaxBuildNice));
    return std::stoi(text);
}

Result<Duration> parse_flag_duration(std::string_view flag, const std::string& text) {
    auto d = parse_duration(text);
    if (!d) return d.error().with_context(flag);
    return *d;
}

// Everything CLI11 writes into, kept alive until `apply` runs.
struct Flags {
    std::vector<std::string> watch, ext, ignore, listen;
    std::string poll, debounce, build, build_timeout, build_nice, artifact, ready, ready_timeout, probation, stop_signal,
        drain_timeout, events, cwd, restart, verify_key, proxy;
    bool no_listen_pid = false, quiet = false, verbose = false, json = false;
    CLI::Option *o_watch, *o_ext, *o_ignore, *o_listen, *o_poll, *o_debounce, *o_build, *o_build_timeout,
        *o_build_nice, *o_artifact, *o_ready, *o_ready_timeout, *o_probation, *o_stop_signal, *o_drain_timeout, *o_events,
        *o_no_listen_pid, *o_quiet, *o_verbose, *o_json, *o_restart, *o_verify_key, *o_proxy;
};

std::vector<std::string> split_commas(const std::vector<std::string>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) {
        size_t start = 0;
        while (start <= item.size()) {
            size_t comma = item.find(',', start);
            std::string part = item.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!part.empty() && part[0] == '.') part.erase(0, 1);
            if (!part.empty()) out.push_back(part);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return out;
}

Result<void> apply_flags(const Flags& f, Config& c) {
    if (f.o_watch->count()) c.watch_paths = f.watch;
    if (f.o_ext->count()) c.extensions = split_commas(f.ext);
    if (f.o_ignore->count()) c.ignore.insert(c.ignore.end(), f.ignore.begin(), f.ignore.end());
    if (f.o_poll->count()) {
        if (f.poll.empty()) c.poll = Duration(500);
        else { HS_TRY(d, parse_ms_or_duration("--poll", f.poll)); c.poll = d; }
    }
    if (f.o_debounce->count()) { HS_TRY(d, parse_ms_or_duration("--debounce", f.debounce)); c.debounce = d; }
    if (f.o_build->count()) c.build_cmd = f.build;
    if (f.o_build_timeout->count()) { HS_TRY(d, parse_flag_duration("--build-timeout", f.build_timeout)); c.build_timeout = d; }
    if (f.o_build_nice->count()) {
        c.build_idle = f.build_nice == "idle";
        if (!c.build_idle) { HS_TRY(n, parse_build_nice(f.build_nice)); c.build_nice = n; }
    }
    if (f.o_artifact->count()) c.artifact = f.artifact;
    if (f.o_verify_key->count()) c.verify_key = f.verify_key;
    if (f.o_listen->count()) {
        c.listen.clear();
        for (const auto& spec : f.listen) {
            ListenSpec l;
            l.address = spec;
            // NAME=ADDR: a name is letters, digits, '-' and '_' (so "unix:///a=b" is not split).
            size_t eq = spec.find('=');
            if (eq != std::string::npos && eq > 0 &&
                spec.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == eq) {
                l.name = spec.substr(0, eq);
                l.address = spec.substr(eq + 1);
            }
            c.listen.push_back(l);
        }
    }
    if (f.o_proxy->count()) c.proxy = f.proxy;
    if (f.o_ready->count()) c.ready = f.ready;
    if (f.o_ready_timeout->count()) { HS_TRY(d, parse_flag_duration("--ready-timeout", f.ready_timeout)); c.ready_timeout = d; }
    if (f.o_probation->count()) { HS_TRY(d, parse_flag_duration("--probation", f.probation)); c.probation = d; }
    if (f.o_stop_signal->count()) {
        auto sig = parse_signal(f.stop_signal);
        if (!sig) return sig.error().with_context("--stop-signal");
        c.stop_signal = *sig;
    }
    if (f.o_drain_timeout->count()) { HS_TRY(d, parse_flag_duration("--drain-timeout", f.drain_timeout)); c.drain_timeout = d; }
    if (f.o_events->count()) c.events = f.events;
    if (f.o_no_listen_pid->count()) c.listen_pid = false;
    if (f.o_restart->count()) {
        auto policy = parse_restart_policy(f.restart);
        if (!policy) return policy.error().with_context("--restart");
        c.restart = *policy;
    }
    if (f.o_quiet->count()) c.verbosity = Verbosity::Quiet;
    if (f.o_verbose->count()) c.verbosity = Verbosity::Verbose;
    if (f.o_json->count()) c.json = true;
    return {};
}

}  // namespace

std::variant<CommandLine, int> parse_command_line(int argc, char** argv) {
    // Everything after the first `--` is the command, taken verbatim (never re-parsed as flags).
    std::vector<std::string> args;
    CommandLine line;
    bool in_command = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (in_command) line.command.emplace_back(a);
        else if (a == "--") in_command = true;
        else args.emplace_back(a);
    }

    // Shared with `apply`: the Flags hold pointers to its options, asked for their counts after we return.
    auto app_owner = std::make_shared<CLI::App>(
        "hotswap: rebuilds and swaps a running server on every change, without dropping a request.", "hotswap");
    CLI::App& app = *app_owner;
    app.set_version_flag("--version", std::string(HOTSWAP_VERSION));
    app.fallthrough();
    app.require_subcommand(0, 1);
    app.footer("Every flag has a hotswap.toml key of the same name. Durations: 500ms, 10s, 2m.\n"
               "Exit status: 0 success; 1 a runtime failure (cannot start; a reload or rollback that did not end "
               "with the new version serving; status --ready with nothing serving); 2 a usage or configuration "
               "error; 3 no running hotswap could be reached for this directory.");

    auto f = std::make_shared<Flags>();
    std::string config_file;
    auto* o_config = app.add_option("-c,--config", config_file, "config file (default ./hotswap.toml when present)");
    f->o_watch = app.add_option("-w,--watch", f->watch, "watch this path (repeatable; default .)");
    f->o_ext = app.add_option("-e,--ext", f->ext, "only these extensions trigger, e.g. go,tmpl");
    f->o_ignore = app.add_option("-i,--ignore", f->ignore, "ignore paths matching GLOB (gitignore syntax, repeatable)");
    f->o_poll = app.add_option("--poll", f->poll, "poll every MS instead of using inotify (default 500)")
                    ->expected(0, 1);
    f->o_debounce = app.add_option("--debounce", f->debounce, "settle window in ms (default 50)");
    f->o_build = app.add_option("-b,--build", f->build, "build command (shell syntax runs through /bin/sh); none: restart only");
    f->o_build_timeout = app.add_option("--build-timeout", f->build_timeout, "kill a build running longer than this");
    f->o_build_nice = app.add_option("--build-nice", f->build_nice,
                                     "run the build N nice steps below hotswap (0-19, default 10; 0: same priority; idle: only on "
                                     "CPU time nothing else wants)");
    f->o_artifact = app.add_option("--artifact", f->artifact, "the build's output binary (serve: the binary to upgrade to)");
    f->o_verify_key = app.add_option("--verify-key", f->verify_key,
                                     "run only binaries with a valid BINARY.minisig by this minisign public key "
                                     "(a .pub file, or the base64 key)");
    f->o_listen = app.add_option("-l,--listen", f->listen, "[NAME=]ADDR to listen on and pass to the app (repeatable)");
    f->o_proxy = app.add_option("--proxy", f->proxy,
                                "proxy mode: listen on ADDR, forward to the generation's $PORT (for apps that bind a port)");
    f->o_ready = app.add_option("--ready", f->ready, "notify | http:URL | tcp:ADDR | log:REGEX | delay:MS");
    f->o_ready_timeout = app.add_option("--ready-timeout", f->ready_timeout, "default 30s");
    f->o_probation = app.add_option("--probation", f->probation, "default 5s");
    f->o_stop_signal = app.add_option("--stop-signal", f->stop_signal, "default TERM");
    f->o_drain_timeout = app.add_option("--drain-timeout", f->drain_timeout, "default 10s");
    f->o_no_listen_pid = app.add_flag("--no-listen-pid", f->no_listen_pid,
                                      "don't set LISTEN_PID (for commands that fork through a shell)");
    f->o_restart = app.add_option("--restart", f->restart,
                                  "never | on-crash: restart a server that crashes (default on-crash for servers)");
    f->o_events = app.add_option("--events", f->events, "write lifecycle events as JSON lines to FILE or -");
    f->o_quiet = app.add_flag("-q,--quiet", f->quiet, "only hotswap's summaries and the app's output");
    f->o_verbose = app.add_flag("-v,--verbose", f->verbose, "explain every step");
    f->o_json = app.add_flag("--json", f->json, "machine-readable output for status, history, reload");

    struct VerbInfo { const char* name; Verb verb; const char* help; };
    static constexpr VerbInfo kVerbs[] = {
        {"run", Verb::Run, "watch, build, run (the default)"},
        {"serve", Verb::Serve, "production: upgrade on SIGHUP, `hotswap reload` or a replaced artifact"},
        {"init", Verb::Init, "write hotswap.toml for the project found here"},
        {"status", Verb::Status, "show the running supervisor's generations"},
        {"reload", Verb::Reload, "rebuild and swap now; exit 0 once the new version serves"},
        {"rollback", Verb::Rollback, "serve the previous good build again"},
        {"history", Verb::History, "list builds and their outcomes"},
        {"stop", Verb::Stop, "stop the supervisor and its app"},
    };
    std::vector<std::pair<CLI::App*, Verb>> verbs;
    for (const auto& v : kVerbs) verbs.emplace_back(app.add_subcommand(v.name, v.help)->fallthrough(), v.verb);
    // Options that belong to one verb only.
    bool ready_check = false, force = false;
    std::string rollback_target;
    for (auto [sub, verb] : verbs) {
        if (verb == Verb::Status) sub->add_flag("--ready", ready_check, "exit 0 only when a generation serves");
        if (verb == Verb::Rollback) sub->add_option("id", rollback_target, "the build to serve (see hotswap history)");
        if (verb == Verb::Init) sub->add_flag("--force", force, "overwrite an existing hotswap.toml");
    }

    std::reverse(args.begin(), args.end());  // CLI11 takes the vector in reverse order
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    for (auto [sub, verb] : verbs)
        if (sub->parsed()) line.verb = verb;
    if (o_config->count()) line.config_file = config_file;
    line.apply = [f, app_owner, ready_check, force, rollback_target](Config& c) {
        c.ready_check = ready_check;
        c.force = force;
        c.rollback_target = rollback_target;
        return apply_flags(*f, c);
    };
    return line;
}

}  // namespace hotswap
