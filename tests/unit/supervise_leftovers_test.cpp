// Which processes a stopped generation left behind, on a made-up process table.

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>

#include "supervise/artifact_command.hpp"
#include "supervise/leftovers.hpp"

using namespace hotswap;

namespace {

// hotswap (100) runs generation 1 (leader 200) and generation 2 (leader 300); 400 and 500 are orphans
// re-parented to hotswap (from generations 1 and 2); 401 is 400's child; 600 an orphan with no trace; 301
// a worker of generation 2 that moved to a group of its own; 700 a zombie orphan.
ProcessTree table() {
    return ProcessTree({
        {1, 0, 1, 'S'},
        {100, 1, 100, 'S'},
        {200, 100, 200, 'S'},
        {300, 100, 300, 'S'},
        {301, 300, 301, 'S'},
        {302, 300, 300, 'S'},
        {400, 100, 400, 'S'},
        {401, 400, 400, 'S'},
        {500, 100, 500, 'S'},
        {600, 100, 600, 'S'},
        {700, 100, 700, 'Z'},
        {900, 1, 900, 'S'},
    });
}

std::optional<int> lookup(pid_t pid) {
    if (pid == 400 || pid == 700) return 1;
    if (pid == 500) return 2;
    return std::nullopt;
}

std::vector<pid_t> sorted(std::vector<pid_t> v) {
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace

TEST(Leftovers, OrphansOfGoneGenerationsWithTheirDescendants) {
    LeftoverQuery q;
    q.self = 100;
    q.tracked = {300};
    q.live_generations = {2};  // generation 1 (leader 200) is gone
    EXPECT_EQ(sorted(leftovers_to_kill(table(), q, lookup)), (std::vector<pid_t>{400, 401}));
}

TEST(Leftovers, NothingWhileEveryGenerationLives) {
    LeftoverQuery q;
    q.self = 100;
    q.tracked = {200, 300};
    q.live_generations = {1, 2};
    EXPECT_TRUE(leftovers_to_kill(table(), q, lookup).empty());
}

TEST(Leftovers, ShutdownTakesEveryOrphanButNeverTrackedChildrenNorZombies) {
    LeftoverQuery q;
    q.self = 100;
    q.tracked = {200, 300};
    q.everything = true;
    EXPECT_EQ(sorted(leftovers_to_kill(table(), q, lookup)), (std::vector<pid_t>{400, 401, 500, 600}));
}

TEST(Leftovers, EscapedDescendantsAreThoseOutsideTheLeadersGroup) {
    EXPECT_EQ(escaped_descendants(table(), 300), (std::vector<pid_t>{301}));
    EXPECT_TRUE(escaped_descendants(table(), 200).empty());
}

TEST(ProcessTreeParse, NameWithSpacesAndParentheses) {
    auto e = parse_proc_stat("4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 ...");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->pid, 4242);
    EXPECT_EQ(e->ppid, 17);
    EXPECT_EQ(e->pgid, 4242);
    EXPECT_EQ(e->state, 'S');
    EXPECT_FALSE(parse_proc_stat("garbage"));
    EXPECT_FALSE(parse_proc_stat("12 (x) S"));
}

TEST(ProcessTreeSnapshot, FindsThisProcessAndItsParent) {
    auto tree = ProcessTree::snapshot();
    bool found = false;
    for (const auto& e : tree.entries())
        if (e.pid == ::getpid()) {
            found = true;
            EXPECT_EQ(e.ppid, ::getppid());
        }
    EXPECT_TRUE(found);
    auto below_parent = tree.descendants_of(::getppid());
    EXPECT_NE(std::find(below_parent.begin(), below_parent.end(), ::getpid()), below_parent.end());
}

TEST(ArtifactCommand, ReplacesTheElementNamingTheBuildOutput) {
    std::filesystem::path root = "/p";
    auto c = command_for_artifact({"./out/app", "--port", "80"}, "out/app", root / "out/app", root,
                                  "/p/.hotswap/artifacts/3-abc");
    EXPECT_TRUE(c.replaced);
    EXPECT_EQ(c.argv, (std::vector<std::string>{"/p/.hotswap/artifacts/3-abc", "--port", "80"}));
}

TEST(ArtifactCommand, SameFileWrittenDifferentlyOrFromAnotherDirectory) {
    auto c = command_for_artifact({"../out/app"}, "out/app", "/p/out/app", "/p/web", "/copy");
    EXPECT_TRUE(c.replaced);
    EXPECT_EQ(c.argv[0], "/copy");
    c = command_for_artifact({"/p/out/./app"}, "out/app", "/p/out/app", "/p", "/copy");
    EXPECT_TRUE(c.replaced);
}

TEST(ArtifactCommand, LeavesShellCommandsAndPathLookupsAlone) {
    auto c = command_for_artifact({"/bin/sh", "-c", "exec ./out/app"}, "out/app", "/p/out/app", "/p", "/copy");
    EXPECT_FALSE(c.replaced);
    c = command_for_artifact({"app"}, "out/app", "/p/out/app", "/p/out", "/copy");
    EXPECT_FALSE(c.replaced);  // a bare name is looked up in PATH
    c = command_for_artifact({"./out/app"}, "", "", "/p", "/copy");
    EXPECT_FALSE(c.replaced);
}

TEST(ProcessTreeChildren, DirectChildrenAgreeWithTheSnapshot) {
    pid_t child = ::fork();
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    auto direct = direct_children(::getpid());
    if (!direct) {
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        GTEST_SKIP() << "this kernel has no /proc/PID/task/TID/children";
    }
    EXPECT_NE(std::find(direct->begin(), direct->end(), child), direct->end());
    auto walked = ProcessTree::snapshot().children_of(::getpid());
    EXPECT_EQ(sorted(*direct), sorted(walked));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
}
