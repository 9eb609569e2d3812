#pragma once
// TrafficShift: one gradual shift of new requests from the serving generation to a new one, step by step
// (ShiftPolicy), judged all along by a ShiftAnalysis over real traffic. A step ends once it has lasted
// step_time and the new generation answered step_requests in it (or max_step_time passed); the analysis is
// asked every tick (latency) and after each request that ends on the new generation (errors: an error-heavy
// version is stopped at the request that proves it, within tens of requests). The shift ends in one of two
// ways, told once through on_end: done (the new generation may take everything: the switch), or aborted
// (its weight is 0 again before on_end runs, so no new request reaches it).
// It owns no socket: the weights go out through a hook (HttpFront::split), the requests come in through
// on_request_end (the Router's observer).

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/event_loop.hpp"
#include "front/router.hpp"
#include "front/shift_analysis.hpp"
#include "front/shift_policy.hpp"

namespace hotswap {

// A step's end or an abort, with the figures it was decided on.
struct ShiftDecision {
    int generation = 0, previous = 0;
    size_t step = 0;           // 1-based
    unsigned weight = 0;       // the step's share for the new generation
    bool abort = false;
    std::string reason;        // abort: why; else what ended the step ("5.0 s and 412 requests")
    uint64_t step_new = 0, step_old = 0;  // requests that ended on each side during the step
    Duration step_elapsed{0};
    WindowFigures new_side, old_side;  // the analysis window
};

struct ShiftStep {
    int generation = 0, previous = 0;
    size_t step = 0;  // 1-based
    size_t steps = 0;
    unsigned weight = 0;
};

struct ShiftOutcome {
    bool ok = false;
    std::string reason;        // aborted: why
    Duration elapsed{0};       // from the shift's start
    uint64_t new_requests = 0;  // requests that ended on the new generation during the shift
    uint64_t new_errors = 0;    // of those, 5xx or no answer
};

class TrafficShift {
public:
    struct Hooks {
        std::function<void(unsigned weight)> set_weight;  // the new generation's share; the old one gets the rest
        std::function<void(const ShiftStep&)> on_step;
        std::function<void(const ShiftDecision&)> on_decision;
        std::function<void(const ShiftOutcome&)> on_end;  // runs once, from the loop (never inside a call here)
    };
    TrafficShift(EventLoop& loop, ShiftPolicy policy, int generation, int previous, Hooks hooks);
    ~TrafficShift();
    TrafficShift(const TrafficShift&) = delete;
    TrafficShift& operator=(const TrafficShift&) = delete;

    void start();
    // Ends it without a word: the new generation's weight goes to 0 (it exited, was superseded, or hotswap stops).
    void cancel();
    bool running() const { return running_; }
    int generation() const { return generation_; }
    // A request ended on some generation (the Router's observer).
    void on_request_end(const RequestEnd& end);
    // {"generation", "previous", "step", "steps", "weight", "step_elapsed_ms", "step_requests", "new", "old"}
    nlohmann::json status_json() const;

private:
    void begin_step(size_t index);
    void tick();
    void abort(const ShiftVerdict& verdict);
    void finish(ShiftOutcome outcome);
    ShiftDecision decision(bool abort, std::string reason);

    EventLoop& loop_;
    ShiftPolicy policy_;
    int generation_, previous_;
    Hooks hooks_;
    ShiftAnalysis analysis_;
    bool running_ = false;
    bool abort_posted_ = false;
    size_t step_ = 0;  // index into policy_.steps
    Clock::time_point started_{}, step_started_{};
    uint64_t step_new_ = 0, step_old_ = 0;
    uint64_t new_requests_ = 0, new_errors_ = 0;
    EventLoop::Timer tick_timer_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace hotswap
