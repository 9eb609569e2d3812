// The forward path of DESIGN.md §1 and §3 (a settled change is built, the build output becomes an
// artifact, a new generation starts on the same sockets, and once it is ready it takes over while the old
// one drains) and the exit dispatch (what an exit means comes from decide_exit(); this carries it out).

#include "supervise/supervisor.hpp"

#include <sys/wait.h>

#include <fmt/core.h>

#include "ready/probe.hpp"
#include "ready/process_group.hpp"
#include "supervise/app_environment.hpp"
#include "ui/console.hpp"
#include "ui/lifecycle_lines.hpp"

namespace hotswap {

// ---- change → build → artifact

void Supervisor::on_changes(ChangeSet changes) {
    if (shutting_down_ || changes.empty()) return;
    // Stylesheets alone, with live reload: the pages swap them in place; nothing to build or restart.
    if (traffic_.swap_stylesheets(changes)) return;
    emit_event(events_, event::Change{.paths = changes.changes.size(), .first = describe_change(changes)});
    begin_upgrade("change");
    build_or_launch(std::move(changes), "change");
}

void Supervisor::on_artifact_replaced(ChangeSet changes) {
    if (shutting_down_ || changes.empty()) return;
    // Only a whole new file starts an upgrade: a removal, a file still being written or the same bytes again
    // do not.
    if (auto skip = artifacts_.skip_replaced()) {
        const std::string note = still_serving_note(generations_.serving_id(), NextAttempt::Deploy);
        if (skip->quiet) Console::get().debug(skip->why);
        else if (skip->gone) Console::get().info(fmt::format("{}; {}; a new binary put there is taken", skip->why, note), Tone::Dim);
        else Console::get().info(skip->why, Tone::Dim);
        return;
    }
    emit_event(events_, event::Change{.paths = changes.changes.size(), .first = artifacts_.shown(), .binary = true});
    begin_upgrade("artifact");
    last_build_time_.reset();
    launch_new_build(Duration(0), changes);
}

void Supervisor::begin_upgrade(std::string_view trigger, std::string_view action) {
    generations_.favor_serving(traffic_.overlapping());  // work starts now, whether or not an attempt is open
    upgrade_.begin(trigger, action);
    reload_started_ = Clock::now();
}

void Supervisor::build_or_launch(ChangeSet changes, std::string_view reason) {
    if (builder_) {
        emit_event(events_, event::BuildStart{.reason = std::string(reason), .command = config_.build_cmd});
        builder_->request(std::move(changes));
    } else {
        launch_new_build(Duration(0), changes);
    }
}

void Supervisor::on_build_done(BuildResult result) {
    if (shutting_down_) return;
    if (result.outcome != BuildOutcome::Succeeded) {
        emit_event(events_, event::BuildEnd{.ok = false, .duration_ms = result.duration.count(), .reason = result.message,
                                            .still_serving = generations_.serving_id(), .tail = std::move(result.tail)});
        upgrade_.failed(result.message, newer_on_the_way());
        return;
    }
    last_build_time_ = result.duration;
    if (config_.command.empty()) {
        emit_event(events_, event::BuildEnd{.ok = true, .duration_ms = result.duration.count()});
        upgrade_.finish(true, "built");
        return;
    }
    launch_new_build(result.duration, result.changes);
}

void Supervisor::launch_new_build(Duration build_time, const ChangeSet& changes) {
    LaunchTarget target;
    target.reason = builder_ ? LaunchReason::Build : LaunchReason::Reload;
    if (artifacts_.kept()) {
        // The build's output is copied into the store (checked first in serve mode and with --verify-key);
        // the generation runs the copy, never the output.
        auto artifact = artifacts_.take(build_time, changes);
        if (!artifact) {
            const std::string why = artifact.error().to_string();
            const int serving = generations_.serving_id();
            emit_event(events_, event::Refused{.artifact = artifacts_.shown(), .reason = why, .still_serving = serving});
            if (builder_)
                emit_event(events_, event::BuildEnd{.ok = false, .duration_ms = build_time.count(), .reason = why,
                                                    .refused = true, .still_serving = serving});
            fail_step(why);
            return;
        }
        target.artifact_id = artifact->id;
        target.artifact_path = artifact->path;
        std::vector<std::string> in_use{artifact->id};
        for (const auto& [id, g] : generations_.all()) in_use.push_back(g->launch.artifact_id);
        artifacts_.prune(in_use);
    }
    if (builder_)
        emit_event(events_, event::BuildEnd{.ok = true, .duration_ms = build_time.count(), .artifact = target.artifact_id});
    if (config_.command.empty()) return;
    backoff_.reset();  // a fresh build says nothing about how the previous one crashed
    reload(std::move(target));
}

// ---- spawn → ready → switch

void Supervisor::reload(LaunchTarget target) {
    if (shutting_down_) return;
    restart_timer_.cancel();
    // A generation still starting is superseded by the newer build; its pending reloads carry over.
    for (auto& [id, g] : generations_.all())
        if (g->state == GenerationState::Starting || g->state == GenerationState::Ready) {
            if (promotion_.generation() == id) promotion_.cancel();
            generations_.advance(*g, GenerationEvent::Superseded);
            generations_.stop(*g, "superseded");
        }
    if (traffic_.overlapping()) {
        spawn_generation(std::move(target));
        return;
    }
    // Restart mode: the port (if any) belongs to the app, so the old one must be gone first.
    bool stopping = false;
    for (auto& [id, g] : generations_.all()) {
        if (g->state == GenerationState::Serving) generations_.stop(*g, "replaced");
        stopping = stopping || g->state == GenerationState::Draining || g->state == GenerationState::Failed;
    }
    if (stopping) launch_when_stopped_ = std::move(target);
    else spawn_generation(std::move(target));
}

void Supervisor::spawn_generation(LaunchTarget target) {
    if (shutting_down_ || config_.command.empty()) return;
    restart_timer_.cancel();
    auto g = generations_.make(std::move(target));
    // 1. Its command (with an artifact store, the element naming the build output becomes the generation's
    //    own copy), environment and fds: exactly stdio and the listeners (proxy: a private port).
    std::vector<std::string> argv = artifacts_.command_for(g->launch, run_cwd());
    if (auto port = traffic_.give_private_port(*g); !port) {
        const std::string why = port.error().to_string();
        emit_event(events_, failed_start(*g, why, fmt::format("cannot start {}: {}", g->label(), why)));
        fail_step(why);  // no fault of the build's: its artifact is not marked
        return;
    }
    AppEnvironment env;
    env.extra = config_.env;
    env.listen_names = traffic_.listen_names(*g);
    if (notify_) env.notify_socket = notify_->path();
    env.generation = g->id;
    env.artifact = g->launch.artifact_path.string();
    env.port = g->private_port;
    SpawnSpec spec;
    spec.argv = std::move(argv);
    spec.env = build_app_environment(env);
    spec.cwd = run_cwd().string();
    spec.listen_fds = traffic_.listen_fds(*g);
    spec.set_listen_pid = traffic_.sets_listen_pid(*g);
    spec.unblock = &loop_.blocked_signals();

    // 2. Fork and exec, with an output pipe of its own; an exec failure is a failed start like any other.
    const int id = g->id;
    Generation* at = g.get();  // stays where it is: the Generations own it through a unique_ptr
    auto child = drivers_.spawn_app(loop_, std::move(spec), Generation::kTailLines,
                                    {[at](std::string_view line) {
                                         Console::get().child_line(Source::App, at->id, line);
                                         if (at->probe) at->probe->on_output_line(line);
                                     },
                                     [this, id](int wait_status) { on_exit(id, wait_status); }});
    if (!child) {
        const std::string why = child.error().to_string();
        emit_event(events_, failed_start(*g, why, fmt::format("{}: {}", g->label(), why)));
        fail_step(why, g.get());
        return;
    }
    g->child = std::move(*child);
    g->spawned_at = Clock::now();
    traffic_.spawned(*g);
    Generation& raw = generations_.add(std::move(g));
    if (const auto& watch = raw.child->exit_watch(); !watch)
        Console::get().warn(fmt::format("{}: {}", raw.label(), watch.error().to_string()));
    emit_event(events_, event::Spawn{.generation = id, .pid = raw.pid(), .artifact = raw.launch.artifact_id,
                                     .reason = to_string(raw.launch.reason)});

    // 3. Restart mode has no overlap to protect: the app serves as soon as it runs.
    if (!traffic_.overlapping()) {
        switch_to(raw);
        return;
    }
    // 4. fd and proxy mode: it serves once the probe says so, within ready_timeout.
    raw.probe = make_probe(loop_, traffic_.readiness_for(raw), ProbeTarget{raw.pid()});
    raw.probe->start([this, id] { loop_.post([this, id] { on_ready(id); }); });
    raw.ready_timer = loop_.after(config_.ready_timeout, [this, id] { on_ready_timeout(id); });
}

void Supervisor::on_ready(int id) {
    Generation* g = generations_.find(id);
    if (!g || g->state != GenerationState::Starting || shutting_down_) return;
    g->ready_timer.cancel();
    g->ready_at = Clock::now();
    generations_.advance(*g, GenerationEvent::ProbeReady);
    emit_event(events_, event::Ready{.generation = id, .pid = g->pid(), .ready_ms = whole_ms(g->ready_at - g->spawned_at)});
    // Check, shadow, shift: each that applies before it takes over (at once when none does).
    promotion_.start(*g, generations_.serving(), [this, id](bool ok, std::string why) { on_promoted(id, ok, why); });
}

void Supervisor::on_promoted(int id, bool ok, const std::string& why) {
    Generation* g = generations_.find(id);
    if (!g || g->state != GenerationState::Ready || shutting_down_) return;
    if (ok) {
        switch_to(*g);
        return;
    }
    // Turned down: no user request reaches it any more, the old version serves on, its build is bad.
    generations_.advance(*g, GenerationEvent::Refused);
    generations_.stop(*g, "refused");
    fail_step(why, g);
}

void Supervisor::switch_to(Generation& g) {
    // The switch: the new generation already accepts from the shared socket; the old one may now stop.
    Generation* old = generations_.serving();
    generations_.advance(g, GenerationEvent::Switch);
    traffic_.route_to(g);  // proxy mode: new connections go to it from now on
    g.serving_since = Clock::now();
    if (old && old->favored) generations_.favor(g, traffic_.overlapping());  // the old one drains: the new one serves first
    if (g.ready_at == Clock::time_point{}) g.ready_at = g.serving_since;
    g.probe.reset();

    const event::Switch switched{.generation = g.id, .pid = g.pid(), .artifact = g.launch.artifact_id,
                                 .previous = old ? old->id : 0, .build_ms = last_build_time_.value_or(Duration(0)).count(),
                                 .ready_ms = whole_ms(g.ready_at - g.spawned_at),
                                 .total_ms = whole_ms(g.serving_since - reload_started_),
                                 .reason = to_string(g.launch.reason), .mode = traffic_.mode()};
    last_reload_ = event_fields(switched);  // for status
    emit_event(events_, switched);
    last_build_time_.reset();

    // Probation: a server that dies soon after taking over is a bad build (DESIGN.md §3).
    if (is_server() && config_.probation.count() > 0) {
        g.on_probation = true;
        const int id = g.id;
        g.probation_timer = loop_.after(config_.probation, [this, id] { end_probation(id); });
    } else {
        artifacts_.mark(g, ArtifactOutcome::Good);
    }
    // The attempt ends here, or waits for this generation's probation (before the old one's probation is
    // cut short below, which must not be taken for the end of this one).
    upgrade_.switched(g);
    if (old) {
        // It served until it was replaced: as good as a build gets without finishing probation.
        if (old->on_probation) end_probation(old->id);
        generations_.stop(*old, "replaced");
    }
}

void Supervisor::on_ready_timeout(int id) {
    Generation* g = generations_.find(id);
    if (!g || g->state != GenerationState::Starting) return;
    generations_.advance(*g, GenerationEvent::ReadyTimeout);
    const std::string why = fmt::format("{} was not ready within {} (waited for {})", g->label(),
                                        format_duration(config_.ready_timeout),
                                        g->probe ? g->probe->describe() : to_string(traffic_.readiness()));
    emit_event(events_, failed_start(*g, "not ready in time", why));
    generations_.stop(*g, "not-ready");
    fail_step(why, g);
}

void Supervisor::on_notify(const NotifyServer::Message& message) {
    // Only the generation's own process group is believed: a process elsewhere that learned the socket's
    // path cannot declare a generation ready.
    pid_t group = process_group_of(message.sender);
    for (auto& [id, g] : generations_.all()) {
        if (g->pid() != group || !g->running()) continue;
        if (message.status) Console::get().info(fmt::format("{} status: {}", g->label(), *message.status), Tone::Dim);
        if (message.ready && g->probe) g->probe->on_notify_ready();
        return;
    }
    Console::get().debug(fmt::format("ignored a notify message from pid {}: not part of any generation", message.sender));
}

event::Exit Supervisor::failed_start(const Generation& g, std::string_view reason, std::string message) const {
    return event::Exit{.generation = g.id, .pid = g.pid(), .artifact = g.launch.artifact_id, .state = "starting",
                       .reason = std::string(reason), .uptime_ms = since(g.spawned_at).count(),
                       .message = std::move(message), .tail = g.tail(), .still_serving = generations_.serving_id(),
                       .is_server = is_server()};
}

void Supervisor::fail_step(std::string_view why, const Generation* g) {
    if (g) artifacts_.mark(*g, ArtifactOutcome::Bad, std::string(why));
    upgrade_.failed(why, newer_on_the_way());
}

// ---- exits

void Supervisor::on_exit(int id, int wait_status) {
    std::unique_ptr<Generation> g = generations_.remove(id);
    if (!g) return;
    // 0. A promotion it was part of ends: its own (it was turned down by dying), or the one replacing it,
    //    which takes over at once, since nothing else serves now.
    const char* promoted_pass = promotion_.generation() == id ? promotion_.pass() : "";
    Generation* successor_ready = nullptr;
    if (promotion_.generation() == id) promotion_.cancel();
    else if (promotion_.generation() != 0 && promotion_.serving_id() == id) {
        successor_ready = generations_.find(promotion_.generation());
        promotion_.cancel();
    }
    // 1. Its Child has delivered its last lines (they come before the verdict) and killed what was left in
    //    its group.
    traffic_.unroute(*g);  // proxy mode: new connections wait for the next generation instead of meeting a closed port

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
    facts.rollback_target = artifacts_.rollback_target(g->launch.artifact_id).has_value();
    const ExitAction action = decide_exit(facts);
    generations_.advance(*g, GenerationEvent::Exited);

    // 3. Whatever it left behind outside its group (orphans re-parented to us) goes too.
    leftovers_.reap(generations_, builder_ && builder_->busy() ? builder_->pid() : 0, false);
    const Generation* next = generations_.starting();  // a newer build on its way in
    const bool failed_start = action == ExitAction::ReportFailedStart;
    event::Exit exit{.generation = g->id, .pid = g->pid(), .artifact = g->launch.artifact_id, .state = to_string(was),
                     .status = how, .uptime_ms = since(g->spawned_at).count(), .action = to_string(action),
                     .message = !failed_start ? ""
                                : *promoted_pass ? fmt::format("{} exited during its {} before the switch ({})", g->label(),
                                                               std::string_view(promoted_pass) == "shift" ? "traffic shift" : promoted_pass, how)
                                                 : fmt::format("{} exited before it was ready ({})", g->label(), how),
                     .tail = failed_start ? g->tail() : std::vector<std::string>{},
                     .still_serving = generations_.serving_id(), .successor = next ? next->id : 0,
                     .is_crash = facts.crashed, .is_server = facts.is_server};
    if (g->stop_requested()) exit.stop_ms = since(g->stop_requested_at).count();
    emit_event(events_, exit);

    // 4. Carry the verdict out.
    switch (action) {
        case ExitAction::None:
            break;
        case ExitAction::ReportFailedStart:
            fail_step(exit.message, g.get());
            break;
        case ExitAction::Rollback:
        case ExitAction::Restart:
            // First, so that an upgrade waiting for this generation's probation knows a rollback is its end.
            upgrade_.lost(*g, action, how, next != nullptr);
            // A newer build already on its way in takes over instead.
            if (next) artifacts_.mark(*g, ArtifactOutcome::Bad, fmt::format("{} died ({})", g->label(), how));
            else if (action == ExitAction::Rollback) roll_back(*g, how);
            else schedule_restart(*g, how);
            break;
        case ExitAction::ReportAndWait:
            upgrade_.lost(*g, action, how, next != nullptr);
            break;
    }

    if (successor_ready && successor_ready->state == GenerationState::Ready && !shutting_down_) switch_to(*successor_ready);

    // 5. What was waiting for this exit: hotswap's own stop, restart mode's next generation, and the
    //    serving generation's favor once the reload's work is over.
    unfavor_when_settled();
    if (shutting_down_) finish_shutdown_if_done();
    else launch_after_stop();
}

void Supervisor::end_probation(int id) {
    Generation* g = generations_.find(id);
    if (!g || !g->on_probation) return;
    g->probation_timer.cancel();
    g->on_probation = false;
    artifacts_.mark(*g, ArtifactOutcome::Good);
    Console::get().debug(fmt::format("{} passed probation", g->label()));
    upgrade_.passed_probation(*g);
}

void Supervisor::roll_back(const Generation& failed, const std::string& how) {
    auto target = artifacts_.rollback_target(failed.launch.artifact_id);
    if (!target) return;  // decide_exit() only asks for a rollback when there is a target
    std::string why = fmt::format("{} died {} after taking over ({})", failed.label(),
                                  format_duration(since(failed.serving_since)), how);
    artifacts_.mark(failed, ArtifactOutcome::Bad, why);
    emit_event(events_, event::Rollback{.generation = failed.id, .from = failed.launch.artifact_id,
                                        .to = target->artifact_id, .reason = why});
    // The sockets stay open in hotswap, so connections wait in the shared backlog meanwhile.
    reload(std::move(*target));
}

void Supervisor::schedule_restart(const Generation& crashed, const std::string& how) {
    if (crashed.on_probation)
        artifacts_.mark(crashed, ArtifactOutcome::Bad, fmt::format("{} crashed ({})", crashed.label(), how));
    const Duration uptime = since(crashed.spawned_at);
    const Duration delay = backoff_.next_delay(uptime);
    ++restarts_;
    const std::vector<std::string> tail = crashed.tail();
    LaunchTarget target = crashed.launch;
    target.reason = LaunchReason::Restart;
    emit_event(events_, event::Restart{.generation = crashed.id, .artifact = target.artifact_id,
                                       .delay_ms = delay.count(), .attempt = backoff_.attempts(), .reason = how,
                                       .uptime_ms = uptime.count(), .last_output = tail.empty() ? "" : tail.back()});
    restart_timer_ = loop_.after(delay, [this, target] {
        if (generations_.serving() || generations_.starting()) return;  // a newer build took over during the wait
        reload(target);
    });
}

void Supervisor::launch_after_stop() {
    if (!launch_when_stopped_ || generations_.any_stopping()) return;
    LaunchTarget next = std::move(*launch_when_stopped_);
    launch_when_stopped_.reset();
    spawn_generation(std::move(next));
}

bool Supervisor::newer_on_the_way() const {
    return (builder_ && builder_->busy()) || generations_.starting() != nullptr || launch_when_stopped_.has_value();
}

void Supervisor::unfavor_when_settled() {
    if (!newer_on_the_way() && !generations_.any_draining()) generations_.unfavor_all();
}

}  // namespace hotswap
