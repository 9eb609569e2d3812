#include "front/traffic_shift.hpp"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace hotswap {

namespace {

// How often the analysis looks at the window and a step checks whether it is over: well below a step, and
// cheap (one pass over the window).
constexpr Duration kTick{100};


}  // namespace

TrafficShift::TrafficShift(EventLoop& loop, ShiftPolicy policy, int generation, int previous, Hooks hooks)
    : loop_(loop),
      policy_(std::move(policy)),
      generation_(generation),
      previous_(previous),
      hooks_(std::move(hooks)),
      analysis_(policy_, generation, previous) {}

TrafficShift::~TrafficShift() = default;

void TrafficShift::start() {
    running_ = true;
    started_ = loop_.now();
    begin_step(0);
}

void TrafficShift::cancel() {
    if (!running_) return;
    running_ = false;
    tick_timer_.cancel();
    if (hooks_.set_weight) hooks_.set_weight(0);
}

void TrafficShift::begin_step(size_t index) {
    step_ = index;
    step_started_ = loop_.now();
    step_new_ = step_old_ = 0;
    const unsigned weight = policy_.steps[index];
    if (hooks_.set_weight) hooks_.set_weight(weight);
    if (hooks_.on_step)
        hooks_.on_step(ShiftStep{.generation = generation_, .previous = previous_, .step = index + 1,
                                 .steps = policy_.steps.size(), .weight = weight});
    tick_timer_ = loop_.after(kTick, [this] { tick(); });
}

void TrafficShift::on_request_end(const RequestEnd& end) {
    if (!running_ || end.outcome == RequestEnd::Outcome::Abandoned) return;
    if (end.generation != generation_ && end.generation != previous_) return;
    const bool error = end.outcome == RequestEnd::Outcome::UpstreamFailed || end.status >= 500;
    analysis_.record(loop_.now(), end.generation, error, end.latency_ms);
    if (end.generation == generation_) {
        ++step_new_;
        ++new_requests_;
        if (error) ++new_errors_;
    } else {
        ++step_old_;
    }
    // Errors are acted on now, not at the next tick: every request until then would meet them too. Only an
    // end on the new generation can make it worse. Posted: this runs inside the router's bookkeeping, which
    // an abort's weight change must not re-enter.
    if (end.generation == generation_ && !abort_posted_ && analysis_.worse_now(loop_.now())) {
        abort_posted_ = true;
        loop_.post([this, alive = std::weak_ptr<int>(alive_)] {
            if (alive.expired() || !running_) return;
            abort(analysis_.evaluate(loop_.now()));
        });
    }
}

void TrafficShift::tick() {
    if (!running_) return;
    const auto now = loop_.now();
    ShiftVerdict verdict = analysis_.evaluate(now);
    if (verdict.abort) {
        abort(verdict);
        return;
    }
    const auto elapsed = now - step_started_;
    const bool long_enough = elapsed >= policy_.step_time && step_new_ >= policy_.step_requests;
    const bool too_long = elapsed >= policy_.max_step_time;
    if (!long_enough && !too_long) {
        tick_timer_ = loop_.after(kTick, [this] { tick(); });
        return;
    }
    const std::string seconds = format_duration(std::chrono::duration_cast<Duration>(elapsed));
    std::string why = long_enough
                          ? fmt::format("{} and {} requests on app#{}", seconds, step_new_, generation_)
                          : fmt::format("{} with {} requests on app#{} (fewer than {}: too little traffic to judge)",
                                        seconds, step_new_, generation_, policy_.step_requests);
    if (hooks_.on_decision) hooks_.on_decision(decision(false, std::move(why)));
    if (step_ + 1 < policy_.steps.size() && policy_.steps[step_ + 1] < 100) {
        begin_step(step_ + 1);
        return;
    }
    // The next step is all of it: that is the switch, the supervisor's to make.
    running_ = false;
    finish(ShiftOutcome{.ok = true, .reason = {}, .elapsed = std::chrono::duration_cast<Duration>(now - started_),
                        .new_requests = new_requests_, .new_errors = new_errors_});
}

void TrafficShift::abort(const ShiftVerdict& verdict) {
    if (!running_) return;
    running_ = false;
    tick_timer_.cancel();
    // Weight 0 first: from here on no new request reaches the new generation.
    if (hooks_.set_weight) hooks_.set_weight(0);
    if (hooks_.on_decision) hooks_.on_decision(decision(true, verdict.reason));
    finish(ShiftOutcome{.ok = false, .reason = verdict.reason,
                        .elapsed = std::chrono::duration_cast<Duration>(loop_.now() - started_),
                        .new_requests = new_requests_, .new_errors = new_errors_});
}

void TrafficShift::finish(ShiftOutcome outcome) {
    // Posted, so that the supervisor may destroy this shift from on_end.
    loop_.post([this, alive = std::weak_ptr<int>(alive_), outcome = std::move(outcome)] {
        if (alive.expired() || !hooks_.on_end) return;
        auto on_end = std::move(hooks_.on_end);  // it may destroy this shift, and the hooks with it
        hooks_.on_end = nullptr;
        on_end(outcome);
    });
}

ShiftDecision TrafficShift::decision(bool abort, std::string reason) {
    const auto now = loop_.now();
    return ShiftDecision{.generation = generation_, .previous = previous_, .step = step_ + 1,
                         .weight = policy_.steps[step_], .abort = abort, .reason = std::move(reason),
                         .step_new = step_new_, .step_old = step_old_,
                         .step_elapsed = std::chrono::duration_cast<Duration>(now - step_started_),
                         .new_side = analysis_.figures(now, true), .old_side = analysis_.figures(now, false)};
}

nlohmann::json TrafficShift::status_json() const {
    if (!running_) return nullptr;
    return {{"generation", generation_},
            {"previous", previous_},
            {"step", step_ + 1},
            {"steps", policy_.steps},
            {"weight", policy_.steps[step_]},
            {"step_elapsed_ms", whole_ms(loop_.now() - step_started_)},
            {"step_requests", step_new_},
            {"step_requests_old", step_old_},
            {"requests", new_requests_},
            {"errors", new_errors_}};
}

}  // namespace hotswap
