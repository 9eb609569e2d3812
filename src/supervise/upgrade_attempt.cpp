#include "supervise/upgrade_attempt.hpp"

#include <fmt/core.h>

namespace hotswap {

namespace {

std::string build_note(const Generation& g) {
    return g.launch.artifact_id.empty() ? "" : fmt::format(" · build {}", g.launch.artifact_id);
}

}  // namespace

UpgradeAttempt::UpgradeAttempt(const EventSink& events, Duration probation, Hooks hooks)
    : events_(events), probation_(probation), hooks_(std::move(hooks)) {}

void UpgradeAttempt::begin(std::string_view trigger, std::string_view action) {
    if (open_) return;  // joins the attempt in progress
    open_ = true;
    trigger_ = std::string(trigger);
    started_ = Clock::now();
    probation_awaited_ = 0;
    rollback_reason_.clear();
    emit_event(events_, event::ReloadStart{trigger_, std::string(action)});
}

void UpgradeAttempt::join(ReloadCallback done, ReloadProgress progress) {
    if (done || progress) waiters_.push_back(Waiter{std::move(done), std::move(progress)});
}

void UpgradeAttempt::progress(std::string_view note) {
    for (auto& w : waiters_)
        if (w.progress) w.progress(note);
}

void UpgradeAttempt::failed(std::string_view why, bool newer_on_the_way) {
    // A generation started to roll back a failed one failed too: both belong in the answer.
    std::string message = rollback_reason_.empty() ? std::string(why)
                                                   : fmt::format("{} · the rollback failed too: {}", rollback_reason_, why);
    if (newer_on_the_way) {
        progress(fmt::format("{}; a newer version is on its way", message));
        return;
    }
    finish(false, message);
}

void UpgradeAttempt::finish(bool ok, std::string_view message) { end(ok, message, Duration(0)); }

void UpgradeAttempt::end(bool ok, std::string_view message, Duration passed_probation) {
    if (hooks_.before_finish) hooks_.before_finish();
    const Generation* serving = hooks_.serving ? hooks_.serving() : nullptr;
    const int generation = serving ? serving->id : 0;
    if (open_) {
        open_ = false;
        emit_event(events_, event::ReloadEnd{.ok = ok,
                                             .message = std::string(message),
                                             .generation = generation,
                                             .trigger = trigger_,
                                             .duration_ms = since(started_).count(),
                                             .artifact = serving ? serving->launch.artifact_id : "",
                                             .probation_ms = passed_probation.count()});
    }
    probation_awaited_ = 0;
    rollback_reason_.clear();
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters)
        if (w.done) w.done(ReloadOutcome{ok, std::string(message), generation});
}

void UpgradeAttempt::switched(const Generation& g) {
    if (!open_) return;
    if (g.launch.reason == LaunchReason::Restart) return;  // a crash restart is not what was asked for
    if (g.launch.reason == LaunchReason::Rollback) {
        // The attempt's generation died within probation; the last good build serves again.
        if (!rollback_reason_.empty())
            finish(false, fmt::format("{} · rolled back: {} serves build {} again", rollback_reason_, g.label(),
                                      g.artifact_label()));
        return;
    }
    if (g.on_probation) {
        probation_awaited_ = g.id;
        progress(fmt::format("{} serving; on probation for {}", g.label(), format_duration(probation_)));
        return;
    }
    finish(true, fmt::format("{} serves{}", g.label(), build_note(g)));
}

void UpgradeAttempt::passed_probation(const Generation& g) {
    if (!open_ || g.id != probation_awaited_) return;
    end(true, fmt::format("{} serves{} · passed probation ({})", g.label(), build_note(g), format_duration(probation_)),
        probation_);
}

void UpgradeAttempt::lost(const Generation& g, ExitAction action, std::string_view how, bool newer_starting) {
    if (!open_ || g.id != probation_awaited_) return;
    probation_awaited_ = 0;
    std::string why = fmt::format("{} died {} after taking over ({})", g.label(),
                                  format_duration(Clock::now() - g.serving_since), how);
    if (newer_starting) {
        // A newer version is already on its way in: the attempt goes on with it.
        progress(fmt::format("{}; a newer version is on its way", why));
        return;
    }
    switch (action) {
        case ExitAction::Rollback:
            // Ends when the rollback serves (or fails): switched / failed.
            rollback_reason_ = why;
            progress(fmt::format("{}; rolling back to the last good build", why));
            return;
        case ExitAction::Restart:
            finish(false, fmt::format("{} · there is no earlier good build to go back to: it is restarted", why));
            return;
        default:
            finish(false, why);
            return;
    }
}

}  // namespace hotswap
