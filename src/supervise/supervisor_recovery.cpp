// What happens when a generation exits: the verdict comes from decide_exit() (lifecycle.hpp); this file
// carries it out: a failed start leaves the old generation serving, a death during probation rolls back to
// the last good artifact, a later crash restarts with backoff, and whatever the generation left behind
// outside its process group is killed.

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <fmt/core.h>
#include <fmt/format.h>

#include "proc/orphan_guard.hpp"
#include "ready/probe.hpp"
#include "supervise/leftovers.hpp"
#include "supervise/supervisor.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {
Duration since(Clock::time_point start) { return std::chrono::duration_cast<Duration>(Clock::now() - start); }
}  // namespace

void Supervisor::on_exit(int id, int wait_status) {
    auto it = generations_.find(id);
    if (it == generations_.end()) return;
    std::unique_ptr<Generation> g = std::move(it->second);
    generations_.erase(it);

    // 1. Collect it: its last lines come before the verdict; anything left in its group dies with it.
    g->process.mark_exited();
    g->exit_status = wait_status;
    unroute(*g);  // proxy mode: new connections wait for the next generation instead of meeting a closed port
    if (g->output) g->output->drain();
    (void)g->process.signal_group(SIGKILL);
    g->process.release();
    loop_.cancel_timer(g->ready_timer);
    loop_.cancel_timer(g->kill_timer);
    loop_.cancel_timer(g->probation_timer);

    // 2. The verdict, from the state it was in.
    const GenerationState was = g->state;
    const std::string how = describe_wait_status(wait_status);
    ExitFacts facts;
    facts.state = was;
    facts.shutting_down = shutting_down_;
    facts.is_server = is_server();
    facts.restart_on_crash = restart_on_crash();
    facts.crashed = !(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0);
    facts.within_probation = g->on_probation;
    facts.was_automatic_rollback = g->launch.reason == LaunchReason::Rollback;
    facts.rollback_target = rollback_target(g->launch.artifact_id).has_value();
    const ExitAction action = decide_exit(facts);
    advance(*g, GenerationEvent::Exited);

    // 3. Whatever it left behind outside its group (orphans re-parented to us) goes too.
    kill_leftovers(false);

    emit("exit", {{"generation", g->id},
                  {"pid", g->process.pid()},
                  {"artifact", g->launch.artifact_id},
                  {"status", how},
                  {"state", to_string(was)},
                  {"uptime_ms", since(g->spawned_at).count()},
                  {"action", to_string(action)}});

    // 4. Carry the verdict out.
    switch (action) {
        case ExitAction::None:
            Console::get().debug(fmt::format("{} stopped ({}){}", g->label(), how,
                                             g->stop_requested() ? fmt::format(" {} after the stop signal",
                                                                               format_duration(since(g->stop_requested_at)))
                                                                 : ""));
            break;
        case ExitAction::ReportFailedStart: {
            std::string why = fmt::format("{} exited before it was ready ({})", g->label(), how);
            Console::get().error(fmt::format("✗ {} · {}", why, still_serving_note()));
            mark_artifact(*g, ArtifactOutcome::Bad, why);
            upgrade_failed(why);
            break;
        }
        case ExitAction::Rollback:
        case ExitAction::Restart:
            // First, so that an upgrade waiting for this generation's probation knows a rollback is its end.
            upgrade_lost(*g, action, how);
            if (const Generation* next = starting()) {
                // A newer build is already on its way in: it takes over instead.
                mark_artifact(*g, ArtifactOutcome::Bad, fmt::format("{} died ({})", g->label(), how));
                Console::get().error(fmt::format("✗ {} died ({}) · {} takes over once it is ready", g->label(), how,
                                                 next->label()));
            } else if (action == ExitAction::Rollback) {
                roll_back(*g, how);
            } else {
                schedule_restart(*g, how);
            }
            break;
        case ExitAction::ReportAndWait:
            upgrade_lost(*g, action, how);
            if (is_server())
                Console::get().error(fmt::format("✗ {} exited ({}) · it starts again at the next change", g->label(), how));
            else
                Console::get().info(fmt::format("{} exited ({}) · it runs again at the next change", g->label(), how),
                                    WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0 ? Tone::Dim : Tone::Bad);
            break;
    }

    // 5. What was waiting for this exit: hotswap's own stop, restart mode's next generation, and the
    //    serving generation's favor once the reload's work is over.
    unfavor_when_settled();
    if (shutting_down_) {
        finish_shutdown_if_done();
        return;
    }
    if (launch_when_stopped_) {
        bool stopping = false;
        for (auto& [gid, other] : generations_) stopping = stopping || other->stop_requested();
        if (!stopping) {
            LaunchTarget next = std::move(*launch_when_stopped_);
            launch_when_stopped_.reset();
            spawn_generation(std::move(next));
        }
    }
}

