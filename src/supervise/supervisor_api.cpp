// The control plane's view of the supervisor (status, history, reload, rollback) and the helpers every
// part of the supervisor shares.

#include <fmt/core.h>

#include "ready/probe.hpp"
#include "supervise/supervisor.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {
int64_t ms_since(Clock::time_point t) {
    if (t == Clock::time_point{}) return 0;
    return std::chrono::duration_cast<Duration>(Clock::now() - t).count();
}
}  // namespace

nlohmann::json Supervisor::status_json() const {
    nlohmann::json generations = nlohmann::json::array();
    for (const auto& [id, g] : generations_)
        generations.push_back({{"id", id},
                               {"state", to_string(g->state)},
                               {"pid", g->process.pid()},
                               {"artifact", g->launch.artifact_id},
                               {"reason", to_string(g->launch.reason)},
                               {"uptime_ms", ms_since(g->spawned_at)},
                               {"serving_ms", ms_since(g->serving_since)},
                               {"on_probation", g->on_probation}});
    nlohmann::json listeners = nlohmann::json::array();
    for (const auto& l : listeners_)
        listeners.push_back({{"name", l.address().name}, {"address", l.address().display()}});
    const Generation* s = serving();
    nlohmann::json status = {{"mode", proxy_mode() ? "proxy" : fd_mode() ? "fd" : "restart"},
                             {"serving", s != nullptr},
                             {"serving_generation", s ? s->id : 0},
                             {"generations", generations},
                             {"listeners", listeners},
                             {"building", builder_ && builder_->busy()},
                             {"restarts", restarts_},
                             {"restart_pending", restart_timer_ != 0},
                             {"last_reload", last_reload_}};
    if (proxy_) status["proxy"] = proxy_status_json();
    return status;
}

nlohmann::json Supervisor::history_json() const {
    nlohmann::json out = nlohmann::json::array();
    if (!artifacts_) return out;
    for (const auto& a : artifacts_->all()) {
        nlohmann::json running = nlohmann::json::array();
        for (const auto& [id, g] : generations_)
            if (g->launch.artifact_id == a.id) running.push_back(id);
        out.push_back({{"id", a.id},
                       {"seq", a.seq},
                       {"outcome", to_string(a.outcome)},
                       {"reason", a.reason},
                       {"created_unix_ms", a.created_unix_ms},
                       {"build_ms", a.build_ms},
                       {"git_revision", a.git_revision},
                       {"changed", a.changed},
                       {"generations", running}});
    }
    return out;
}

void Supervisor::request_reload(std::string_view trigger, ReloadCallback done, ReloadProgress progress) {
    if (shutting_down_) {
        if (done) done(ReloadOutcome{false, "hotswap is stopping", 0});
        return;
    }
    const bool joined = upgrading_;
    join_upgrade(std::move(done), std::move(progress));
    Console::get().info("reload requested", Tone::Dim);
    // serve: the attempt in progress takes the artifact as it is; its outcome answers this request too.
    if (serve_mode() && joined) return;
    begin_upgrade(trigger);
    reload_started_ = Clock::now();
    if (serve_mode()) {
        reload_artifact(trigger, ChangeSet{});
    } else if (builder_) {
        emit("build_start", {{"reason", "request"}});
        builder_->request(ChangeSet{{Change{config_.root.string(), ChangeKind::Rescan}}});
    } else {
        launch_new_build(Duration(0), ChangeSet{});
    }
}

void Supervisor::request_rollback(std::string_view artifact_id, std::string_view trigger, ReloadCallback done,
                                  ReloadProgress progress) {
    auto refuse = [&](std::string why) {
        Console::get().error(fmt::format("✗ rollback: {}", why));
        if (done) done(ReloadOutcome{false, std::move(why), serving() ? serving()->id : 0});
    };
    if (shutting_down_) return refuse("hotswap is stopping");
    if (!artifacts_) return refuse("builds are not kept; start hotswap with --artifact PATH to roll back");
    const Generation* current = serving();
    const Artifact* target = nullptr;
    if (artifact_id.empty()) {
        target = artifacts_->last_good(current ? std::string_view(current->launch.artifact_id) : std::string_view());
        if (!target) return refuse("there is no earlier good build to go back to (see hotswap history)");
    } else {
        target = artifacts_->find(artifact_id);
        if (!target) return refuse(fmt::format("no build {} is kept (see hotswap history)", artifact_id));
    }
    LaunchTarget launch;
    launch.artifact_id = target->id;
    launch.artifact_path = target->path;
    launch.reason = LaunchReason::RequestedRollback;
    Console::get().info(fmt::format("rolling back to build {}", target->id));
    begin_upgrade(trigger, "rollback");
    join_upgrade(std::move(done), std::move(progress));
    emit("rollback", {{"from", current ? current->launch.artifact_id : ""}, {"to", target->id}, {"reason", "requested"}});
    reload_started_ = Clock::now();
    last_build_time_.reset();
    reload(std::move(launch));
}

bool Supervisor::serving_now() const { return serving() != nullptr; }

void Supervisor::advance(Generation& g, GenerationEvent event) {
    auto next = next_state(g.state, event);
    if (!next) {
        Console::get().debug(fmt::format("{}: ignored {} while {}", g.label(), to_string(event), to_string(g.state)));
        return;
    }
    g.state = *next;
}

std::string Supervisor::still_serving_note() {
    Generation* g = serving();
    if (!g && serve_mode()) return "nothing is running; put a working binary in place or run hotswap reload";
    if (!g) return "nothing is running; fix it and save to try again";
    return fmt::format("{} is still serving the previous version", g->label());
}

Generation* Supervisor::find(int id) {
    auto it = generations_.find(id);
    return it == generations_.end() ? nullptr : it->second.get();
}

Generation* Supervisor::serving() {
    for (auto& [id, g] : generations_)
        if (g->state == GenerationState::Serving) return g.get();
    return nullptr;
}

const Generation* Supervisor::starting() const {
    for (const auto& [id, g] : generations_)
        if (g->state == GenerationState::Starting || g->state == GenerationState::Ready) return g.get();
    return nullptr;
}

const Generation* Supervisor::serving() const {
    for (const auto& [id, g] : generations_)
        if (g->state == GenerationState::Serving) return g.get();
    return nullptr;
}

}  // namespace hotswap
