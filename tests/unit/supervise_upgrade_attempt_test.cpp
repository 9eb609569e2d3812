// UpgradeAttempt without processes: when an attempt ends, with which words, and who is answered.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ready/probe.hpp"
#include "supervise/upgrade_attempt.hpp"

using namespace hotswap;

namespace {

struct Recorder {
    std::vector<std::pair<std::string, nlohmann::json>> events;
    EventSink sink = [this](const Event& e) { events.emplace_back(std::string(event_name(e)), event_fields(e)); };
    const Generation* serving = nullptr;
    int finishes = 0;
    UpgradeAttempt attempt{sink, Duration(5000), {[this] { return serving; }, [this] { ++finishes; }}};

    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& [e, f] : events) out.push_back(e);
        return out;
    }
};

std::unique_ptr<Generation> generation(int id, LaunchReason reason, bool on_probation, std::string artifact = "0001-abc") {
    auto g = std::make_unique<Generation>();
    g->id = id;
    g->launch.reason = reason;
    g->launch.artifact_id = std::move(artifact);
    g->on_probation = on_probation;
    g->serving_since = Clock::now();
    return g;
}

}  // namespace

TEST(UpgradeAttempt, ARequestDuringAnAttemptJoinsItAndBothGetOneOutcome) {
    Recorder r;
    std::vector<ReloadOutcome> outcomes;
    r.attempt.begin("change");
    r.attempt.join([&](const ReloadOutcome& o) { outcomes.push_back(o); }, {});
    r.attempt.begin("reload");  // joins: no second reload_start
    r.attempt.join([&](const ReloadOutcome& o) { outcomes.push_back(o); }, {});
    auto g_owned = generation(2, LaunchReason::Build, false);
    Generation& g = *g_owned;
    r.serving = &g;
    r.attempt.switched(g);
    EXPECT_EQ(r.names(), (std::vector<std::string>{"reload_start", "reload_end"}));
    EXPECT_EQ(r.events[0].second["trigger"], "change");
    ASSERT_EQ(outcomes.size(), 2u);
    for (const auto& o : outcomes) {
        EXPECT_TRUE(o.ok);
        EXPECT_EQ(o.generation, 2);
        EXPECT_EQ(o.message, "app#2 serves · build 0001-abc");
    }
    EXPECT_FALSE(r.attempt.open());
    EXPECT_EQ(r.finishes, 1);
}

TEST(UpgradeAttempt, ASwitchOnProbationEndsOnlyWhenProbationIsPassed) {
    Recorder r;
    std::vector<std::string> notes;
    std::optional<ReloadOutcome> outcome;
    r.attempt.begin("reload");
    r.attempt.join([&](const ReloadOutcome& o) { outcome = o; }, [&](std::string_view n) { notes.emplace_back(n); });
    auto g_owned = generation(3, LaunchReason::Build, true);
    Generation& g = *g_owned;
    r.attempt.switched(g);
    EXPECT_TRUE(r.attempt.open());
    EXPECT_FALSE(outcome);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0], "app#3 serving; on probation for 5.00 s");
    auto other_owned = generation(4, LaunchReason::Build, false);
    Generation& other = *other_owned;
    r.attempt.passed_probation(other);  // not the one awaited
    EXPECT_FALSE(outcome);
    r.attempt.passed_probation(g);
    ASSERT_TRUE(outcome);
    EXPECT_TRUE(outcome->ok);
    EXPECT_NE(outcome->message.find("passed probation"), std::string::npos) << outcome->message;
}

TEST(UpgradeAttempt, ADeathInProbationThenTheRollbackServingIsAFailure) {
    Recorder r;
    std::optional<ReloadOutcome> outcome;
    r.attempt.begin("change");
    r.attempt.join([&](const ReloadOutcome& o) { outcome = o; }, {});
    auto g_owned = generation(5, LaunchReason::Build, true, "0005-bad");
    Generation& g = *g_owned;
    r.attempt.switched(g);
    r.attempt.lost(g, ExitAction::Rollback, "killed by SIGSEGV", false);
    EXPECT_FALSE(outcome) << "the attempt ends when the rollback serves";
    auto back_owned = generation(6, LaunchReason::Rollback, true, "0004-good");
    Generation& back = *back_owned;
    r.attempt.switched(back);
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(outcome->ok);
    EXPECT_NE(outcome->message.find("app#5 died"), std::string::npos) << outcome->message;
    EXPECT_NE(outcome->message.find("rolled back: app#6 serves build 0004-good again"), std::string::npos) << outcome->message;
}

TEST(UpgradeAttempt, AFailureWaitsForANewerVersionOnItsWay) {
    Recorder r;
    std::vector<std::string> notes;
    std::optional<ReloadOutcome> outcome;
    r.attempt.begin("change");
    r.attempt.join([&](const ReloadOutcome& o) { outcome = o; }, [&](std::string_view n) { notes.emplace_back(n); });
    r.attempt.failed("build failed (exit status 2)", /*newer_on_the_way=*/true);
    EXPECT_FALSE(outcome);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0], "build failed (exit status 2); a newer version is on its way");
    r.attempt.failed("build failed (exit status 2)", false);
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(outcome->ok);
    EXPECT_EQ(outcome->message, "build failed (exit status 2)");
    EXPECT_EQ(r.events.back().first, "reload_end");
    EXPECT_EQ(r.events.back().second["ok"], false);
}

TEST(UpgradeAttempt, ACrashRestartIsNotWhatWasAskedFor) {
    Recorder r;
    r.attempt.begin("reload");
    auto restarted_owned = generation(7, LaunchReason::Restart, false);
    Generation& restarted = *restarted_owned;
    r.attempt.switched(restarted);
    EXPECT_TRUE(r.attempt.open());
}
