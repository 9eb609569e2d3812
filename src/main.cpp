// hotswap: parse the command line and config, wire the parts, run the loop.

#include <sys/prctl.h>
#include <sys/signalfd.h>

#include <csignal>
#include <cstdio>

#include <fmt/core.h>

#include "config/config.hpp"
#include "core/event_loop.hpp"
#include "supervise/supervisor.hpp"
#include "ui/console.hpp"

using namespace hotswap;

namespace {

int run_supervisor(Config config) {
    const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    auto loop = EventLoop::create(signals);
    if (!loop) {
        fmt::print(stderr, "hotswap: {}\n", loop.error().to_string());
        return 1;
    }
    // Grandchildren that leave their group are re-parented to us, so they are reaped and can be killed.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);

    Supervisor supervisor(**loop, std::move(config));
    for (int s : {SIGINT, SIGTERM, SIGQUIT})
        (*loop)->on_signal(s, [&supervisor](const signalfd_siginfo& info) { supervisor.shutdown(int(info.ssi_signo)); });
    if (auto r = supervisor.start(); !r) {
        Console::get().error(fmt::format("cannot start: {}", r.error().to_string()));
        return 1;
    }
    return (*loop)->run();
}

}  // namespace

int main(int argc, char** argv) {
    ConfigOutcome outcome = load_config(argc, argv);
    if (!outcome.config) return outcome.exit_code;
    Config& config = *outcome.config;
    Console::get().configure(config.verbosity);

    switch (config.verb) {
        case Verb::Run:
            return run_supervisor(std::move(config));
        default:
            fmt::print(stderr, "hotswap: this command is not available yet in this version\n");
            return 2;
    }
}
