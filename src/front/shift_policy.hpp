#pragma once
// ShiftPolicy: how a new generation takes traffic over step by step (issue "gradual shift"), and when the
// analysis calls it off. Filled from [shift] in hotswap.toml; docs/operations.md gives the defaults' figures.

#include <cstdint>
#include <vector>

#include "core/duration.hpp"

namespace hotswap {

// During a shift, whether a client stays with the version it met first.
enum class ShiftSticky {
    None,        // every request is routed on its own (the weights hold per request)
    Connection,  // a client connection keeps the version its first request went to
    Cookie,      // the front sets a cookie naming the version; a browser's page and assets stay together
};

struct ShiftPolicy {
    // The new generation's share of new requests at each step, in percent, rising; the last is 100 (the switch).
    std::vector<unsigned> steps{100};
    // A step lasts at least step_time and until the new generation answered step_requests in it, but no longer
    // than max_step_time (an idle service has nothing to judge, and nothing to lose, so it goes on).
    Duration step_time{5'000};
    uint64_t step_requests = 50;
    Duration max_step_time{60'000};
    // The analysis compares what ended on each generation within this window.
    Duration window{10'000};
    // Errors: abort when the new generation's error share (5xx answers and upstream failures) is, with 95 %
    // confidence (Wilson's lower bound), above the old one's share plus this margin (a fraction: 0.02 = 2
    // points); judged once the new one has min_requests in the window.
    double error_margin = 0.02;
    uint64_t min_requests = 20;
    // A run of this many errors in a row on the new generation aborts at once (0: off).
    unsigned consecutive_failures = 5;
    // Latency (to the response head): abort when the new one's p99 is above latency_ratio × the old one's and
    // more than latency_floor above it; judged once both have latency_min_requests in the window.
    double latency_ratio = 2.0;
    Duration latency_floor{20};
    uint64_t latency_min_requests = 100;
    ShiftSticky sticky = ShiftSticky::None;

    // One step of 100: the switch is immediate.
    bool immediate() const { return steps.size() <= 1; }
};

}  // namespace hotswap
