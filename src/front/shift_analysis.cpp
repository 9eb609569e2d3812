#include "front/shift_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/core.h>

namespace hotswap {

namespace {

// Per side: at 20,000 requests a second a 10 s window holds this many; older ones go first beyond it.
constexpr size_t kMaxSamples = 200'000;
constexpr double kZ = 1.96;  // 95 %, two-sided

std::string percent(double share) {
    const double p = share * 100.0;
    return p > 0 && p < 1 ? fmt::format("{:.1f} %", p) : fmt::format("{:.0f} %", p);
}

std::string label(int generation) { return fmt::format("app#{}", generation); }

}  // namespace

ShiftAnalysis::ShiftAnalysis(const ShiftPolicy& policy, int new_generation, int old_generation)
    : policy_(policy), new_generation_(new_generation), old_generation_(old_generation) {}

double ShiftAnalysis::wilson_lower(uint64_t errors, uint64_t n) {
    if (n == 0) return 0.0;
    const double p = double(errors) / double(n);
    const double nn = double(n);
    const double z2 = kZ * kZ;
    const double centre = p + z2 / (2 * nn);
    const double spread = kZ * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    return std::max(0.0, (centre - spread) / (1 + z2 / nn));
}

void ShiftAnalysis::record(Clock::time_point now, int generation, bool error, double latency_ms) {
    Side* side = generation == new_generation_ ? &new_ : generation == old_generation_ ? &old_ : nullptr;
    if (!side) return;
    side->samples.push_back(Sample{now, error, float(latency_ms)});
    side->errors += error;
    if (side->samples.size() > kMaxSamples) pop_oldest(*side);
    if (side == &new_) run_ = error ? run_ + 1 : 0;
    prune(*side, now);
}

bool ShiftAnalysis::worse_now(Clock::time_point now) {
    if (aborted_) return true;
    if (failing_run()) return true;
    prune(new_, now);
    prune(old_, now);
    return errors_clearly_worse(new_.samples.size(), new_.errors, old_.samples.size(), old_.errors);
}

bool ShiftAnalysis::errors_clearly_worse(uint64_t new_requests, uint64_t new_errors, uint64_t old_requests,
                                         uint64_t old_errors) const {
    const double old_share = old_requests ? double(old_errors) / double(old_requests) : 0.0;
    return new_requests >= policy_.min_requests && new_errors > 0 &&
           wilson_lower(new_errors, new_requests) > old_share + policy_.error_margin;
}

void ShiftAnalysis::pop_oldest(Side& side) {
    side.errors -= side.samples.front().error;
    side.samples.pop_front();
}

bool ShiftAnalysis::failing_run() const {
    return policy_.consecutive_failures > 0 && run_ >= policy_.consecutive_failures;
}

void ShiftAnalysis::prune(Side& side, Clock::time_point now) {
    while (!side.samples.empty() && now - side.samples.front().at > policy_.window) pop_oldest(side);
}

WindowFigures ShiftAnalysis::figures_of(Side& side, Clock::time_point now) {
    prune(side, now);
    WindowFigures f;
    std::vector<float> latencies;
    latencies.reserve(side.samples.size());
    for (const Sample& s : side.samples) {
        ++f.requests;
        if (s.error) ++f.errors;
        if (s.latency_ms >= 0) latencies.push_back(s.latency_ms);
    }
    f.timed = latencies.size();
    if (!latencies.empty()) {
        // Nearest rank: the smallest value with at least 99 % of the sample at or below it.
        const size_t rank = size_t(std::ceil(0.99 * double(latencies.size())));
        auto at = latencies.begin() + std::ptrdiff_t(std::max<size_t>(rank, 1) - 1);
        std::nth_element(latencies.begin(), at, latencies.end());
        f.p99_ms = *at;
    }
    return f;
}

WindowFigures ShiftAnalysis::figures(Clock::time_point now, bool new_side) {
    return figures_of(new_side ? new_ : old_, now);
}

ShiftVerdict ShiftAnalysis::evaluate(Clock::time_point now) {
    if (aborted_) return *aborted_;
    ShiftVerdict v;
    v.new_side = figures_of(new_, now);
    v.old_side = figures_of(old_, now);
    const std::string fresh = label(new_generation_), old = label(old_generation_);

    // 1. A run of failures: the new one is down, or nearly.
    if (failing_run()) {
        v.abort = true;
        v.reason = fmt::format("{} failed {} requests in a row (5xx or no answer)", fresh, run_);
    }
    // 2. Errors beyond chance: even the least share its sample makes likely is above the old one's by the margin.
    if (!v.abort && errors_clearly_worse(v.new_side.requests, v.new_side.errors, v.old_side.requests, v.old_side.errors)) {
        v.abort = true;
        v.reason = fmt::format("5xx {} on new ({}) vs {} on old ({}) over {} requests", percent(v.new_side.error_share()),
                               fresh, percent(v.old_side.error_share()), old, v.new_side.requests + v.old_side.requests);
    }
    // 3. Latency: far slower at the tail, by a ratio and by more than the noise floor.
    if (!v.abort && v.new_side.timed >= policy_.latency_min_requests && v.old_side.timed >= policy_.latency_min_requests &&
        v.new_side.p99_ms > policy_.latency_ratio * v.old_side.p99_ms &&
        v.new_side.p99_ms - v.old_side.p99_ms > double(policy_.latency_floor.count())) {
        v.abort = true;
        v.reason = fmt::format("p99 latency {:.1f} ms on new ({}) vs {:.1f} ms on old ({}) over {} requests",
                               v.new_side.p99_ms, fresh, v.old_side.p99_ms, old, v.new_side.timed + v.old_side.timed);
    }
    if (v.abort) aborted_ = v;
    return v;
}

}  // namespace hotswap
