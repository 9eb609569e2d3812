// The forward path of DESIGN.md §1 and §3: a settled change is built, the build output becomes an
// artifact, a new generation starts on the same sockets, and once it is ready it takes over while the old
// one drains.

#include <fmt/core.h>

#include "ready/probe.hpp"
#include "supervise/app_environment.hpp"
#include "supervise/artifact_command.hpp"
#include "supervise/supervisor.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {
int64_t ms(Clock::duration d) { return std::chrono::duration_cast<Duration>(d).count(); }
}  // namespace

void Supervisor::on_changes(ChangeSet changes) {
    if (shutting_down_ || changes.empty()) return;
    Console::get().info(fmt::format("changed: {}", describe_change(changes)), Tone::Dim);
    emit("change", {{"paths", changes.changes.size()}, {"first", describe_change(changes)}});
    begin_upgrade("change");
    reload_started_ = Clock::now();
    if (builder_) {
        emit("build_start", {{"reason", "change"}});
        builder_->request(std::move(changes));
    } else {
        launch_new_build(Duration(0), changes);
    }
}

void Supervisor::on_build_done(BuildResult result) {
    if (shutting_down_) return;
    if (result.outcome != BuildOutcome::Succeeded) {
        emit("build_end", {{"ok", false}, {"duration_ms", result.duration.count()}, {"reason", result.message}});
        Console::get().error(fmt::format("✗ {} after {} · {}", result.message, format_duration(result.duration),
                                         still_serving_note()));
        upgrade_failed(result.message);
        return;
    }
    last_build_time_ = result.duration;
    if (config_.command.empty()) {
        emit("build_end", {{"ok", true}, {"duration_ms", result.duration.count()}});
        Console::get().info(fmt::format("✓ built in {}", format_duration(result.duration)), Tone::Good);
        finish_upgrade(true, "built");
        return;
    }
    launch_new_build(result.duration, result.changes);
}

void Supervisor::launch_new_build(Duration build_time, const ChangeSet& changes) {
    LaunchTarget target;
    target.reason = builder_ ? LaunchReason::Build : LaunchReason::Reload;
    if (artifacts_) {
        // The build's output is copied into the store (checked first in serve mode and with --verify-key);
        // the generation runs the copy, never the output.
        auto artifact = take_artifact(build_time, changes);
        if (!artifact) {
            std::string why = artifact.error().to_string();
            if (builder_) emit("build_end", {{"ok", false}, {"duration_ms", build_time.count()}, {"reason", why}});
            Console::get().error(fmt::format("✗ {} · {}", why, still_serving_note()));
            upgrade_failed(why);
            return;
        }
        target.artifact_id = artifact->id;
        target.artifact_path = artifact->path;
        std::vector<std::string> in_use{artifact->id};
        for (const auto& [id, g] : generations_) in_use.push_back(g->launch.artifact_id);
        artifacts_->prune(in_use);
    }
    if (builder_)
        emit("build_end", {{"ok", true}, {"duration_ms", build_time.count()}, {"artifact", target.artifact_id}});
    if (config_.command.empty()) return;
    // A fresh build says nothing about how the previous one crashed.
    backoff_.reset();
    reload(std::move(target));
}

void Supervisor::reload(LaunchTarget target) {
    if (shutting_down_) return;
    loop_.cancel_timer(restart_timer_);
    restart_timer_ = 0;
    // A generation still starting is superseded by the newer build; its pending reloads carry over.
    for (auto& [id, g] : generations_)
        if (g->state == GenerationState::Starting || g->state == GenerationState::Ready) {
            Console::get().info(fmt::format("{} is superseded by a newer build before it was ready", g->label()), Tone::Dim);
            advance(*g, GenerationEvent::Superseded);
            stop_generation(*g);
        }
    if (overlapping()) {
        spawn_generation(std::move(target));
        return;
    }
    // Restart mode: the port (if any) belongs to the app, so the old one must be gone first.
    bool stopping = false;
    for (auto& [id, g] : generations_) {
        if (g->state == GenerationState::Serving) stop_generation(*g);
        stopping = stopping || g->state == GenerationState::Draining || g->state == GenerationState::Failed;
    }
    if (stopping) launch_when_stopped_ = std::move(target);
    else spawn_generation(std::move(target));
}