void Supervisor::end_probation(int id) {
    Generation* g = find(id);
    if (!g || !g->on_probation) return;
    loop_.cancel_timer(g->probation_timer);
    g->probation_timer = 0;
    g->on_probation = false;
    mark_artifact(*g, ArtifactOutcome::Good);
    Console::get().debug(fmt::format("{} passed probation", g->label()));
    upgrade_passed_probation(*g);
}

std::optional<LaunchTarget> Supervisor::rollback_target(std::string_view except_id) const {
    if (!artifacts_) return std::nullopt;
    const Artifact* good = artifacts_->last_good(except_id);
    if (!good) return std::nullopt;
    LaunchTarget target;
    target.artifact_id = good->id;
    target.artifact_path = good->path;
    target.reason = LaunchReason::Rollback;
    return target;
}

void Supervisor::roll_back(const Generation& failed, const std::string& how) {
    auto target = rollback_target(failed.launch.artifact_id);
    if (!target) return;  // decide_exit() only asks for a rollback when there is a target
    std::string why = fmt::format("{} died {} after taking over ({})", failed.label(),
                                  format_duration(since(failed.serving_since)), how);
    mark_artifact(failed, ArtifactOutcome::Bad, why);
    Console::get().error(fmt::format("✗ {} · build {} is marked bad · rolling back to build {}", why,
                                     failed.artifact_label(), target->artifact_id));
    emit("rollback", {{"generation", failed.id},
                      {"from", failed.launch.artifact_id},
                      {"to", target->artifact_id},
                      {"reason", why}});
    // The sockets stay open in hotswap, so connections wait in the shared backlog meanwhile.
    reload(std::move(*target));
}

void Supervisor::schedule_restart(const Generation& crashed, const std::string& how) {
    if (crashed.on_probation) mark_artifact(crashed, ArtifactOutcome::Bad, fmt::format("{} crashed ({})", crashed.label(), how));
    Duration uptime = since(crashed.spawned_at);
    Duration delay = backoff_.next_delay(uptime);
    ++restarts_;
    std::string tail;
    if (!crashed.tail.empty()) tail = fmt::format(" · last output: {}", crashed.tail.back());
    Console::get().error(fmt::format("✗ {} crashed after {} ({}) · restarting in {} (restart {}){}", crashed.label(),
                                     format_duration(uptime), how, format_duration(delay), backoff_.attempts(), tail));
    LaunchTarget target = crashed.launch;
    target.reason = LaunchReason::Restart;
    emit("restart", {{"generation", crashed.id},
                     {"artifact", target.artifact_id},
                     {"delay_ms", delay.count()},
                     {"attempt", backoff_.attempts()},
                     {"reason", how}});
    loop_.cancel_timer(restart_timer_);
    restart_timer_ = loop_.add_timer(delay, [this, target] {
        restart_timer_ = 0;
        if (serving() || starting()) return;  // a newer build took over during the wait
        reload(target);
    });
}

void Supervisor::kill_leftovers(bool everything) {
    LeftoverQuery query;
    query.self = ::getpid();
    query.everything = everything;
    for (const auto& [id, g] : generations_) {
        query.live_generations.insert(id);
        if (g->process.pid() > 0) query.tracked.insert(g->process.pid());
    }
    if (builder_ && builder_->busy()) query.tracked.insert(builder_->pid());
    if (OrphanGuard::running_pid() > 0) query.tracked.insert(OrphanGuard::running_pid());
    // Most of the time every child is one we know: a look at our own children settles it without walking
    // all of /proc.
    if (auto children = direct_children(query.self)) {
        bool untracked = false;
        for (pid_t c : *children) untracked = untracked || !query.tracked.count(c);
        if (!untracked) return;
    }
    auto victims = leftovers_to_kill(ProcessTree::snapshot(), query, generation_from_environment);
    // Killed already and merely not reaped yet: not news.
    std::erase_if(victims, [this](pid_t pid) { return !killed_leftovers_.insert(pid).second; });
    if (victims.empty()) return;
    for (pid_t pid : victims) ::kill(pid, SIGKILL);
    // Reaped by the event loop's SIGCHLD handler like any orphan.
    Console::get().warn(fmt::format("killed {} process{} left behind outside a stopped generation's process group "
                                    "(pid {})",
                                    victims.size(), victims.size() == 1 ? "" : "es", fmt::join(victims, ", ")));
    emit("leftovers", {{"pids", victims}});
}

void Supervisor::mark_artifact(const Generation& g, ArtifactOutcome outcome, std::string reason) {
    if (!artifacts_ || g.launch.artifact_id.empty()) return;
    const Artifact* a = artifacts_->find(g.launch.artifact_id);
    if (!a || a->outcome == outcome) return;
    // A build that once served well stays good when a restart or rollback of it fails: that failure
    // says more about the moment (a port, a disk, a dependency) than about the build.
    bool fresh = g.launch.reason == LaunchReason::Build || g.launch.reason == LaunchReason::Reload;
    if (a->outcome == ArtifactOutcome::Good && outcome == ArtifactOutcome::Bad && !fresh) return;
    artifacts_->mark(g.launch.artifact_id, outcome, std::move(reason));
}

}  // namespace hotswap
