// The rules of DESIGN.md §3 without processes: state transitions and what an exit means.

#include <gtest/gtest.h>

#include "supervise/lifecycle.hpp"

using namespace hotswap;
using S = GenerationState;
using E = GenerationEvent;

TEST(Lifecycle, ForwardPathStartingReadyServingDrainingGone) {
    EXPECT_EQ(next_state(S::Starting, E::ProbeReady), S::Ready);
    EXPECT_EQ(next_state(S::Ready, E::Switch), S::Serving);
    EXPECT_EQ(next_state(S::Serving, E::Stop), S::Draining);
    EXPECT_EQ(next_state(S::Draining, E::Exited), S::Gone);
}

TEST(Lifecycle, RestartModeSwitchesStraightFromStarting) {
    EXPECT_EQ(next_state(S::Starting, E::Switch), S::Serving);
}

TEST(Lifecycle, FailuresBeforeReadyEndInFailed) {
    EXPECT_EQ(next_state(S::Starting, E::ReadyTimeout), S::Failed);
    EXPECT_EQ(next_state(S::Starting, E::Exited), S::Failed);
    EXPECT_EQ(next_state(S::Starting, E::Superseded), S::Failed);
    EXPECT_EQ(next_state(S::Ready, E::Exited), S::Failed);
    EXPECT_EQ(next_state(S::Ready, E::Superseded), S::Failed);
    EXPECT_EQ(next_state(S::Failed, E::Exited), S::Gone);
}

TEST(Lifecycle, LateEventsAreRefused) {
    // A ready report that arrives after the generation failed, was stopped or is serving changes nothing.
    EXPECT_FALSE(next_state(S::Failed, E::ProbeReady));
    EXPECT_FALSE(next_state(S::Draining, E::ProbeReady));
    EXPECT_FALSE(next_state(S::Serving, E::ProbeReady));
    EXPECT_FALSE(next_state(S::Serving, E::ReadyTimeout));
    // Only a generation that is ready may take over.
    EXPECT_FALSE(next_state(S::Failed, E::Switch));
    EXPECT_FALSE(next_state(S::Draining, E::Switch));
    // Failed stays failed while it is being stopped.
    EXPECT_FALSE(next_state(S::Failed, E::Stop));
    for (E e : {E::ProbeReady, E::Switch, E::ReadyTimeout, E::Superseded, E::Stop, E::Exited})
        EXPECT_FALSE(next_state(S::Gone, e)) << to_string(e);
}

namespace {
ExitFacts serving_server() {
    ExitFacts f;
    f.state = S::Serving;
    f.is_server = true;
    f.restart_on_crash = true;
    f.crashed = true;
    return f;
}
}  // namespace

TEST(DecideExit, ExitBeforeReadyLeavesTheOldGenerationServing) {
    ExitFacts f = serving_server();
    f.state = S::Starting;
    EXPECT_EQ(decide_exit(f), ExitAction::ReportFailedStart);
    f.state = S::Ready;
    EXPECT_EQ(decide_exit(f), ExitAction::ReportFailedStart);
}

TEST(DecideExit, ExitsHotswapAskedForAreExpected) {
    ExitFacts f = serving_server();
    for (S s : {S::Draining, S::Failed}) {
        f.state = s;
        EXPECT_EQ(decide_exit(f), ExitAction::None) << to_string(s);
    }
    f = serving_server();
    f.shutting_down = true;
    EXPECT_EQ(decide_exit(f), ExitAction::None);
}

TEST(DecideExit, DeathDuringProbationRollsBack) {
    ExitFacts f = serving_server();
    f.within_probation = true;
    f.rollback_target = true;
    EXPECT_EQ(decide_exit(f), ExitAction::Rollback);
    // Even a clean exit: a build that quits right after taking over is not one to keep.
    f.crashed = false;
    EXPECT_EQ(decide_exit(f), ExitAction::Rollback);
}

TEST(DecideExit, NoRollbackFromARollbackNorWithoutATarget) {
    ExitFacts f = serving_server();
    f.within_probation = true;
    f.rollback_target = true;
    f.was_automatic_rollback = true;
    EXPECT_EQ(decide_exit(f), ExitAction::Restart);
    f.was_automatic_rollback = false;
    f.rollback_target = false;
    EXPECT_EQ(decide_exit(f), ExitAction::Restart);
}

TEST(DecideExit, CrashAfterProbationRestarts) {
    ExitFacts f = serving_server();
    EXPECT_EQ(decide_exit(f), ExitAction::Restart);
    f.restart_on_crash = false;  // --restart never
    EXPECT_EQ(decide_exit(f), ExitAction::ReportAndWait);
}

TEST(DecideExit, CleanExitOfAServerAfterProbationWaitsForAChange) {
    ExitFacts f = serving_server();
    f.crashed = false;
    EXPECT_EQ(decide_exit(f), ExitAction::ReportAndWait);
}

TEST(DecideExit, PlainCommandIsReportedNeverRestartedNorRolledBack) {
    ExitFacts f;
    f.state = S::Serving;
    f.is_server = false;
    f.crashed = true;
    f.within_probation = true;
    f.rollback_target = true;
    EXPECT_EQ(decide_exit(f), ExitAction::ReportAndWait);
}