void Supervisor::spawn_generation(LaunchTarget target) {
    if (shutting_down_ || config_.command.empty()) return;
    loop_.cancel_timer(restart_timer_);
    restart_timer_ = 0;
    auto g = std::make_unique<Generation>();
    g->id = next_id_++;
    g->launch = std::move(target);

    // 1. The command: with an artifact store, the element naming the build output becomes this
    //    generation's own copy.
    std::vector<std::string> argv = config_.command;
    if (!g->launch.artifact_path.empty()) {
        auto command = command_for_artifact(config_.command, artifact_as_written_, artifact_source_, run_cwd(),
                                            g->launch.artifact_path);
        argv = std::move(command.argv);
        if (!command.replaced && !warned_artifact_not_in_command_) {
            warned_artifact_not_in_command_ = true;
            Console::get().warn(fmt::format(
                "--artifact {} does not appear in the command, which therefore runs the build output itself; "
                "name it in the command, or run \"$HOTSWAP_ARTIFACT\" (the kept copy) from a shell command",
                artifact_as_written_));
        }
    }
    // 2. Its output pipe, environment and fds: exactly stdio and the listeners (proxy mode: a private port).
    if (auto port = give_private_port(*g); !port) {
        Console::get().error(fmt::format("✗ cannot start {}: {}", g->label(), port.error().to_string()));
        upgrade_failed(port.error().to_string());
        return;
    }
    auto pipe = make_pipe();
    if (!pipe) {
        Console::get().error(fmt::format("✗ cannot start {}: {}", g->label(), pipe.error().to_string()));
        upgrade_failed(pipe.error().to_string());
        return;
    }
    AppEnvironment env;
    env.extra = config_.env;
    env.listen_names = listen_names_;
    if (notify_) env.notify_socket = notify_->path();
    env.generation = g->id;
    env.artifact = g->launch.artifact_path.string();
    env.port = g->private_port;

    SpawnSpec spec;
    spec.argv = std::move(argv);
    spec.env = build_app_environment(env);
    spec.cwd = run_cwd().string();
    for (const auto& l : listeners_) spec.listen_fds.push_back(l.fd());
    spec.set_listen_pid = fd_mode() && config_.listen_pid;
    spec.output_fd = pipe->write.get();
    spec.unblock = &loop_.blocked_signals();

    // 3. Fork and exec; an exec failure is a failed start like any other.
    auto process = Process::spawn(spec);
    pipe->write.reset();
    if (!process) {
        std::string why = process.error().to_string();
        Console::get().error(fmt::format("✗ {}: {} · {}", g->label(), why, still_serving_note()));
        mark_artifact(*g, ArtifactOutcome::Bad, why);
        emit("exit", {{"generation", g->id}, {"artifact", g->launch.artifact_id}, {"reason", why}, {"state", "starting"}});
        upgrade_failed(why);
        return;
    }
    g->process = std::move(*process);
    g->spawned_at = Clock::now();
    const int id = g->id;
    Generation* raw = g.get();
    auto reader = OutputReader::create(loop_, std::move(pipe->read), [raw](std::string_view line) {
        Console::get().child_line(Source::App, raw->id, line);
        raw->remember(line);
        if (raw->probe) raw->probe->on_output_line(line);
    });
    if (reader) g->output = std::move(*reader);
    if (auto r = loop_.watch_child(g->process.pid(), g->process.pidfd(), [this, id](int st) { on_exit(id, st); }); !r)
        Console::get().warn(fmt::format("{}: {}", g->label(), r.error().to_string()));
    generations_[id] = std::move(g);
    Console::get().debug(fmt::format("{} started (pid {}, {})", raw->label(), raw->process.pid(), to_string(raw->launch.reason)));
    emit("spawn", {{"generation", id},
                   {"pid", raw->process.pid()},
                   {"artifact", raw->launch.artifact_id},
                   {"reason", to_string(raw->launch.reason)}});

    // 4. Restart mode has no overlap to protect: the app serves as soon as it runs.
    if (!overlapping()) {
        switch_to(*raw);
        return;
    }
    // 5. fd and proxy mode: it serves once the probe says so, within ready_timeout.
    raw->probe = make_probe(loop_, readiness_for(*raw), ProbeTarget{raw->process.pid()});
    raw->probe->start([this, id] { loop_.post([this, id] { on_ready(id); }); });
    raw->ready_timer = loop_.add_timer(config_.ready_timeout, [this, id] { on_ready_timeout(id); });
}

void Supervisor::on_ready(int id) {
    Generation* g = find(id);
    if (!g || g->state != GenerationState::Starting || shutting_down_) return;
    loop_.cancel_timer(g->ready_timer);
    g->ready_timer = 0;
    g->ready_at = Clock::now();
    advance(*g, GenerationEvent::ProbeReady);
    emit("ready", {{"generation", id}, {"pid", g->process.pid()}, {"ready_ms", ms(g->ready_at - g->spawned_at)}});
    switch_to(*g);
}

