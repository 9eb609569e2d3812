#pragma once
// ShiftAnalysis: the judgement of a gradual shift. It keeps what ended on the new and the old generation
// within a sliding window (errors, latency to the response head) and says whether the new one does clearly
// worse: a higher error share (beyond chance, by a margin), a run of failures, or a p99 latency far above the
// old one's. Pure: no loop, no sockets; the caller passes the time, so a unit test drives it exactly.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/duration.hpp"
#include "front/shift_policy.hpp"

namespace hotswap {

// What one generation did within the window.
struct WindowFigures {
    uint64_t requests = 0;  // answered or failed (abandoned ones say nothing of the app)
    uint64_t errors = 0;    // 5xx answers and upstream failures
    double p99_ms = 0;      // of the answered ones; 0 when none
    uint64_t timed = 0;     // answered ones (the latency's sample)
    double error_share() const { return requests ? double(errors) / double(requests) : 0.0; }
};

struct ShiftVerdict {
    bool abort = false;
    // Why, as the user reads it: "5xx 18 % on new vs 0 % on old over 240 requests".
    std::string reason;
    WindowFigures new_side, old_side;
};

class ShiftAnalysis {
public:
    ShiftAnalysis(const ShiftPolicy& policy, int new_generation, int old_generation);

    // A request ended on `generation` (others are ignored): `error` when the app answered 5xx or gave no
    // answer; `latency_ms` to the response head, negative when there was no answer.
    void record(Clock::time_point now, int generation, bool error, double latency_ms);
    // The verdict over the window ending `now`; an abort is final (the same verdict again).
    ShiftVerdict evaluate(Clock::time_point now);
    // A run of consecutive failures reached the limit: abort without waiting for the next evaluation.
    bool failing_run() const;
    // The error rules (a run, or the share) say abort, judged in O(1) after each request: a version that
    // fails is caught at the request that proves it, not at the next evaluation (latency waits for that).
    bool worse_now(Clock::time_point now);

    WindowFigures figures(Clock::time_point now, bool new_side);

    // Wilson's score interval, lower bound (95 %): the least error share `errors` in `n` makes likely.
    static double wilson_lower(uint64_t errors, uint64_t n);

private:
    struct Sample {
        Clock::time_point at;
        bool error;
        float latency_ms;  // < 0: no answer
    };
    struct Side {
        std::deque<Sample> samples;
        uint64_t errors = 0;  // among samples
    };
    void prune(Side& side, Clock::time_point now);
    void pop_oldest(Side& side);
    bool errors_clearly_worse(uint64_t new_requests, uint64_t new_errors, uint64_t old_requests,
                              uint64_t old_errors) const;
    WindowFigures figures_of(Side& side, Clock::time_point now);

    ShiftPolicy policy_;
    int new_generation_, old_generation_;
    Side new_, old_;
    unsigned run_ = 0;  // consecutive errors on the new generation
    std::optional<ShiftVerdict> aborted_;
};

}  // namespace hotswap
