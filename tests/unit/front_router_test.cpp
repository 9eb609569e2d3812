#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "front/router.hpp"

using namespace hotswap;

namespace {
std::vector<int> picks(Router& router, int n) {
    std::vector<int> out;
    for (int i = 0; i < n; ++i) {
        auto id = router.pick();
        EXPECT_TRUE(id.has_value());
        out.push_back(id.value_or(-1));
    }
    return out;
}

// Every window of `window` consecutive picks gives each generation its weight's share, within `points` of 100.
void expect_shares(const std::vector<int>& seq, const std::map<int, unsigned>& weights, size_t window, double points) {
    unsigned total = 0;
    for (auto [id, w] : weights) total += w;
    for (auto [id, w] : weights) {
        size_t in_window = std::count(seq.begin(), seq.begin() + window, id);
        for (size_t start = 0;; ++start) {
            double share = 100.0 * in_window / window;
            double want = 100.0 * w / total;
            ASSERT_NEAR(share, want, points) << "generation " << id << " window at " << start;
            if (start + window >= seq.size()) break;
            in_window += (seq[start + window] == id) - (seq[start] == id);
        }
    }
}

size_t longest_run(const std::vector<int>& seq, int id) {
    size_t longest = 0, run = 0;
    for (int x : seq) {
        run = x == id ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}
}  // namespace

TEST(FrontRouter, NothingRoutableGivesNone) {
    Router router;
    EXPECT_FALSE(router.pick());
    EXPECT_FALSE(router.begin(1));  // unknown
    ASSERT_TRUE(router.set_weight(1, 0));
    EXPECT_FALSE(router.pick());  // known, but weight 0
    EXPECT_TRUE(router.begin(1));  // still routable: a request the front already holds for it may begin
}

TEST(FrontRouter, ServeOnlyMovesEveryNewPickAtOnce) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    ASSERT_EQ(router.pick(), 1);
    auto old = router.begin(1);
    ASSERT_TRUE(old);

    ASSERT_TRUE(router.serve_only(2));
    for (int x : picks(router, 100)) EXPECT_EQ(x, 2);
    auto s1 = router.stats(1);
    ASSERT_TRUE(s1);
    EXPECT_EQ(s1->weight, 0u);
    EXPECT_EQ(s1->state, RouteState::Routable);
    EXPECT_EQ(s1->in_flight, 1u);  // the old request finishes where it is
    EXPECT_EQ(old->generation(), 1);
    old->finish(200);
    EXPECT_EQ(router.stats(1)->in_flight, 0u);
    EXPECT_EQ(router.stats(1)->status_2xx, 1u);
    EXPECT_EQ(router.stats(2)->weight, 100u);
}

TEST(FrontRouter, DrainCallbackFiresOnceAfterTheLastTicket) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    auto a = router.begin(1);
    auto b = router.begin(1);
    ASSERT_TRUE(router.serve_only(2));
    int fired = 0;
    ASSERT_TRUE(router.drain(1, [&] { ++fired; }));
    EXPECT_EQ(router.stats(1)->state, RouteState::Draining);
    EXPECT_FALSE(router.begin(1));
    for (int x : picks(router, 20)) EXPECT_EQ(x, 2);

    a->finish(200);
    EXPECT_EQ(fired, 0);
    b.reset();  // destroyed without an outcome: abandoned, and the last one
    EXPECT_EQ(fired, 1);
    EXPECT_EQ(router.stats(1)->state, RouteState::Drained);
    EXPECT_EQ(router.stats(1)->abandoned, 1u);

    // Final: no second drain, no weight again.
    EXPECT_FALSE(router.drain(1, [&] { ++fired; }));
    EXPECT_FALSE(router.set_weight(1, 50));
    EXPECT_FALSE(router.serve_only(1));
    EXPECT_FALSE(router.begin(1));
    EXPECT_EQ(fired, 1);
}

TEST(FrontRouter, DrainOfAnIdleGenerationFiresAtOnce) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    ASSERT_TRUE(router.serve_only(2));
    int fired = 0;
    ASSERT_TRUE(router.drain(1, [&] { ++fired; }));
    EXPECT_EQ(fired, 1);
    EXPECT_EQ(router.stats(1)->state, RouteState::Drained);
    EXPECT_FALSE(router.drain(7, [&] { ++fired; }));  // unknown
    EXPECT_EQ(fired, 1);
}

TEST(FrontRouter, DrainingTheOnlyGenerationLeavesNothingToPick) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    auto t = router.begin(1);
    ASSERT_TRUE(router.drain(1, [] {}));
    EXPECT_FALSE(router.pick());
}

TEST(FrontRouter, CallbackMayDestroyTheRouter) {
    auto router = std::make_unique<Router>();
    ASSERT_TRUE(router->serve_only(1));
    auto t = router->begin(1);
    ASSERT_TRUE(router->drain(1, [&] { router.reset(); }));
    t->finish(200);
    EXPECT_EQ(router, nullptr);

    auto idle = std::make_unique<Router>();
    ASSERT_TRUE(idle->serve_only(1));
    ASSERT_TRUE(idle->drain(1, [&] { idle.reset(); }));
    EXPECT_EQ(idle, nullptr);
}

TEST(FrontRouter, CallbackMayForgetAndRouteElsewhere) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    auto t = router.begin(1);
    ASSERT_TRUE(router.drain(1, [&] {
        EXPECT_TRUE(router.forget(1));
        EXPECT_TRUE(router.serve_only(3));
    }));
    t->fail_upstream();
    EXPECT_FALSE(router.stats(1));
    EXPECT_EQ(router.pick(), 3);
}

