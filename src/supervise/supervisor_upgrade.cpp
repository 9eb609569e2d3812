// One upgrade attempt, from what started it to its outcome. Every attempt (a change, `hotswap reload`,
// SIGHUP, a key, a replaced artifact, a requested rollback) is bracketed by the events reload_start …
// reload_end, and whoever asked is answered at reload_end. A request that arrives while an attempt is open
// joins it: one outcome for all, the latest state of things.
//
// The outcome is honest: a generation that takes over is a success only once it has passed probation
// (DESIGN.md §3); one that dies within it is rolled back, and the attempt failed, whatever was said at the
// switch.

#include <fmt/core.h>

#include "proc/time_slice.hpp"
#include "supervise/supervisor.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {
int64_t ms_since(Clock::time_point t) { return std::chrono::duration_cast<Duration>(Clock::now() - t).count(); }
}  // namespace

void Supervisor::begin_upgrade(std::string_view trigger, std::string_view action) {
    favor_serving();         // work starts now, whether or not an attempt is open
    if (upgrading_) return;  // joins the attempt in progress
    upgrading_ = true;
    upgrade_trigger_ = std::string(trigger);
    upgrade_started_ = Clock::now();
    probation_awaited_ = 0;
    rollback_reason_.clear();
    emit("reload_start", {{"trigger", upgrade_trigger_}, {"action", std::string(action)}});
}

void Supervisor::favor_serving() {
    if (Generation* g = serving()) favor(*g);
}

void Supervisor::favor(Generation& g) {
    // Restart mode has nothing serving during the reload to favor.
    if (!overlapping() || g.favored || !g.process.running()) return;
    g.favored = set_time_slice(g.process.pid(), kShortestSlice) > 0;
}

void Supervisor::unfavor_when_settled() {
    if (newer_on_the_way()) return;
    for (const auto& [id, g] : generations_)
        if (g->state == GenerationState::Draining) return;
    for (auto& [id, g] : generations_) {
        if (!g->favored) continue;
        g->favored = false;
        if (g->process.running()) (void)set_time_slice(g->process.pid(), std::chrono::nanoseconds(0));
    }
}

void Supervisor::join_upgrade(ReloadCallback done, ReloadProgress progress) {
    if (done || progress) waiters_.push_back(Waiter{std::move(done), std::move(progress)});
}

void Supervisor::upgrade_progress(const std::string& note) {
    for (auto& w : waiters_)
        if (w.progress) w.progress(note);
}

bool Supervisor::newer_on_the_way() const {
    return (builder_ && builder_->busy()) || starting() != nullptr || launch_when_stopped_.has_value();
}

void Supervisor::upgrade_failed(const std::string& why) {
    // A generation started to roll back a failed one failed too: both belong in the answer.
    std::string message = rollback_reason_.empty() ? why : fmt::format("{} · the rollback failed too: {}", rollback_reason_, why);
    if (newer_on_the_way()) {
        upgrade_progress(fmt::format("{}; a newer version is on its way", message));
        return;
    }
    finish_upgrade(false, message);
}

void Supervisor::finish_upgrade(bool ok, const std::string& message) {
    unfavor_when_settled();
    const Generation* now_serving = serving();
    const int generation = now_serving ? now_serving->id : 0;
    if (upgrading_) {
        upgrading_ = false;
        emit("reload_end", {{"ok", ok},
                            {"message", message},
                            {"generation", generation},
                            {"trigger", upgrade_trigger_},
                            {"duration_ms", ms_since(upgrade_started_)}});
    }
    probation_awaited_ = 0;
    rollback_reason_.clear();
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters)
        if (w.done) w.done(ReloadOutcome{ok, message, generation});
}

void Supervisor::upgrade_switched(const Generation& g) {
    if (!upgrading_) return;
    if (g.launch.reason == LaunchReason::Restart) return;  // a crash restart is not what was asked for
    if (g.launch.reason == LaunchReason::Rollback) {
        // The attempt's generation died within probation; the last good build serves again.
        if (!rollback_reason_.empty())
            finish_upgrade(false, fmt::format("{} · rolled back: {} serves build {} again", rollback_reason_, g.label(),
                                              g.artifact_label()));
        return;
    }
    if (g.on_probation) {
        probation_awaited_ = g.id;
        upgrade_progress(fmt::format("{} serving; on probation for {}", g.label(), format_duration(config_.probation)));
        return;
    }
    std::string artifact = g.launch.artifact_id.empty() ? "" : fmt::format(" · build {}", g.launch.artifact_id);
    finish_upgrade(true, fmt::format("{} serves{}", g.label(), artifact));
}

void Supervisor::upgrade_passed_probation(const Generation& g) {
    if (!upgrading_ || g.id != probation_awaited_) return;
    std::string artifact = g.launch.artifact_id.empty() ? "" : fmt::format(" · build {}", g.launch.artifact_id);
    Console::get().info(fmt::format("✓ {} passed probation ({}){}", g.label(), format_duration(config_.probation),
                                    artifact.empty() ? "" : artifact + " is good"),
                        Tone::Good);
    finish_upgrade(true, fmt::format("{} serves{} · passed probation ({})", g.label(), artifact,
                                     format_duration(config_.probation)));
}

void Supervisor::upgrade_lost(const Generation& g, ExitAction action, const std::string& how) {
    if (!upgrading_ || g.id != probation_awaited_) return;
    probation_awaited_ = 0;
    std::string why = fmt::format("{} died {} after taking over ({})", g.label(),
                                  format_duration(Clock::now() - g.serving_since), how);
    if (starting()) {
        // A newer version is already on its way in: the attempt goes on with it.
        upgrade_progress(fmt::format("{}; a newer version is on its way", why));
        return;
    }
    switch (action) {
        case ExitAction::Rollback:
            // Ends when the rollback serves (or fails): upgrade_switched / upgrade_failed.
            rollback_reason_ = why;
            upgrade_progress(fmt::format("{}; rolling back to the last good build", why));
            return;
        case ExitAction::Restart:
            finish_upgrade(false, fmt::format("{} · there is no earlier good build to go back to: it is restarted", why));
            return;
        default:
            finish_upgrade(false, why);
            return;
    }
}

}  // namespace hotswap
