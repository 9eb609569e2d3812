#include "ui/lifecycle_lines.hpp"

#include <fmt/core.h>
#include <fmt/format.h>

#include "core/duration.hpp"

namespace hotswap {

namespace {

std::string app(int generation) { return fmt::format("app#{}", generation); }

std::string took(int64_t ms) { return format_duration(Duration(ms)); }

}  // namespace

std::string still_serving_note(int serving_generation, NextAttempt next) {
    if (serving_generation != 0) return fmt::format("{} is still serving the previous version", app(serving_generation));
    if (next == NextAttempt::Deploy) return "nothing is running; put a working binary in place or run hotswap reload";
    return "nothing is running; fix it and save to try again";
}

LifecycleLines::LifecycleLines(Console& console, Setup setup) : console_(console), setup_(setup) {}

void LifecycleLines::print(const Event& event) {
    std::visit([this](const auto& e) { on(e); }, event);
}

void LifecycleLines::show_tail(std::string_view of, const std::vector<std::string>& tail) {
    constexpr size_t kShown = 5;  // enough to say why; the event has more
    if (tail.empty()) return;
    console_.error(fmt::format("  last output of {}:", of));
    for (size_t i = tail.size() > kShown ? tail.size() - kShown : 0; i < tail.size(); ++i)
        console_.error(fmt::format("  | {}", tail[i]));
}

void LifecycleLines::on(const event::Change& e) {
    if (e.binary) console_.info(fmt::format("{} changed: upgrading", e.first), Tone::Dim);
    else console_.info(fmt::format("changed: {}", e.first), Tone::Dim);
}

void LifecycleLines::on(const event::BuildStart& e) {
    // Only the first build is announced: every later one follows a line saying what started it (a change,
    // a reload request).
    if (e.reason == "start") console_.info(fmt::format("building: {}", e.command), Tone::Dim);
}

void LifecycleLines::on(const event::BuildEnd& e) {
    if (e.ok) {
        // With a command to run, the switch line says how long the build took.
        if (setup_.build_only) console_.info(fmt::format("✓ built in {}", took(e.duration_ms)), Tone::Good);
        return;
    }
    if (e.refused) return;  // the refused event has said why
    console_.error(fmt::format("✗ {} after {} · {}", e.reason, took(e.duration_ms), note(e.still_serving)));
    // --quiet hides the build's output as it runs: its last lines are what says why.
    if (console_.verbosity() == Verbosity::Quiet) show_tail("the build", e.tail);
}

void LifecycleLines::on(const event::Refused& e) {
    if (e.at_start) return;  // hotswap cannot start: its error says why, once
    console_.error(fmt::format("✗ {} · {}", e.reason, note(e.still_serving)));
}

void LifecycleLines::on(const event::Spawn& e) {
    console_.debug(fmt::format("{} started (pid {}, {})", app(e.generation), e.pid, e.reason));
}

void LifecycleLines::on(const event::Ready&) {}  // the switch follows at once and says how long it took

void LifecycleLines::on(const event::Check& e) {
    if (e.ok) {
        console_.info(fmt::format("{} passed the check in {}", app(e.generation), took(e.duration_ms)), Tone::Dim);
        return;
    }
    console_.error(fmt::format("✗ {} failed the check ({}) · not switched · {}", app(e.generation), e.status,
                               note(e.still_serving)));
    show_tail("the check", e.tail);
}

void LifecycleLines::on(const event::Shadow& e) {
    if (e.regressions == 0) {
        console_.info(fmt::format("{}: {}", app(e.generation), e.summary), Tone::Dim);
        return;
    }
    if (e.blocked) {
        console_.error(fmt::format("✗ {} answers worse than the version serving · not switched · shadow replay: {}",
                                   app(e.generation), e.summary));
        for (const auto& r : e.regressed) console_.error(fmt::format("  | {}", r));
        return;
    }
    console_.warn(fmt::format("{} answers worse than the version before it · switched anyway (on_regression = "
                              "\"warn\"; \"block\" stops it) · shadow replay: {}",
                              app(e.generation), e.summary));
    for (const auto& r : e.regressed) console_.warn(fmt::format("  | {}", r));
}

void LifecycleLines::on(const event::ShiftStep& e) {
    console_.info(fmt::format("shift: {} gets {} % of new requests (step {} of {}) · {} the rest", app(e.generation),
                              e.weight, e.step, e.steps, app(e.previous)),
                  Tone::Dim);
}

void LifecycleLines::on(const event::ShiftAnalysis& e) {
    if (e.decision == "abort") return;  // shift_end says it, with the outcome
    console_.debug(fmt::format("shift: step {} ({} %) passed: {}", e.step, e.weight, e.reason));
}

void LifecycleLines::on(const event::ShiftEnd& e) {
    if (e.ok) {
        console_.debug(fmt::format("shift: {} passed every step in {}", app(e.generation), took(e.duration_ms)));
        return;
    }
    if (e.reason.empty()) return;  // cancelled: what cancelled it says so
    console_.error(fmt::format("✗ shift aborted after {}: {} · {} serves everything again", took(e.duration_ms), e.reason,
                               app(e.previous)));
}

void LifecycleLines::on(const event::Switch& e) {
    const std::string label = app(e.generation);
    const std::string ready_in = took(e.ready_ms);
    const std::string draining = e.previous != 0 ? fmt::format(" · {} draining", app(e.previous)) : "";
    if (e.reason == "rollback" || e.reason == "requested-rollback") {
        console_.info(fmt::format("✓ {} serving {} again (rollback) · ready in {}{}", label,
                                  e.artifact.empty() ? "-" : e.artifact, ready_in, draining),
                      Tone::Good);
        return;
    }
    if (e.reason == "restart") {
        console_.info(fmt::format("✓ {} serving again after a restart · ready in {}", label, ready_in), Tone::Good);
        return;
    }
    // A fresh build (or serve's new binary): how long each step took, and which build serves.
    const std::string built = e.reason == "build" ? fmt::format("built in {} · ", took(e.build_ms)) : "";
    const std::string artifact = e.artifact.empty() ? "" : fmt::format(" · build {}", e.artifact);
    if (e.mode == "restart")  // the old one was stopped first: the time without a server is what counts
        console_.info(fmt::format("✓ {} started · {}restarted in {}{}", label, built, took(e.total_ms - e.build_ms), artifact),
                      Tone::Good);
    else
        console_.info(fmt::format("✓ {} serving · {}ready in {}{}{}", label, built, ready_in, draining, artifact), Tone::Good);
}

void LifecycleLines::on(const event::Drain& e) {
    // Any other stop is the expected end of a generation: the switch, the shutdown or the failure said why.
    if (e.reason == "superseded")
        console_.info(fmt::format("{} is superseded by a newer build before it was ready", app(e.generation)), Tone::Dim);
}

void LifecycleLines::on(const event::FrontDrained& e) {
    if (e.timed_out) {
        console_.warn(fmt::format("{} still had {} request{} in flight through the front after {}: cut off", app(e.generation),
                                  e.in_flight, e.in_flight == 1 ? "" : "s", took(e.waited_ms)));
        return;
    }
    console_.debug(fmt::format("front: {} drained in {} ({} requests, {} retried, {} 5xx)", app(e.generation),
                               took(e.waited_ms), e.requests, e.retries, e.status_5xx));
}

void LifecycleLines::on(const event::Kill& e) {
    console_.warn(fmt::format("{} did not stop within {} of {}: killing it", app(e.generation), took(e.drain_timeout_ms),
                              e.stop_signal));
}

void LifecycleLines::on(const event::Exit& e) {
    const std::string label = app(e.generation);
    if (!e.message.empty()) {
        // A failed start: the old version keeps serving (DESIGN.md §3); what it printed last tells why.
        console_.error(fmt::format("✗ {} · {}", e.message, note(e.still_serving)));
        show_tail(label, e.tail);
        return;
    }
    if (e.action == "none") {
        console_.debug(fmt::format("{} stopped ({}){}", label, e.status,
                                   e.stop_ms ? fmt::format(" {} after the stop signal", took(*e.stop_ms)) : ""));
    } else if (e.action == "rollback" || e.action == "restart") {
        // Without a successor, the rollback or restart event that follows says what happens now.
        if (e.successor != 0)
            console_.error(fmt::format("✗ {} died ({}) · {} takes over once it is ready", label, e.status, app(e.successor)));
    } else if (e.action == "report-and-wait") {
        if (e.is_server)
            console_.error(fmt::format("✗ {} exited ({}) · it starts again at the next change", label, e.status));
        else
            console_.info(fmt::format("{} exited ({}) · it runs again at the next change", label, e.status),
                          e.is_crash ? Tone::Bad : Tone::Dim);
    }
}

void LifecycleLines::on(const event::Rollback& e) {
    if (e.generation == 0) {
        console_.info(fmt::format("rolling back to build {}", e.to));
        return;
    }
    console_.error(fmt::format("✗ {} · build {} is marked bad · rolling back to build {}", e.reason,
                               e.from.empty() ? "-" : e.from, e.to));
}

void LifecycleLines::on(const event::Restart& e) {
    const std::string last = e.last_output.empty() ? "" : fmt::format(" · last output: {}", e.last_output);
    console_.error(fmt::format("✗ {} crashed after {} ({}) · restarting in {} (restart {}){}", app(e.generation),
                               took(e.uptime_ms), e.reason, took(e.delay_ms), e.attempt, last));
}

void LifecycleLines::on(const event::Leftovers& e) {
    console_.warn(fmt::format("killed {} process{} left behind outside a stopped generation's process group (pid {})",
                              e.pids.size(), e.pids.size() == 1 ? "" : "es", fmt::join(e.pids, ", ")));
}

void LifecycleLines::on(const event::ReloadStart&) {}  // the change, request or key that started it was said

void LifecycleLines::on(const event::ReloadEnd& e) {
    // Only the end of probation is news here: every other end was said by the step that ended it.
    if (!e.ok || e.probation_ms == 0) return;
    console_.info(fmt::format("✓ {} passed probation ({}){}", app(e.generation), took(e.probation_ms),
                              e.artifact.empty() ? "" : fmt::format(" · build {} is good", e.artifact)),
                  Tone::Good);
}

}  // namespace hotswap
