// The inotify backend against a real filesystem: what it reports, what it prunes, and the fault cases of
// DESIGN.md §9 (queue overflow, watch limit, directories deleted/recreated/renamed, symlink loops,
// unreadable directories, odd file names).

#include <sys/resource.h>
#include <sys/wait.h>

#include <fmt/core.h>

#include "watch/inotify_watcher.hpp"
#include "watch/watcher.hpp"
#include "watch_test_support.hpp"

using namespace hotswap;
using namespace hotswap::testing;

namespace {

class InotifyWatch : public ::testing::Test {
protected:
    std::unique_ptr<EventLoop> loop = make_loop();
    TempDir dir{"hotswap-watch"};
    Seen seen;
    std::vector<std::string> warnings;
    Scenario scenario{*loop};
    std::unique_ptr<Watcher> watcher;

    WatchOptions options(std::vector<std::string> roots = {}) {
        WatchOptions o;
        o.roots = roots.empty() ? std::vector<std::string>{dir.path().string()} : roots;
        o.on_warning = [this](std::string_view w) { warnings.emplace_back(w); };
        return o;
    }
    void start(WatchOptions o) {
        auto w = make_watcher(*loop, o, [this](std::vector<Change> changes) {
            for (auto& c : changes) seen.changes.push_back(std::move(c));
            scenario.check();
        });
        ASSERT_TRUE(w.ok()) << w.error().to_string();
        watcher = std::move(*w);
        auto r = watcher->start();
        ASSERT_TRUE(r.ok()) << r.error().to_string();
    }
    void run() {
        std::string stuck = scenario.run();
        EXPECT_EQ(stuck, "") << "changes seen:\n" << seen.dump();
    }
    std::string p(std::string_view rel) const { return dir.file(rel); }
};

TEST_F(InotifyWatch, ReportsCreateModifyRemove) {
    start(options());
    scenario.step("create", [&] { write_file(p("a.c")); }, [&] { return seen.has(p("a.c"), ChangeKind::Created); })
        .step("modify", [&] { seen.changes.clear(); write_file(p("a.c"), "y"); },
              [&] { return seen.has(p("a.c"), ChangeKind::Modified); })
        .step("remove", [&] { ::unlink(p("a.c").c_str()); }, [&] { return seen.has(p("a.c"), ChangeKind::Removed); });
    run();
}

TEST_F(InotifyWatch, CountsAndPrunesAtStart) {
    make_dirs(p("src/util"));
    make_dirs(p(".git/objects"));
    make_dirs(p("node_modules/pkg"));
    make_dirs(p("build/obj"));
    write_file(p(".gitignore"), "build/\n*.o\n");
    write_file(p("src/main.c"));
    write_file(p("src/main.o"));
    write_file(p("src/util/u.c"));
    write_file(p("src/main.c.swp"));
    start(options());
    auto stats = watcher->stats();
    EXPECT_EQ(stats.directories, 3u);  // root, src, src/util
    EXPECT_EQ(stats.files, 3u);        // .gitignore, main.c, u.c
    EXPECT_EQ(stats.polled_directories, 0u);
    // Nothing under a pruned directory, nor an ignored file, is reported: the sentinel comes after them.
    scenario.step("ignored writes, then a sentinel",
                  [&] {
                      write_file(p("build/obj/x.c"));
                      write_file(p("node_modules/pkg/i.js"));
                      write_file(p(".git/objects/o"));
                      write_file(p("src/other.o"));
                      write_file(p("src/sentinel.c"));
                  },
                  [&] { return seen.has(p("src/sentinel.c")); });
    run();
    EXPECT_FALSE(seen.has_prefix(p("build")));
    EXPECT_FALSE(seen.has_prefix(p("node_modules")));
    EXPECT_FALSE(seen.has_prefix(p(".git")));
    EXPECT_FALSE(seen.has(p("src/other.o")));
}

TEST_F(InotifyWatch, NewDirectoryIsWatchedAndScanned) {
    start(options());
    // The files exist before the watcher can have a watch on their directories: the scan finds them.
    scenario.step("mkdir -p with files",
                  [&] {
                      make_dirs(p("x/y/z"));
                      write_file(p("x/y/z/deep.c"));
                      write_file(p("x/top.c"));
                  },
                  [&] { return seen.has(p("x/y/z/deep.c")) && seen.has(p("x/top.c")); })
        .step("a write in the new directory", [&] { write_file(p("x/y/z/later.c")); },
              [&] { return seen.has(p("x/y/z/later.c")); });
    run();
    EXPECT_EQ(watcher->stats().files, 0u);  // the startup count is of the start
}

TEST_F(InotifyWatch, RenamedDirectoryKeepsPathsRight) {
    make_dirs(p("a/b"));
    write_file(p("a/b/f.c"));
    start(options());
    scenario.step("rename a to c", [&] { std::filesystem::rename(p("a"), p("c")); },
                  [&] { return seen.has(p("a"), ChangeKind::Removed) && seen.has(p("c/b/f.c"), ChangeKind::Created); })
        .step("write below the new name", [&] { write_file(p("c/b/g.c")); }, [&] { return seen.has(p("c/b/g.c")); })
        .step("rename it back inside a new parent",
              [&] {
                  make_dirs(p("n"));
                  std::filesystem::rename(p("c"), p("n/a"));
                  write_file(p("n/a/b/h.c"));
              },
              [&] { return seen.has(p("n/a/b/h.c")); });
    run();
    for (const auto& c : seen.changes) EXPECT_FALSE(c.path.starts_with(p("a/"))) << c.path;
    EXPECT_FALSE(seen.has(p("c/b/h.c")));
}

TEST_F(InotifyWatch, DeletedAndRecreatedDirectory) {
    make_dirs(p("d/e"));
    write_file(p("d/e/f.c"));
    start(options());
    scenario.step("rm -rf d", [&] { std::filesystem::remove_all(p("d")); },
                  [&] { return seen.has(p("d/e/f.c"), ChangeKind::Removed); })
        .step("mkdir d again and write in it",
              [&] {
                  make_dirs(p("d/e"));
                  write_file(p("d/e/g.c"));
              },
              [&] { return seen.has(p("d/e/g.c")); })
        .step("and once more", [&] { write_file(p("d/e/h.c")); }, [&] { return seen.has(p("d/e/h.c")); });
    run();
}

TEST_F(InotifyWatch, RootDeletedRecreatedAndRenamed) {
    make_dirs(p("proj/src"));
    write_file(p("proj/src/a.c"));
    start(options({p("proj")}));
    scenario.step("rm -rf the root", [&] { std::filesystem::remove_all(p("proj")); },
                  [&] { return seen.has(p("proj"), ChangeKind::Removed); })
        .step("recreate it with files", [&] {
                  make_dirs(p("proj/src"));
                  write_file(p("proj/src/b.c"));
              },
              [&] { return seen.has(p("proj/src/b.c")); })
        .step("a write in the recreated root", [&] { write_file(p("proj/src/c.c")); },
              [&] { return seen.has(p("proj/src/c.c")); })
        .step("rename the root away", [&] {
                  seen.changes.clear();
                  std::filesystem::rename(p("proj"), p("moved"));
              },
              [&] { return seen.has(p("proj"), ChangeKind::Removed); })
        .step("writes in the moved tree are not ours; the root's name coming back is", [&] {
                  write_file(p("moved/src/x.c"));
                  make_dirs(p("proj"));
                  write_file(p("proj/y.c"));
              },
              [&] { return seen.has(p("proj/y.c")); });
    run();
    EXPECT_FALSE(seen.has_prefix(p("moved")));
    EXPECT_FALSE(seen.has(p("proj/src/x.c")));
}

TEST_F(InotifyWatch, RootWhoseParentsAreDeletedComesBack) {
    make_dirs(p("a/b/root"));
    start(options({p("a/b/root")}));
    scenario.step("rm -rf a", [&] { std::filesystem::remove_all(p("a")); },
                  [&] { return seen.has(p("a/b/root"), ChangeKind::Removed); })
        .step("mkdir -p a/b/root with a file", [&] {
                  make_dirs(p("a/b/root/s"));
                  write_file(p("a/b/root/s/f.c"));
              },
              [&] { return seen.has(p("a/b/root/s/f.c")); });
    run();
}

TEST_F(InotifyWatch, QueueOverflowRescansAndKeepsWatching) {
    make_dirs(p("sub"));
    start(options());
    long queue = 16384;
    if (FILE* f = std::fopen("/proc/sys/fs/inotify/max_queued_events", "r")) {
        if (std::fscanf(f, "%ld", &queue) != 1) queue = 16384;
        std::fclose(f);
    }
    scenario.step("more events than the queue holds while the loop is busy",
                  [&] {
                      // Alternating files, so the kernel cannot merge consecutive identical events.
                      int a = ::open(p("a.c").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                      int b = ::open(p("b.c").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                      for (long i = 0; i < queue + 1000; ++i) ASSERT_EQ(::write(i % 2 ? a : b, "x", 1), 1);
                      ::close(a);
                      ::close(b);
                  },
                  [&] { return seen.has(dir.path().string(), ChangeKind::Rescan); })
        .step("a directory made while events were lost is watched", [&] {
                  make_dirs(p("late"));
                  write_file(p("late/f.c"));
              },
              [&] { return seen.has(p("late/f.c")); })
        .step("and changes after the overflow are seen", [&] { write_file(p("sub/after.c")); },
              [&] { return seen.has(p("sub/after.c")); });
    run();
}

TEST_F(InotifyWatch, WatchLimitPollsTheRestAndSaysSo) {
    for (int i = 0; i < 10; ++i) make_dirs(p(fmt::format("d{}", i)));
    WatchOptions o = options();
    o.max_watches = 4;
    o.fallback_poll_interval = Duration(20);
    start(o);
    auto stats = watcher->stats();
    EXPECT_EQ(stats.directories, 11u);
    EXPECT_EQ(stats.polled_directories, 7u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("fs.inotify.max_user_watches"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("11 directories need a watch, 4 have one and the other 7 are polled"), std::string::npos)
        << warnings[0];
    scenario.step("a write in every directory, watched or polled",
                  [&] {
                      for (int i = 0; i < 10; ++i) write_file(p(fmt::format("d{}/f.c", i)));
                  },
                  [&] {
                      for (int i = 0; i < 10; ++i)
                          if (!seen.has(p(fmt::format("d{}/f.c", i)))) return false;
                      return true;
                  })
        .step("a new directory beyond the limit is polled too", [&] {
                  make_dirs(p("new/deeper"));
                  write_file(p("new/deeper/g.c"));
              },
              [&] { return seen.has(p("new/deeper/g.c")); })
        .step("and a later write in it is seen", [&] { write_file(p("new/deeper/h.c")); },
              [&] { return seen.has(p("new/deeper/h.c")); })
        .step("a polled directory removed", [&] { std::filesystem::remove_all(p("new")); },
              [&] { return seen.has(p("new/deeper/h.c"), ChangeKind::Removed); });
    run();
    EXPECT_EQ(warnings.size(), 1u) << "one message, not one per directory";
}

TEST_F(InotifyWatch, SymlinksAreNotFollowed) {
    make_dirs(p("a/b"));
    ::symlink(".", p("loop").c_str());
    ::symlink("..", p("a/up").c_str());
    ::symlink("self", p("self").c_str());
    ::symlink(p("a").c_str(), p("abs").c_str());
    start(options());
    EXPECT_EQ(watcher->stats().directories, 3u);  // root, a, a/b: no symlink is entered
    EXPECT_EQ(watcher->stats().files, 4u);        // the four links themselves
    scenario.step("a write below the real directory", [&] { write_file(p("a/b/f.c")); },
                  [&] { return seen.has(p("a/b/f.c")); })
        .step("a new symlink loop", [&] { ::symlink("..", p("a/b/back").c_str()); },
              [&] { return seen.has(p("a/b/back"), ChangeKind::Created); });
    run();
    EXPECT_FALSE(seen.has_prefix(p("loop/")));
}

TEST_F(InotifyWatch, OddFileNamesArriveByteForByte) {
    start(options());
    const std::vector<std::string> names = {"with space.c", "new\nline.c", "\xff\xfe invalid utf8.c",
                                            "-dash.c",      "back\\slash.c", "quote'\"$(x).c", "tab\there.c"};
    scenario.step("write every odd name",
                  [&] {
                      for (const auto& n : names) write_file(p(n));
                  },
                  [&] {
                      for (const auto& n : names)
                          if (!seen.has(p(n))) return false;
                      return true;
                  });
    run();
}

TEST_F(InotifyWatch, GitignoreEditsPruneAndRestoreDirectories) {
    make_dirs(p("gen"));
    write_file(p(".gitignore"), "gen/\n");
    start(options());
    EXPECT_EQ(watcher->stats().directories, 1u);
    scenario.step("a write in the ignored directory, then a sentinel",
                  [&] {
                      write_file(p("gen/a.c"));
                      write_file(p("s1.c"));
                  },
                  [&] { return seen.has(p("s1.c")); })
        .step("un-ignore it", [&] { write_file(p(".gitignore"), "# nothing\n"); }, [&] { return seen.has(p(".gitignore")); })
        .step("a write in it is now seen", [&] { write_file(p("gen/b.c")); }, [&] { return seen.has(p("gen/b.c")); })
        .step("ignore it again, then write in it and a sentinel",
              [&] {
                  write_file(p(".gitignore"), "gen/\n");
                  write_file(p("s2.c"));
              },
              [&] { return seen.has(p("s2.c")); })
        .step("writes there are ignored again",
              [&] {
                  write_file(p("gen/c.c"));
                  write_file(p("s3.c"));
              },
              [&] { return seen.has(p("s3.c")); });
    run();
    EXPECT_FALSE(seen.has(p("gen/a.c")));
    EXPECT_FALSE(seen.has(p("gen/c.c")));
}

TEST_F(InotifyWatch, ExtensionsAndEditorDroppings) {
    WatchOptions o = options();
    o.extensions = {"c", ".h"};
    start(o);
    scenario.step("a vim save: 4913 probe, backup rename, swap file; then other extensions",
                  [&] {
                      write_file(p("main.c"), "v1");
                      write_file(p("4913"));
                      ::unlink(p("4913").c_str());
                      write_file(p(".main.c.swp"));
                      std::filesystem::rename(p("main.c"), p("main.c~"));
                      write_file(p("main.c"), "v2");
                      ::unlink(p("main.c~").c_str());
                      write_file(p("notes.txt"));
                      write_file(p("main.h"));
                  },
                  [&] { return seen.has(p("main.h")); });
    run();
    for (const auto& c : seen.changes)
        EXPECT_TRUE(c.path == p("main.c") || c.path == p("main.h")) << to_string(c.kind) << " " << c.path;
}

TEST_F(InotifyWatch, BuildOutputNeverCounts) {
    make_dirs(p("out [x]"));
    WatchOptions o = options();
    o.ignore_paths = {p("app*"), p("out [x]")};  // glob characters are taken literally
    start(o);
    EXPECT_EQ(watcher->stats().directories, 1u);
    scenario.step("the build writes its outputs, then a source changes",
                  [&] {
                      write_file(p("app*"));
                      write_file(p("out [x]/lib.a"));
                      write_file(p("appx"));
                  },
                  [&] { return seen.has(p("appx")); });
    run();
    EXPECT_FALSE(seen.has(p("app*")));
    EXPECT_FALSE(seen.has_prefix(p("out [x]")));
}

TEST_F(InotifyWatch, FileRootsWatchOnlyThoseFiles) {
    write_file(p("config.toml"));
    write_file(p("other.toml"));
    make_dirs(p("sub"));
    start(options({p("config.toml")}));
    EXPECT_EQ(watcher->stats().files, 1u);
    scenario.step("writes beside it, then to it",
                  [&] {
                      write_file(p("other.toml"));
                      write_file(p("sub/x.toml"));
                      write_file(p("config.toml"), "changed");
                  },
                  [&] { return seen.has(p("config.toml")); });
    run();
    EXPECT_FALSE(seen.has(p("other.toml")));
    EXPECT_FALSE(seen.has_prefix(p("sub")));
}

TEST_F(InotifyWatch, MissingRootIsAnErrorNamingIt) {
    auto w = make_watcher(*loop, options({p("nope")}), [](std::vector<Change>) {});
    ASSERT_TRUE(w.ok());
    auto r = (*w)->start();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().to_string().find(p("nope")), std::string::npos) << r.error().to_string();
}

// Run as an unprivileged user (root reads everything): an unreadable directory is reported once, the rest
// is watched, and the directory is watched once it becomes readable.
TEST_F(InotifyWatch, UnreadableDirectoryIsReportedAndWatchedOnceReadable) {
    make_dirs(p("open"));
    make_dirs(p("locked/inner"));
    write_file(p("locked/inner/f.c"));
    auto body = [&] {
        if (::geteuid() == 0) {
            if (::chown(dir.path().c_str(), 65534, 65534) != 0) std::_Exit(3);
            for (auto& e : std::filesystem::recursive_directory_iterator(dir.path()))
                if (::lchown(e.path().c_str(), 65534, 65534) != 0) std::_Exit(3);
            if (::setgid(65534) != 0 || ::setuid(65534) != 0) std::_Exit(3);
        }
        if (::chmod(p("locked").c_str(), 0) != 0) std::_Exit(4);
        start(options());
        if (warnings.size() != 1 || warnings[0].find(p("locked")) == std::string::npos) std::_Exit(5);
        if (watcher->stats().directories != 2) std::_Exit(6);  // root and open
        scenario.step("writes in the readable part", [&] { write_file(p("open/a.c")); },
                      [&] { return seen.has(p("open/a.c")); })
            .step("the directory becomes readable", [&] { ::chmod(p("locked").c_str(), 0755); },
                  [&] { return seen.has(p("locked/inner/f.c"), ChangeKind::Created); })
            .step("and is watched", [&] { write_file(p("locked/inner/g.c")); },
                  [&] { return seen.has(p("locked/inner/g.c")); });
        std::_Exit(scenario.run().empty() ? 0 : 7);
    };
    EXPECT_EXIT(body(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
