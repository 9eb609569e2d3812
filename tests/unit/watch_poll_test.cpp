// The polling backend (--poll): the same changes as inotify, found by comparing stamps every interval.

#include "watch/poll_watcher.hpp"
#include "watch/watcher.hpp"
#include "watch_test_support.hpp"

using namespace hotswap;
using namespace hotswap::testing;

namespace {

class PollWatch : public ::testing::Test {
protected:
    std::unique_ptr<EventLoop> loop = make_loop();
    TempDir dir{"hotswap-watch"};
    Seen seen;
    Scenario scenario{*loop};
    std::unique_ptr<Watcher> watcher;

    void start(std::vector<std::string> roots = {}) {
        WatchOptions o;
        o.roots = roots.empty() ? std::vector<std::string>{dir.path().string()} : roots;
        o.poll_interval = Duration(20);
        auto w = make_watcher(*loop, o, [this](std::vector<Change> changes) {
            for (auto& c : changes) seen.changes.push_back(std::move(c));
            scenario.check();
        });
        ASSERT_TRUE(w.ok()) << w.error().to_string();
        watcher = std::move(*w);
        ASSERT_NE(dynamic_cast<PollWatcher*>(watcher.get()), nullptr) << "--poll picks the polling backend";
        auto r = watcher->start();
        ASSERT_TRUE(r.ok()) << r.error().to_string();
    }
    void run() { EXPECT_EQ(scenario.run(), "") << "changes seen:\n" << seen.dump(); }
    std::string p(std::string_view rel) const { return dir.file(rel); }
};

TEST_F(PollWatch, ReportsCreateModifyRemove) {
    make_dirs(p("src"));
    write_file(p("src/old.c"));
    start();
    EXPECT_EQ(watcher->stats().directories, 2u);
    EXPECT_EQ(watcher->stats().files, 1u);
    scenario.step("create", [&] { write_file(p("src/a.c")); }, [&] { return seen.has(p("src/a.c"), ChangeKind::Created); })
        .step("modify (same size, so the stamp's time or inode must tell)",
              [&] {
                  struct timespec times[2] = {{0, UTIME_OMIT}, {1, 0}};
                  write_file(p("src/old.c"), "y");
                  ::utimensat(AT_FDCWD, p("src/old.c").c_str(), times, 0);
              },
              [&] { return seen.has(p("src/old.c"), ChangeKind::Modified); })
        .step("remove", [&] { ::unlink(p("src/a.c").c_str()); },
              [&] { return seen.has(p("src/a.c"), ChangeKind::Removed); });
    run();
}

TEST_F(PollWatch, NewAndRemovedDirectories) {
    start();
    scenario.step("a new tree", [&] {
                      make_dirs(p("x/y"));
                      write_file(p("x/y/f.c"));
                  },
                  [&] { return seen.has(p("x/y/f.c"), ChangeKind::Created); })
        .step("its removal", [&] { std::filesystem::remove_all(p("x")); },
              [&] { return seen.has(p("x/y/f.c"), ChangeKind::Removed); });
    run();
}

TEST_F(PollWatch, IgnoreRulesApply) {
    write_file(p(".gitignore"), "*.o\nout/\n");
    make_dirs(p("out"));
    start();
    scenario.step("ignored writes, then a sentinel",
                  [&] {
                      write_file(p("a.o"));
                      write_file(p("out/x.c"));
                      write_file(p("main.c.swp"));
                      write_file(p("sentinel.c"));
                  },
                  [&] { return seen.has(p("sentinel.c")); })
        .step("un-ignore out/", [&] { write_file(p(".gitignore"), "*.o\n"); },
              [&] { return seen.has(p("out/x.c"), ChangeKind::Created); });
    run();
    EXPECT_FALSE(seen.has(p("a.o")));
    EXPECT_FALSE(seen.has(p("main.c.swp")));
}

TEST_F(PollWatch, RootDeletedAndRecreated) {
    make_dirs(p("proj"));
    write_file(p("proj/a.c"));
    start({p("proj")});
    scenario.step("rm -rf the root", [&] { std::filesystem::remove_all(p("proj")); },
                  [&] { return seen.has(p("proj"), ChangeKind::Removed); })
        .step("recreate it", [&] {
                  make_dirs(p("proj/s"));
                  write_file(p("proj/s/b.c"));
              },
              [&] { return seen.has(p("proj/s/b.c"), ChangeKind::Created); });
    run();
}

}  // namespace
