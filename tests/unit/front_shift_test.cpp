// The gradual shift's parts without sockets: the router's weights per step, the analysis's verdicts, the
// controller's steps and aborts on a manual clock, the sticky cookie, the shadow log and replay's reports.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "front/header_fields.hpp"
#include "front/router.hpp"
#include "front/shadow_log.hpp"
#include "front/shadow_replay.hpp"
#include "front/shift_analysis.hpp"
#include "front/sticky_cookie.hpp"
#include "front/traffic_shift.hpp"

using namespace hotswap;
using namespace std::chrono_literals;

namespace {

// The share of `new_id` among `n` picks, in percent.
double share_of(Router& router, int new_id, int n) {
    int hits = 0;
    for (int i = 0; i < n; ++i) {
        auto id = router.pick();
        EXPECT_TRUE(id.has_value());
        hits += id == new_id;
    }
    return 100.0 * hits / n;
}

}  // namespace

// Issue: weights counted over 10,000 requests at each step are within ±3 points, and over any 1,000 too.
TEST(FrontShiftWeights, EachStepHoldsOverTenThousandPicksAndEveryThousand) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    for (unsigned weight : {1u, 10u, 25u, 50u, 90u, 99u}) {
        ASSERT_TRUE(router.split(2, weight));
        EXPECT_NEAR(share_of(router, 2, 10'000), weight, 3.0) << "step " << weight;
        for (int block = 0; block < 10; ++block)
            EXPECT_NEAR(share_of(router, 2, 1'000), weight, 3.0) << "step " << weight << ", block " << block;
    }
    ASSERT_TRUE(router.split(2, 0));
    EXPECT_EQ(share_of(router, 2, 1'000), 0.0);
    EXPECT_FALSE(router.mixed());
}

TEST(FrontShiftWeights, SplitGivesTheRestToTheOldGenerationAndMixedSaysSo) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    ASSERT_TRUE(router.split(2, 10));
    EXPECT_TRUE(router.mixed());
    EXPECT_TRUE(router.takes_new(1));
    EXPECT_TRUE(router.takes_new(2));
    ASSERT_TRUE(router.serve_only(2));
    EXPECT_FALSE(router.mixed());
    EXPECT_FALSE(router.takes_new(1));
    EXPECT_FALSE(router.split(2, 101));
}

TEST(FrontShiftWeights, TheObserverSeesEachEndWithItsStatusAndLatency) {
    Router router;
    ASSERT_TRUE(router.serve_only(1));
    std::vector<RequestEnd> ends;
    router.set_observer([&](const RequestEnd& e) { ends.push_back(e); });
    {
        auto t = router.begin(1);
        ASSERT_TRUE(t.has_value());
        t->finish(503, 12.5);
    }
    {
        auto t = router.begin(1);
        ASSERT_TRUE(t.has_value());
        t->fail_upstream();
    }
    ASSERT_EQ(ends.size(), 2u);
    EXPECT_EQ(ends[0].status, 503);
    EXPECT_DOUBLE_EQ(ends[0].latency_ms, 12.5);
    EXPECT_EQ(ends[1].outcome, RequestEnd::Outcome::UpstreamFailed);
}

namespace {

struct Feed {
    ShiftAnalysis analysis;
    Clock::time_point now{};
    explicit Feed(ShiftPolicy p = {}) : analysis(p, 2, 1) {}
    // `n` requests on `generation`, each `every`-th an error (0: none), each taking `ms`, 1 ms apart.
    void requests(int generation, int n, int every, double ms) {
        for (int i = 1; i <= n; ++i) {
            now += 1ms;
            analysis.record(now, generation, every > 0 && i % every == 0, ms);
        }
    }
};

}  // namespace

TEST(FrontShiftAnalysis, TwentyPercentErrorsAbortWithinTwentyFiveRequests) {
    Feed f;
    f.requests(1, 200, 0, 2);
    int sent = 0;
    ShiftVerdict v;
    while (!f.analysis.worse_now(f.now) && sent < 200) {
        f.now += 1ms;
        ++sent;
        f.analysis.record(f.now, 2, sent % 5 == 0, 2);
    }
    v = f.analysis.evaluate(f.now);
    EXPECT_TRUE(v.abort);
    EXPECT_LE(sent, 25);
    EXPECT_NE(v.reason.find("5xx 20 % on new (app#2) vs 0 % on old (app#1) over"), std::string::npos) << v.reason;
}

TEST(FrontShiftAnalysis, OneErrorInTwentyWhenTheOldHasNoneIsNoAbort) {
    Feed f;
    f.requests(1, 400, 0, 2);
    f.requests(2, 20, 20, 2);
    EXPECT_FALSE(f.analysis.evaluate(f.now).abort);
}

TEST(FrontShiftAnalysis, TheSameErrorShareAsTheOldIsNoAbort) {
    Feed f;
    f.requests(1, 2000, 10, 2);
    f.requests(2, 500, 10, 2);
    EXPECT_FALSE(f.analysis.evaluate(f.now).abort);
}

TEST(FrontShiftAnalysis, TooFewRequestsAreNotJudgedOnShare) {
    Feed f;
    f.requests(1, 100, 0, 2);
    f.requests(2, 10, 3, 2);  // 30 % errors, but only 10 requests and no run of 5
    EXPECT_FALSE(f.analysis.evaluate(f.now).abort);
}

TEST(FrontShiftAnalysis, ARunOfFailuresAbortsAtOnce) {
    Feed f;
    f.requests(1, 10, 0, 2);
    for (int i = 0; i < 4; ++i) f.analysis.record(f.now, 2, true, -1);
    EXPECT_FALSE(f.analysis.failing_run());
    f.analysis.record(f.now, 2, false, 2);  // an answer breaks the run
    for (int i = 0; i < 5; ++i) f.analysis.record(f.now, 2, true, -1);
    EXPECT_TRUE(f.analysis.failing_run());
    ShiftVerdict v = f.analysis.evaluate(f.now);
    EXPECT_TRUE(v.abort);
    EXPECT_EQ(v.reason, "app#2 failed 5 requests in a row (5xx or no answer)");
}

TEST(FrontShiftAnalysis, FiftyMillisecondsMoreAbortOnLatencyOnceBothHaveASample) {
    Feed f;
    f.requests(1, 150, 0, 2);
    f.requests(2, 99, 0, 52);
    EXPECT_FALSE(f.analysis.evaluate(f.now).abort) << "99 requests on new are below latency_min_requests";
    f.requests(2, 1, 0, 52);
    ShiftVerdict v = f.analysis.evaluate(f.now);
    EXPECT_TRUE(v.abort);
    EXPECT_NE(v.reason.find("p99 latency 52.0 ms on new (app#2) vs 2.0 ms on old (app#1)"), std::string::npos)
        << v.reason;
}

TEST(FrontShiftAnalysis, SlowerWithinTheFloorOrTheRatioIsNoAbort) {
    Feed a;  // 3× slower but only 10 ms more: below the 20 ms floor
    a.requests(1, 200, 0, 5);
    a.requests(2, 200, 0, 15);
    EXPECT_FALSE(a.analysis.evaluate(a.now).abort);
    Feed b;  // 100 ms more but 1.5×: below the ratio
    b.requests(1, 200, 0, 200);
    b.requests(2, 200, 0, 300);
    EXPECT_FALSE(b.analysis.evaluate(b.now).abort);
}

TEST(FrontShiftAnalysis, TheWindowForgetsOldRequests) {
    ShiftPolicy p;
    p.window = 1s;
    Feed f(p);
    f.requests(1, 100, 0, 2);
    f.requests(2, 100, 2, 2);
    f.now += 2s;
    f.requests(1, 100, 0, 2);
    f.requests(2, 10, 0, 2);
    auto figures = f.analysis.figures(f.now, true);
    EXPECT_EQ(figures.requests, 10u);
    EXPECT_EQ(figures.errors, 0u);
}

TEST(FrontShiftAnalysis, AnAbortIsFinal) {
    Feed f;
    for (int i = 0; i < 5; ++i) f.analysis.record(f.now, 2, true, -1);
    ASSERT_TRUE(f.analysis.evaluate(f.now).abort);
    f.requests(2, 1000, 0, 1);
    EXPECT_TRUE(f.analysis.evaluate(f.now).abort);
}

TEST(FrontShiftAnalysis, WilsonLowerBound) {
    EXPECT_DOUBLE_EQ(ShiftAnalysis::wilson_lower(0, 100), 0.0);
    EXPECT_NEAR(ShiftAnalysis::wilson_lower(4, 20), 0.0807, 0.001);
    EXPECT_NEAR(ShiftAnalysis::wilson_lower(50, 100), 0.4038, 0.001);
    EXPECT_LT(ShiftAnalysis::wilson_lower(1, 20), 0.02);
}

namespace {

// A TrafficShift on a manual clock with its hooks recorded.
struct ShiftRig {
    std::unique_ptr<EventLoop> loop = EventLoop::create_manual().value();
    std::vector<unsigned> weights;
    std::vector<ShiftStep> steps;
    std::vector<ShiftDecision> decisions;
    std::optional<ShiftOutcome> outcome;
    std::unique_ptr<TrafficShift> shift;

    explicit ShiftRig(ShiftPolicy policy) {
        TrafficShift::Hooks hooks{
            .set_weight = [this](unsigned w) { weights.push_back(w); },
            .on_step = [this](const ShiftStep& s) { steps.push_back(s); },
            .on_decision = [this](const ShiftDecision& d) { decisions.push_back(d); },
            .on_end = [this](const ShiftOutcome& o) { outcome = o; },
        };
        shift = std::make_unique<TrafficShift>(*loop, policy, 2, 1, std::move(hooks));
    }
    // `n` answered requests over `over`, each step of the clock sending one to the current weight's side.
    void traffic(int n, Duration over, int error_every_new = 0, double new_ms = 2) {
        const Duration gap = over / n;
        int new_count = 0;
        for (int i = 0; i < n && !outcome; ++i) {
            loop->advance(gap);
            const unsigned w = weights.empty() ? 0 : weights.back();
            const bool to_new = (i * w) / 100 != ((i + 1) * w) / 100;
            if (to_new) {
                ++new_count;
                const bool error = error_every_new > 0 && new_count % error_every_new == 0;
                shift->on_request_end({.generation = 2, .outcome = RequestEnd::Outcome::Answered,
                                       .status = error ? 500 : 200, .latency_ms = new_ms});
            } else {
                shift->on_request_end({.generation = 1, .outcome = RequestEnd::Outcome::Answered, .status = 200,
                                       .latency_ms = 2});
            }
        }
        loop->advance(Duration(0));
    }
};

ShiftPolicy three_steps() {
    ShiftPolicy p;
    p.steps = {10, 50, 100};
    return p;
}

}  // namespace

TEST(FrontTrafficShift, AGoodVersionGoesThroughEveryStepAndEndsDone) {
    ShiftRig rig(three_steps());
    rig.shift->start();
    rig.traffic(20'000, 30s);
    ASSERT_TRUE(rig.outcome.has_value());
    EXPECT_TRUE(rig.outcome->ok);
    EXPECT_EQ(rig.weights, (std::vector<unsigned>{10, 50}));
    ASSERT_EQ(rig.steps.size(), 2u);
    EXPECT_EQ(rig.steps[1].step, 2u);
    EXPECT_EQ(rig.steps[1].steps, 3u);
    ASSERT_EQ(rig.decisions.size(), 2u);
    for (const auto& d : rig.decisions) {
        EXPECT_FALSE(d.abort);
        EXPECT_GE(d.step_elapsed, 5s);
        const double share = 100.0 * double(d.step_new) / double(d.step_new + d.step_old);
        EXPECT_NEAR(share, d.weight, 3.0);
    }
}

TEST(FrontTrafficShift, TwentyPercentErrorsAbortInTheFirstStepWithWeightZeroFirst) {
    ShiftRig rig(three_steps());
    rig.shift->start();
    rig.traffic(20'000, 30s, 5);
    ASSERT_TRUE(rig.outcome.has_value());
    EXPECT_FALSE(rig.outcome->ok);
    EXPECT_EQ(rig.weights, (std::vector<unsigned>{10, 0}));
    ASSERT_EQ(rig.decisions.size(), 1u);
    EXPECT_TRUE(rig.decisions[0].abort);
    EXPECT_EQ(rig.decisions[0].step, 1u);
    EXPECT_LE(rig.outcome->new_errors, 6u);
    EXPECT_NE(rig.outcome->reason.find("5xx 20 % on new"), std::string::npos) << rig.outcome->reason;
}

TEST(FrontTrafficShift, AStepWaitsForItsRequestsUntilMaxStepTime) {
    ShiftPolicy p = three_steps();
    p.max_step_time = 20s;
    ShiftRig rig(p);
    rig.shift->start();
    rig.traffic(100, 10s);  // 10 on new: under step_requests
    EXPECT_EQ(rig.decisions.size(), 0u);
    rig.loop->advance(11s);
    ASSERT_EQ(rig.decisions.size(), 1u);
    EXPECT_NE(rig.decisions[0].reason.find("too little traffic to judge"), std::string::npos);
    EXPECT_EQ(rig.weights.back(), 50u);
}

TEST(FrontTrafficShift, CancelSetsWeightZeroAndEndsWithoutAWord) {
    ShiftRig rig(three_steps());
    rig.shift->start();
    rig.traffic(100, 1s);
    rig.shift->cancel();
    rig.loop->advance(60s);
    EXPECT_EQ(rig.weights.back(), 0u);
    EXPECT_FALSE(rig.outcome.has_value());
    EXPECT_TRUE(rig.shift->status_json().is_null());
}

TEST(FrontTrafficShift, StatusShowsTheStepAndItsWeight) {
    ShiftRig rig(three_steps());
    rig.shift->start();
    rig.traffic(100, 1s);
    auto j = rig.shift->status_json();
    EXPECT_EQ(j["step"], 1);
    EXPECT_EQ(j["weight"], 10);
    EXPECT_EQ(j["generation"], 2);
}

TEST(FrontStickyCookie, FindsTheGenerationAmongOtherCookies) {
    HeaderFields f;
    f.add("Host", "x");
    f.add("Cookie", "a=1; hotswap_version=7; b=2");
    EXPECT_EQ(sticky_cookie_generation(f), 7);
    HeaderFields none;
    none.add("cookie", "hotswap_version=x; hotswap_version=-1; other_hotswap_version=3");
    EXPECT_EQ(sticky_cookie_generation(none), 0);
    HeaderFields second;
    second.add("Cookie", "a=1");
    second.add("COOKIE", " hotswap_version = 12 ");
    EXPECT_EQ(sticky_cookie_generation(second), 12);
}

TEST(FrontShadowLog, KeepsTheLatestDistinctGetAndHeadOnly) {
    ShadowLog log(3);
    log.record("GET", "/a", "GET /a HTTP/1.1\r\n\r\n", 200, 1, false);
    log.record("POST", "/p", "POST /p HTTP/1.1\r\n\r\n", 200, 1, false);
    log.record("GET", "/b", "GET /b HTTP/1.1\r\n\r\n", 200, 1, false);
    log.record("GET", "/body", "GET /body HTTP/1.1\r\n\r\n", 200, 1, true);
    log.record("get", "/lower", "get /lower HTTP/1.1\r\n\r\n", 200, 1, false);
    log.record("GET", "/a", "GET /a HTTP/1.1\r\n\r\n", 404, 1, false);
    log.record("HEAD", "/a", "HEAD /a HTTP/1.1\r\n\r\n", 200, 1, false);
    auto latest = log.latest();
    ASSERT_EQ(latest.size(), 3u);
    EXPECT_EQ(latest[0].method + " " + latest[0].target, "HEAD /a");
    EXPECT_EQ(latest[1].target, "/a");
    EXPECT_EQ(latest[1].status, 404);
    EXPECT_EQ(latest[2].target, "/b");
    log.record("GET", "/c", "GET /c HTTP/1.1\r\n\r\n", 200, 1, false);
    latest = log.latest();
    ASSERT_EQ(latest.size(), 3u);
    EXPECT_EQ(latest[2].target, "/a");  // /b, the oldest, went
}

TEST(FrontShadowLog, CapacityZeroKeepsNothingAndHugeHeadsAreSkipped) {
    ShadowLog off(0);
    off.record("GET", "/a", "GET /a HTTP/1.1\r\n\r\n", 200, 1, false);
    EXPECT_EQ(off.size(), 0u);
    ShadowLog log(4);
    log.record("GET", "/big", std::string(ShadowLog::kMaxHead + 1, 'x'), 200, 1, false);
    EXPECT_EQ(log.size(), 0u);
}

TEST(FrontShadowReplay, TheHeadEndsWithItsOneAnswerAndSaysItIsAShadow) {
    EXPECT_EQ(shadow_request_head("GET /a HTTP/1.1\r\nHost: x\r\nconnection: keep-alive\r\nAccept: */*\r\n\r\n"),
              "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\nConnection: close\r\nHotswap-Shadow: 1\r\n\r\n");
}

TEST(FrontShadowReplay, RegressionIsGoodBeforeAndFivexxOrNothingNow) {
    auto result = [](int before, int now) {
        ShadowResult r;
        r.request.method = "GET";
        r.request.target = "/api/users";
        r.request.status = before;
        r.new_status = now;
        if (now == 0) r.failure = "connection reset";
        return r;
    };
    EXPECT_TRUE(result(200, 500).regression());
    EXPECT_TRUE(result(304, 0).regression());
    EXPECT_FALSE(result(200, 404).regression());
    EXPECT_FALSE(result(500, 500).regression());
    EXPECT_FALSE(result(404, 0).regression());
    EXPECT_EQ(result(200, 500).describe(), "GET /api/users: 200 before, 500 now");
    EXPECT_EQ(result(200, 0).describe(), "GET /api/users: 200 before, no answer now (connection reset)");
    ShadowReport report{.results = {result(200, 200), result(200, 500)}};
    EXPECT_EQ(report.regressions(), 1u);
    EXPECT_EQ(report.summary(), "2 requests replayed: 1 answered as before or better, 1 regression");
}

namespace {

// A server on the test's loop that answers each replayed request by its path: /ok 200, /bad 500, /close
// closes without an answer, /silent never answers. It records each request head it read.
struct PathServer {
    EventLoop& loop;
    FileDescriptor listen_fd;
    uint16_t port = 0;
    std::map<int, std::string> pending;  // fd → bytes read
    std::vector<FileDescriptor> conns;
    std::vector<std::string> heads;

    explicit PathServer(EventLoop& l) : loop(l) {
        listen_fd = FileDescriptor(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(listen_fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(listen_fd.get(), 16), 0);
        socklen_t len = sizeof a;
        ::getsockname(listen_fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        EXPECT_TRUE(loop.add_fd(listen_fd.get(), EPOLLIN, [this](uint32_t) { accept_all(); }).ok());
    }
    ~PathServer() {
        for (auto& c : conns)
            if (c) loop.remove_fd(c.get());
        loop.remove_fd(listen_fd.get());
    }
    void accept_all() {
        for (;;) {
            FileDescriptor c(::accept4(listen_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
            if (!c) return;
            const int fd = c.get();
            EXPECT_TRUE(loop.add_fd(fd, EPOLLIN, [this, fd](uint32_t) { on_read(fd); }).ok());
            conns.push_back(std::move(c));
        }
    }
    void on_read(int fd) {
        char buf[4096];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) return close_fd(fd);
        std::string& got = pending[fd];
        got.append(buf, size_t(n));
        if (got.find("\r\n\r\n") == std::string::npos) return;
        heads.push_back(got);
        const std::string path = got.substr(got.find(' ') + 1, got.find(' ', got.find(' ') + 1) - got.find(' ') - 1);
        if (path == "/silent") return;
        if (path == "/close") return close_fd(fd);
        const std::string answer = path == "/bad" ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
                                                  : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        EXPECT_EQ(::write(fd, answer.data(), answer.size()), ssize_t(answer.size()));
    }
    void close_fd(int fd) {
        for (auto& c : conns)
            if (c.get() == fd) {
                loop.remove_fd(fd);
                c.reset();
            }
    }
};

ShadowRequest get(std::string target, int status = 200) {
    return ShadowRequest{.method = "GET", .target = target,
                         .head = "GET " + target + " HTTP/1.1\r\nHost: app\r\nConnection: keep-alive\r\n\r\n",
                         .status = status, .generation = 1};
}

}  // namespace

TEST(FrontShadowReplay, ReplaysEachRequestAloneAndFindsTheRegressions) {
    const int signals[] = {SIGUSR2};
    auto loop = EventLoop::create(signals).value();
    PathServer server(*loop);
    std::optional<ShadowReport> report;
    std::vector<ShadowRequest> requests{get("/ok"), get("/bad"), get("/close"), get("/silent"), get("/bad", 503)};
    ShadowReplay replay(*loop, server.port, requests, Duration(300), 2, [&](const ShadowReport& r) {
        report = r;
        loop->stop(0);
    });
    replay.start();
    auto guard = loop->after(Duration(10'000), [&] { loop->stop(1); });
    ASSERT_EQ(loop->run(), 0) << "the replay did not end";
    ASSERT_TRUE(report.has_value());
    ASSERT_EQ(report->results.size(), 5u);
    EXPECT_EQ(report->results[0].new_status, 200);
    EXPECT_FALSE(report->results[0].regression());
    EXPECT_EQ(report->results[1].describe(), "GET /bad: 200 before, 500 now");
    EXPECT_TRUE(report->results[2].regression());
    EXPECT_EQ(report->results[2].failure, "connection closed before an answer");
    EXPECT_TRUE(report->results[3].regression());
    EXPECT_EQ(report->results[3].failure, "no answer within 300 ms");
    EXPECT_FALSE(report->results[4].regression()) << "the old one failed it too";
    EXPECT_EQ(report->regressions(), 3u);
    ASSERT_EQ(server.heads.size(), 5u);
    for (const auto& head : server.heads) {
        EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos) << head;
        EXPECT_NE(head.find("Hotswap-Shadow: 1\r\n"), std::string::npos) << head;
        EXPECT_EQ(head.find("keep-alive"), std::string::npos) << head;
    }
}

TEST(FrontShadowReplay, AnEmptyLogEndsFromTheLoop) {
    auto loop = EventLoop::create_manual().value();
    bool done = false;
    ShadowReplay replay(*loop, 1, {}, Duration(100), 4, [&](const ShadowReport& r) {
        done = true;
        EXPECT_TRUE(r.results.empty());
    });
    replay.start();
    EXPECT_FALSE(done);
    loop->advance(Duration(0));
    EXPECT_TRUE(done);
}

TEST(FrontShadowReplay, NothingListeningIsARegression) {
    const int signals[] = {SIGUSR2};
    auto loop = EventLoop::create(signals).value();
    // A port nobody listens on: bound, then closed.
    uint16_t port = 0;
    {
        FileDescriptor s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        socklen_t len = sizeof a;
        ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    std::optional<ShadowReport> report;
    ShadowReplay replay(*loop, port, {get("/")}, Duration(2'000), 4, [&](const ShadowReport& r) {
        report = r;
        loop->stop(0);
    });
    replay.start();
    auto guard = loop->after(Duration(10'000), [&] { loop->stop(1); });
    ASSERT_EQ(loop->run(), 0);
    ASSERT_TRUE(report.has_value());
    EXPECT_TRUE(report->results[0].regression());
    EXPECT_EQ(report->results[0].failure, "connection refused");
}