TEST(FrontRouter, ForgetTakesOnlyDrainedGenerations) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    EXPECT_FALSE(router.forget(1));
    EXPECT_FALSE(router.forget(2));
    ASSERT_TRUE(router.drain(1, nullptr));  // no callback is fine
    EXPECT_TRUE(router.forget(1));
    EXPECT_TRUE(router.stats().empty());
}

TEST(FrontRouter, TenNinetyWithinThreePointsAndSpread) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    ASSERT_TRUE(router.set_weight(1, 90));
    ASSERT_TRUE(router.set_weight(2, 10));
    auto seq = picks(router, 3000);
    expect_shares(seq, {{1, 90}, {2, 10}}, 1000, 3.0);
    // Smooth WRR with two weights a < b: the smaller one never twice in a row, the larger one at most
    // ceil(b / a) in a row, so 10 % does not come in a burst.
    EXPECT_EQ(longest_run(seq, 2), 1u);
    EXPECT_LE(longest_run(seq, 1), 9u);
    // Scores return to zero after each cycle of sum-of-weights picks: exact counts there.
    EXPECT_EQ(std::count(seq.begin(), seq.begin() + 100, 2), 10);
}

TEST(FrontRouter, FiftyFiftyAlternates) {
    Router router;
    ASSERT_TRUE(router.set_weight(1, 50));
    ASSERT_TRUE(router.set_weight(2, 50));
    auto seq = picks(router, 1000);
    EXPECT_EQ(longest_run(seq, 1), 1u);
    EXPECT_EQ(longest_run(seq, 2), 1u);
}

TEST(FrontRouter, ThreeWeightsWithinThreePoints) {
    Router router;
    ASSERT_TRUE(router.set_weight(4, 20));
    ASSERT_TRUE(router.set_weight(5, 30));
    ASSERT_TRUE(router.set_weight(6, 50));
    expect_shares(picks(router, 3000), {{4, 20}, {5, 30}, {6, 50}}, 1000, 3.0);
}

TEST(FrontRouter, ShiftInStepsKeepsShares) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    for (unsigned step : {10u, 50u, 100u}) {
        ASSERT_TRUE(router.set_weight(2, step));
        ASSERT_TRUE(router.set_weight(1, 100 - step));
        auto seq = picks(router, 1000);
        if (step == 100) {
            for (int x : seq) EXPECT_EQ(x, 2);
        } else {
            expect_shares(seq, {{1, 100 - step}, {2, step}}, 1000, 3.0);
        }
    }
}

TEST(FrontRouter, WeightZeroNeverPickedAndAboveHundredRefused) {
    Router router;
    ASSERT_TRUE(router.set_weight(1, 0));
    ASSERT_TRUE(router.set_weight(2, 1));
    for (int x : picks(router, 500)) EXPECT_EQ(x, 2);
    EXPECT_FALSE(router.set_weight(2, 101));
    EXPECT_EQ(router.stats(2)->weight, 1u);
}

TEST(FrontRouter, StatsCounted) {
    Router router;
    ASSERT_TRUE(router.serve_only(3));
    for (int status : {200, 204, 302, 404, 503, 101}) router.begin(3)->finish(status);
    {
        auto t = router.begin(3);
        t->note_retry();
        t->fail_upstream();
        t->note_retry();  // after the end: ignored
        t->finish(200);   // ended once only
    }
    (void)router.begin(3);  // dropped at once: abandoned
    auto open = router.begin(3);

    auto s = router.stats(3);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->requests, 9u);
    EXPECT_EQ(s->in_flight, 1u);
    EXPECT_EQ(s->status_2xx, 2u);
    EXPECT_EQ(s->status_3xx, 1u);
    EXPECT_EQ(s->status_4xx, 1u);
    EXPECT_EQ(s->status_5xx, 1u);
    EXPECT_EQ(s->upstream_failures, 1u);
    EXPECT_EQ(s->retries, 1u);
    EXPECT_EQ(s->abandoned, 1u);

    auto json = router.stats_json();
    ASSERT_TRUE(json.is_array());
    ASSERT_EQ(json.size(), 1u);
    EXPECT_EQ(json[0]["generation"], 3);
    EXPECT_EQ(json[0]["state"], "routable");
    EXPECT_EQ(json[0]["weight"], 100);
    EXPECT_EQ(json[0]["requests"], 9);
    EXPECT_EQ(json[0]["in_flight"], 1);
    EXPECT_EQ(json[0]["status_5xx"], 1);
    EXPECT_EQ(json[0]["upstream_failures"], 1);
}

TEST(FrontRouter, TicketMoveEndsOnce) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    auto a = router.begin(1);
    Router::Ticket moved = std::move(*a);
    EXPECT_FALSE(a->active());
    EXPECT_TRUE(moved.active());
    a.reset();  // the moved-from ticket ends nothing
    EXPECT_EQ(router.stats(1)->in_flight, 1u);

    auto b = router.begin(1);
    EXPECT_EQ(router.stats(1)->in_flight, 2u);
    moved = std::move(*b);  // the ticket moved over is abandoned, b's request lives on in `moved`
    EXPECT_EQ(router.stats(1)->in_flight, 1u);
    EXPECT_EQ(router.stats(1)->abandoned, 1u);
    moved.finish(200);
    EXPECT_EQ(router.stats(1)->in_flight, 0u);
    EXPECT_EQ(router.stats(1)->status_2xx, 1u);
}

TEST(FrontRouter, TicketMayOutliveTheRouter) {
    std::optional<Router::Ticket> ticket;
    {
        Router router;
        ASSERT_TRUE(router.serve_only(1));
        ticket = router.begin(1);
    }
    ticket->note_retry();
    ticket->finish(200);  // nothing to count, nothing to crash
    EXPECT_FALSE(ticket->active());
}
