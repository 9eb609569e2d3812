// Stopping that always finishes (DESIGN.md §3): the stop signal to the whole process group, SIGKILL of
// the group (and of descendants that left it) after drain_timeout, and for hotswap itself: every
// generation stopped that way, every leftover killed, exit 0.

#include <signal.h>
#include <unistd.h>

#include <fmt/core.h>

#include "proc/orphan_guard.hpp"
#include "ready/probe.hpp"
#include "supervise/leftovers.hpp"
#include "supervise/supervisor.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {
// How often, and how many times, shutdown looks again for killed leftovers to be reaped.
constexpr Duration kShutdownPoll{20};
constexpr int kShutdownPolls = 250;
}  // namespace

void Supervisor::stop_generation(Generation& g) {
    if (g.stop_requested()) return;
    if (g.state != GenerationState::Failed) advance(g, GenerationEvent::Stop);
    g.stop_requested_at = Clock::now();
    loop_.cancel_timer(g.ready_timer);
    loop_.cancel_timer(g.probation_timer);
    g.ready_timer = g.probation_timer = 0;
    g.on_probation = false;
    g.probe.reset();
    // The whole group: a `sh -c` wrapper or a worker pool gets the signal too, as with Ctrl-C in a terminal.
    (void)g.process.signal_group(config_.stop_signal);
    emit("drain", {{"generation", g.id}, {"pid", g.process.pid()}, {"artifact", g.launch.artifact_id},
                   {"signal", signal_name(config_.stop_signal)}, {"drain_timeout_ms", config_.drain_timeout.count()}});
    const int id = g.id;
    g.kill_timer = loop_.add_timer(config_.drain_timeout, [this, id] { on_drain_timeout(id); });
}

void Supervisor::on_drain_timeout(int id) {
    Generation* g = find(id);
    if (!g) return;
    g->kill_timer = 0;
    Console::get().warn(fmt::format("{} did not stop within {} of {}: killing it", g->label(),
                                    format_duration(config_.drain_timeout), signal_name(config_.stop_signal)));
    // Descendants that left the group first, while they can still be found below the leader.
    for (pid_t pid : escaped_descendants(ProcessTree::snapshot(), g->process.pid())) ::kill(pid, SIGKILL);
    (void)g->process.signal_group(SIGKILL);
    emit("kill", {{"generation", id}, {"pid", g->process.pid()}, {"reason", "drain timeout"}});
}

void Supervisor::shutdown(int signo) {
    if (shutting_down_) {
        Console::get().warn("second stop request: killing everything now");
        for (auto& [id, g] : generations_) (void)g->process.signal_group(SIGKILL);
        kill_leftovers(true);
        if (builder_) builder_.reset();
        loop_.stop(0);
        return;
    }
    shutting_down_ = true;
    Console::get().info(fmt::format("{} received: stopping", signal_name(signo)), Tone::Dim);
    loop_.cancel_timer(restart_timer_);
    restart_timer_ = 0;
    launch_when_stopped_.reset();
    // Proxy mode: no new connections; those open finish with their generation's drain.
    if (proxy_) proxy_->clear_upstream();
    if (builder_) builder_->abort();
    for (auto& [id, g] : generations_) stop_generation(*g);
    finish_upgrade(false, "hotswap is stopping");
    finish_shutdown_if_done();
}

void Supervisor::finish_shutdown_if_done() {
    if (!generations_.empty()) return;
    if (builder_ && builder_->busy()) {
        // The build's exit arrives later; check again then.
        loop_.add_timer(kShutdownPoll, [this] { finish_shutdown_if_done(); });
        return;
    }
    // Orphans that escaped their generation's group, traced or not: none may outlive hotswap. Killed ones
    // are reaped by the event loop; look again until none is left (bounded: SIGKILL cannot be refused).
    auto children = direct_children(::getpid());
    if (!children) children = ProcessTree::snapshot().children_of(::getpid());
    std::erase(*children, OrphanGuard::running_pid());  // it leaves after hotswap, on its own
    if (!children->empty() && ++shutdown_checks_ < kShutdownPolls) {
        kill_leftovers(true);
        loop_.add_timer(kShutdownPoll, [this] { finish_shutdown_if_done(); });
        return;
    }
    Console::get().info("stopped", Tone::Dim);
    loop_.stop(0);
}

}  // namespace hotswap