void Supervisor::switch_to(Generation& g) {
    // The switch: the new generation already accepts from the shared socket; the old one may now stop.
    Generation* old = serving();
    advance(g, GenerationEvent::Switch);
    route_to(g);  // proxy mode: new connections go to it from now on
    g.serving_since = Clock::now();
    if (old && old->favored) favor(g);  // the old one drains now: the new one serves first
    if (g.ready_at == Clock::time_point{}) g.ready_at = g.serving_since;
    g.probe.reset();

    const auto total = g.serving_since - reload_started_;
    const Duration build = last_build_time_.value_or(Duration(0));
    std::string built = last_build_time_ ? fmt::format("built in {} · ", format_duration(build)) : "";
    std::string artifact = g.launch.artifact_id.empty() ? "" : fmt::format(" · build {}", g.launch.artifact_id);
    switch (g.launch.reason) {
        case LaunchReason::Rollback:
        case LaunchReason::RequestedRollback:
            Console::get().info(fmt::format("✓ {} serving {} again (rollback) · ready in {}{}", g.label(),
                                            g.artifact_label(), format_duration(g.ready_at - g.spawned_at),
                                            old ? fmt::format(" · {} draining", old->label()) : ""),
                                Tone::Good);
            break;
        case LaunchReason::Restart:
            Console::get().info(fmt::format("✓ {} serving again after a restart · ready in {}", g.label(),
                                            format_duration(g.ready_at - g.spawned_at)),
                                Tone::Good);
            break;
        case LaunchReason::Build:
        case LaunchReason::Reload:
            if (overlapping())
                Console::get().info(fmt::format("✓ {} serving · {}ready in {}{}{}", g.label(), built,
                                                format_duration(g.ready_at - g.spawned_at),
                                                old ? fmt::format(" · {} draining", old->label()) : "", artifact),
                                    Tone::Good);
            else
                Console::get().info(fmt::format("✓ {} started · {}restarted in {}{}", g.label(), built,
                                                format_duration(std::chrono::duration_cast<Duration>(total) - build),
                                                artifact),
                                    Tone::Good);
            break;
    }
    last_reload_ = {{"generation", g.id},
                    {"reason", to_string(g.launch.reason)},
                    {"artifact", g.launch.artifact_id},
                    {"build_ms", build.count()},
                    {"ready_ms", ms(g.ready_at - g.spawned_at)},
                    {"total_ms", ms(total)}};
    emit("switch", {{"generation", g.id},
                    {"pid", g.process.pid()},
                    {"artifact", g.launch.artifact_id},
                    {"previous", old ? old->id : 0},
                    {"build_ms", build.count()},
                    {"ready_ms", ms(g.ready_at - g.spawned_at)},
                    {"total_ms", ms(total)}});
    last_build_time_.reset();

    // Probation: a server that dies soon after taking over is a bad build (DESIGN.md §3).
    if (is_server() && config_.probation.count() > 0) {
        g.on_probation = true;
        const int id = g.id;
        g.probation_timer = loop_.add_timer(config_.probation, [this, id] { end_probation(id); });
    } else {
        mark_artifact(g, ArtifactOutcome::Good);
    }
    // The attempt ends here, or waits for this generation's probation (before the old one's probation is
    // cut short below, which must not be taken for the end of this one).
    upgrade_switched(g);
    if (old) {
        // It served until it was replaced: as good as a build gets without finishing probation.
        if (old->on_probation) end_probation(old->id);
        stop_generation(*old);
    }
}

void Supervisor::on_ready_timeout(int id) {
    Generation* g = find(id);
    if (!g || g->state != GenerationState::Starting) return;
    g->ready_timer = 0;
    advance(*g, GenerationEvent::ReadyTimeout);
    std::string waited = g->probe ? g->probe->describe() : to_string(ready_);
    std::string why = fmt::format("{} was not ready within {} (waited for {})", g->label(),
                                  format_duration(config_.ready_timeout), waited);
    Console::get().error(fmt::format("✗ {} · {}", why, still_serving_note()));
    mark_artifact(*g, ArtifactOutcome::Bad, why);
    emit("exit", {{"generation", id}, {"pid", g->process.pid()}, {"artifact", g->launch.artifact_id},
                  {"reason", "not ready in time"}, {"state", "starting"}});
    stop_generation(*g);
    upgrade_failed(why);
}

void Supervisor::on_notify(const NotifyServer::Message& message) {
    // Only the generation's own process group is believed: a process elsewhere that learned the socket's
    // path cannot declare a generation ready.
    pid_t group = process_group_of(message.sender);
    for (auto& [id, g] : generations_) {
        if (g->process.pid() != group || !g->process.running()) continue;
        if (message.status) Console::get().info(fmt::format("{} status: {}", g->label(), *message.status), Tone::Dim);
        if (message.ready && g->probe) g->probe->on_notify_ready();
        return;
    }
    Console::get().debug(fmt::format("ignored a notify message from pid {}: not part of any generation", message.sender));
}

}  // namespace hotswap
