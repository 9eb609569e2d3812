// hotswap: parse the command line and config, then run the verb: supervise (run: watch, build, swap;
// serve: production, swap when the binary is replaced), write a config (init), or talk to the supervisor
// running for this directory (status, reload, rollback, history, stop).

#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include <fmt/core.h>

#include "config/config.hpp"
#include "config/init_project.hpp"
#include "control/control_client.hpp"
#include "control/control_plane.hpp"
#include "core/event_loop.hpp"
#include "proc/orphan_guard.hpp"
#include "supervise/supervisor.hpp"
#include "ui/console.hpp"
#include "ui/keys.hpp"
#include "ui/lifecycle_lines.hpp"

using namespace hotswap;

namespace {

constexpr std::string_view kKeyHelp = "keys: r reload · b rollback · q quit · h help";

// Says how a reload or rollback asked for from here (a key, SIGHUP) ended; the supervisor has already
// printed the details, this is the answer to the request.
ReloadCallback report_outcome(std::string what) {
    return [what = std::move(what)](const ReloadOutcome& outcome) {
        if (outcome.ok) Console::get().info(fmt::format("{}: {}", what, outcome.message), Tone::Dim);
        else Console::get().error(fmt::format("{} did not complete: {}", what, outcome.message));
    };
}

void on_key(char key, ControlPlane& plane) {
    switch (key) {
        case 'r':
        case 'R':
            Console::get().info("r: reloading", Tone::Dim);
            plane.reload("key", report_outcome("reload"));
            break;
        case 'b':
        case 'B':
            Console::get().info("b: rolling back to the previous good build", Tone::Dim);
            plane.rollback("", "key", report_outcome("rollback"));
            break;
        case 'q':
        case 'Q':
            Console::get().info("q: stopping", Tone::Dim);
            plane.stop(SIGTERM);
            break;
        case 'h':
        case 'H':
        case '?':
            Console::get().info(kKeyHelp);
            break;
        default:
            break;  // anything else (Enter, arrows) is not for us
    }
}

int run_supervisor(Config config) {
    // 1. The loop: signals arrive as events, and it reaps every child, adopted orphans included, which is
    //    what PID 1 in a container must do.
    const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    auto loop = EventLoop::create(signals);
    if (!loop) {
        fmt::print(stderr, "hotswap: {}\n", loop.error().to_string());
        return 1;
    }
    // Grandchildren that leave their group are re-parented to us, so they are reaped and can be killed.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    // If hotswap is killed outright, the guard takes every process group it started down with it (declared
    // before the supervisor: it outlives the supervisor's own cleanup).
    auto guard = OrphanGuard::start();
    if (!guard) Console::get().warn(fmt::format("no orphan guard ({}): if hotswap is killed with SIGKILL, "
                                                "processes the app started may keep running", guard.error().to_string()));
    const bool events_on_stdout = config.events == "-";

    // 2. The supervisor, and the control plane before anything binds a port: a second hotswap for the same
    //    directory stops here. The plane hands every lifecycle event to the console's lines, the --events
    //    stream and the service manager.
    Supervisor supervisor(**loop, config);
    LifecycleLines lines(Console::get(), {.next = config.verb == Verb::Serve ? NextAttempt::Deploy : NextAttempt::Save,
                                          .build_only = config.command.empty()});
    auto plane = ControlPlane::create(**loop, supervisor, config, [&lines](const Event& e) { lines.print(e); });
    if (!plane) {
        Console::get().error(fmt::format("cannot start: {}", plane.error().to_string()));
        return 1;
    }
    if (events_on_stdout) {
        // stdout now carries only the JSON events; everything meant for a person goes to stderr.
        ::dup2(STDERR_FILENO, STDOUT_FILENO);
        Console::get().configure(config.verbosity);
    }

    // 3. Keys, when a person is at the terminal.
    auto keys = InteractiveKeys::attach(**loop, STDIN_FILENO, [&plane](char key) { on_key(key, **plane); });
    if (!keys) Console::get().debug(fmt::format("interactive keys off: {}", keys.error().to_string()));
    else if (*keys) Console::get().info(kKeyHelp, Tone::Dim);
    const bool interactive = keys && *keys;

    // 4. Signals: INT/TERM/QUIT drain and exit 0 (a second one kills what is left). HUP upgrades, as
    //    systemd's notify-reload and `kill -HUP` expect, except in a terminal session, where it means the
    //    terminal was closed: then it stops, like any program run from that terminal.
    for (int s : {SIGINT, SIGTERM, SIGQUIT})
        (*loop)->on_signal(s, [&plane](const signalfd_siginfo& info) { (*plane)->stop(int(info.ssi_signo)); });
    (*loop)->on_signal(SIGHUP, [&plane, interactive](const signalfd_siginfo&) {
        if (interactive) (*plane)->stop(SIGHUP);
        else (*plane)->reload("signal", report_outcome("reload (SIGHUP)"));
    });

    // 5. Go.
    if (auto r = supervisor.start(); !r) {
        Console::get().error(fmt::format("cannot start: {}", r.error().to_string()));
        return 1;
    }
    return (*loop)->run();
}

int run_init(const Config& config) {
    auto written = init_project(config.root, config.force);
    if (!written) {
        fmt::print(stderr, "hotswap: {}\n", written.error().to_string());
        return 1;
    }
    fmt::print("{}\n", *written);
    return 0;
}

int run_client(const Config& config) {
    ClientOptions options;
    switch (config.verb) {
        case Verb::Status: options.command = ControlCommand::Status; break;
        case Verb::Reload: options.command = ControlCommand::Reload; break;
        case Verb::Rollback: options.command = ControlCommand::Rollback; break;
        case Verb::History: options.command = ControlCommand::History; break;
        default: options.command = ControlCommand::Stop; break;
    }
    if (!config.rollback_target.empty()) options.artifact = config.rollback_target;
    options.json = config.json;
    options.ready_check = config.ready_check;
    return run_control_client(options);
}

}  // namespace

int main(int argc, char** argv) {
    // hotswap's orphan guard is this binary under another name (see proc/orphan_guard.hpp).
    if (argc == 1 && std::string_view(argv[0]) == hotswap::OrphanGuard::kProgramName)
        hotswap::OrphanGuard::run_guard();
    ConfigOutcome outcome = load_config(argc, argv);
    if (!outcome.config) return outcome.exit_code;
    Config& config = *outcome.config;
    Console::get().configure(config.verbosity);

    switch (config.verb) {
        case Verb::Run:
        case Verb::Serve:
            return run_supervisor(std::move(config));
        case Verb::Init:
            return run_init(config);
        case Verb::Status:
        case Verb::Reload:
        case Verb::Rollback:
        case Verb::History:
        case Verb::Stop:
            break;
    }
    return run_client(config);
}
