// ArtifactIntake on real files: a build's output is taken into the store, outcomes pick the rollback
// target, and in serve mode a replaced file is taken only when it holds new bytes.

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "ready/probe.hpp"
#include "supervise/artifact_intake.hpp"
#include "temp_dir.hpp"

using hotswap::testing::TempDir;
using namespace hotswap;
namespace fs = std::filesystem;

namespace {

struct Project {
    TempDir temp{"hotswap-intake"};
    const fs::path& root = temp.path();
    Project() {
        fs::create_directories(root / "out");
        fs::create_directories(root / ".hotswap");
    }
    void write_app(std::string_view text) {
        std::ofstream(root / "out/app") << "#!/bin/sh\n" << text << "\n";
        ::chmod((root / "out/app").c_str(), 0755);
    }
};

std::unique_ptr<Generation> running(const Artifact& a, LaunchReason reason = LaunchReason::Build) {
    auto g = std::make_unique<Generation>();
    g->launch.artifact_id = a.id;
    g->launch.artifact_path = a.path;
    g->launch.reason = reason;
    return g;
}

}  // namespace

TEST(ArtifactIntake, TakesBuildsAndRollsBackToTheLastGoodOne) {
    Project p;
    Config config;
    config.root = p.root;
    config.artifact = "out/app";
    config.command = {"./out/app", "--flag"};
    ArtifactIntake intake(config);
    ASSERT_TRUE(intake.open(p.root / ".hotswap").ok());
    ASSERT_TRUE(intake.kept());
    EXPECT_EQ(intake.shown(), "out/app");

    p.write_app("echo v1");
    auto first = intake.take(Duration(10), ChangeSet{});
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    p.write_app("echo v2");
    auto second = intake.take(Duration(10), ChangeSet{});
    ASSERT_TRUE(second.ok());
    EXPECT_NE(first->id, second->id);

    // The command runs the generation's own copy.
    auto argv = intake.command_for(running(*second)->launch, p.root);
    EXPECT_EQ(argv, (std::vector<std::string>{second->path.string(), "--flag"}));

    EXPECT_FALSE(intake.rollback_target(second->id)) << "nothing is good yet";
    intake.mark(*running(*first), ArtifactOutcome::Good);
    auto target = intake.rollback_target(second->id);
    ASSERT_TRUE(target);
    EXPECT_EQ(target->artifact_id, first->id);
    EXPECT_EQ(target->reason, LaunchReason::Rollback);
    // A build that served well stays good when a restart of it fails.
    intake.mark(*running(*first, LaunchReason::Restart), ArtifactOutcome::Bad, "port in use");
    EXPECT_EQ(intake.find(first->id)->outcome, ArtifactOutcome::Good);
    EXPECT_EQ(intake.history_json({{1, second->id}}).size(), 2u);
}

TEST(ArtifactIntake, ARequestedRollbackNamesABuildOrTakesTheLastGoodOne) {
    Project p;
    Config config;
    config.root = p.root;
    config.command = {"./out/app"};
    {
        ArtifactIntake unkept(config);
        ASSERT_TRUE(unkept.open(p.root / ".hotswap").ok());
        auto refused = unkept.requested_rollback("", "");
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().to_string(), "builds are not kept; start hotswap with --artifact PATH to roll back");
    }
    config.artifact = "out/app";
    ArtifactIntake intake(config);
    ASSERT_TRUE(intake.open(p.root / ".hotswap").ok());
    p.write_app("echo v1");
    auto first = intake.take(Duration(10), ChangeSet{});
    p.write_app("echo v2");
    auto second = intake.take(Duration(10), ChangeSet{});
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_EQ(intake.requested_rollback("", second->id).error().to_string(),
              "there is no earlier good build to go back to (see hotswap history)");
    intake.mark(*running(*first), ArtifactOutcome::Good);
    auto previous = intake.requested_rollback("", second->id);
    ASSERT_TRUE(previous);
    EXPECT_EQ(previous->artifact_id, first->id);
    EXPECT_EQ(previous->reason, LaunchReason::RequestedRollback);
    // A build named by id is taken whatever its outcome: the user asked for it.
    auto named = intake.requested_rollback(second->id, first->id);
    ASSERT_TRUE(named);
    EXPECT_EQ(named->artifact_path, second->path);
    EXPECT_EQ(intake.requested_rollback("9-nope", "").error().to_string(), "no build 9-nope is kept (see hotswap history)");
}

TEST(ArtifactIntake, ServeTakesAReplacedFileOnlyWhenItHoldsNewBytes) {
    Project p;
    p.write_app("echo v1");
    Config config;
    config.verb = Verb::Serve;
    config.root = p.root;
    config.command = {(p.root / "out/app").string()};
    ArtifactIntake intake(config);
    ASSERT_TRUE(intake.open(p.root / ".hotswap").ok());
    EXPECT_EQ(intake.source(), p.root / "out/app");
    auto skip = intake.skip_replaced();
    EXPECT_FALSE(skip) << "a file never taken is new";
    ASSERT_TRUE(intake.take(Duration(0), ChangeSet{}).ok());
    skip = intake.skip_replaced();
    ASSERT_TRUE(skip);
    EXPECT_TRUE(skip->quiet);
    fs::remove(p.root / "out/app");
    skip = intake.skip_replaced();
    ASSERT_TRUE(skip);
    EXPECT_TRUE(skip->gone);
    // A binary that is not executable is refused.
    p.write_app("echo v2");
    ::chmod((p.root / "out/app").c_str(), 0644);
    auto refused = intake.take(Duration(0), ChangeSet{});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().to_string().find("it is not executable"), std::string::npos) << refused.error().to_string();
}
