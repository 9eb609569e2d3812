#include "supervise/promotion.hpp"

#include <fmt/core.h>

#include "ui/console.hpp"

namespace hotswap {

namespace {

constexpr size_t kShadowParallel = 4;  // replayed requests at once: a burst small enough for any dev server

}  // namespace

Promotion::Promotion(EventLoop& loop, const Config& config, Traffic& traffic, const EventSink& events)
    : loop_(loop), config_(config), traffic_(traffic), events_(events) {}

Promotion::~Promotion() { cancel(); }

const char* Promotion::pass() const {
    switch (pass_) {
        case Pass::None: return "";
        case Pass::Check: return "check";
        case Pass::Shadow: return "shadow";
        case Pass::Shift: return "shift";
    }
    return "";
}

void Promotion::start(const Generation& g, const Generation* serving, Done done) {
    cancel();
    generation_ = g.id;
    serving_id_ = serving ? serving->id : 0;
    port_ = g.private_port;
    g_ = &g;
    serving_ = serving;
    rollback_ = g.launch.reason == LaunchReason::Rollback || g.launch.reason == LaunchReason::RequestedRollback;
    done_ = std::move(done);
    pass_ = Pass::None;
    next();
}

// The passes in order: each one that applies runs, and calls next() when it lets the generation on.
void Promotion::next() {
    const bool comparable = serving_ != nullptr && !rollback_ && g_->launch.reason != LaunchReason::Restart;
    switch (pass_) {
        case Pass::None:
            pass_ = Pass::Check;
            if (!config_.check_cmd.empty() && port_ != 0) return run_check();
            [[fallthrough]];
        case Pass::Check:
            pass_ = Pass::Shadow;
            if (config_.shadow > 0 && comparable && port_ != 0) return run_shadow();
            [[fallthrough]];
        case Pass::Shadow:
            pass_ = Pass::Shift;
            if (comparable && traffic_.can_shift(*g_, *serving_)) return run_shift();
            [[fallthrough]];
        case Pass::Shift:
            end(true, "");
            return;
    }
}

void Promotion::run_check() {
    PreSwitchCheck::Spec spec{.command = config_.check_cmd, .cwd = config_.root.string(), .port = port_,
                              .generation = generation_, .timeout = config_.check_timeout,
                              .unblock = &loop_.blocked_signals()};
    Console::get().info(fmt::format("checking app#{} before it gets traffic: {}", generation_,
                                    check_command_for(config_.check_cmd, port_)),
                        Tone::Dim);
    check_ = std::make_unique<PreSwitchCheck>(loop_, std::move(spec), [this](const CheckOutcome& o) {
        const std::string command = check_ ? check_->command() : config_.check_cmd;
        emit_event(events_, event::Check{.generation = generation_, .ok = o.ok, .command = command, .status = o.status,
                                         .duration_ms = o.took.count(), .tail = o.tail, .still_serving = serving_id_});
        check_.reset();
        if (!o.ok) {
            const std::string last = o.tail.empty() ? "" : fmt::format(": {}", o.tail.back());
            end(false, fmt::format("app#{} failed the check `{}` ({}){}", generation_, command, o.status, last));
            return;
        }
        next();
    });
    if (auto started = check_->start(); !started) {
        const std::string why = started.error().to_string();
        check_.reset();
        emit_event(events_, event::Check{.generation = generation_, .ok = false, .command = config_.check_cmd,
                                         .status = why, .still_serving = serving_id_});
        end(false, fmt::format("the check could not start: {}", why));
    }
}

void Promotion::run_shadow() {
    std::vector<ShadowRequest> requests = traffic_.shadow_requests();
    if (requests.empty()) {
        Console::get().debug(fmt::format("shadow: no GET or HEAD request seen yet to replay against app#{}", generation_));
        next();
        return;
    }
    const bool block = config_.shadow_block.value_or(config_.verb == Verb::Serve);
    shadow_ = std::make_unique<ShadowReplay>(
        loop_, port_, std::move(requests), config_.shadow_timeout, kShadowParallel, [this, block](const ShadowReport& r) {
            std::vector<std::string> regressed;
            for (const auto& result : r.results)
                if (result.regression()) regressed.push_back(result.describe());
            const bool blocked = block && !regressed.empty();
            emit_event(events_, event::Shadow{.generation = generation_, .replayed = r.results.size(),
                                              .regressions = regressed.size(), .blocked = blocked,
                                              .summary = r.summary(), .regressed = regressed});
            // The replay is inside its own callback: it goes once the loop is back, with the report it owns.
            loop_.post([finished = std::shared_ptr<ShadowReplay>(std::move(shadow_))] {});
            if (blocked) {
                end(false, fmt::format("app#{} answers worse than app#{}: {}", generation_, serving_id_,
                                       regressed.front() + (regressed.size() > 1 ? fmt::format(" (and {} more)", regressed.size() - 1) : "")));
                return;
            }
            next();
        });
    shadow_->start();
}

void Promotion::run_shift() {
    traffic_.shift(*g_, *serving_, [this](const ShiftOutcome& o) {
        if (o.ok) {
            next();
            return;
        }
        end(false, fmt::format("shift aborted: {}", o.reason));
    });
}

void Promotion::end(bool ok, std::string why) {
    auto done = std::move(done_);
    done_ = nullptr;
    pass_ = Pass::None;
    generation_ = 0;
    serving_id_ = 0;
    g_ = serving_ = nullptr;
    if (done) done(ok, std::move(why));
}

void Promotion::cancel() {
    if (generation_ == 0) return;
    traffic_.cancel_shift(generation_);
    check_.reset();
    shadow_.reset();
    done_ = nullptr;
    pass_ = Pass::None;
    generation_ = 0;
    serving_id_ = 0;
    g_ = serving_ = nullptr;
}

nlohmann::json Promotion::status_json() const {
    if (generation_ == 0) return nullptr;
    nlohmann::json j{{"generation", generation_}, {"pass", pass()}, {"serving", serving_id_}};
    if (pass_ == Pass::Shift) j["shift"] = traffic_.shift_status_json();
    return j;
}

}  // namespace hotswap
