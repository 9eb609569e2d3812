// report_root_removed: what a watched root that is gone means to the user, for both watcher backends.

#include <gtest/gtest.h>

#include "watch/watched_tree.hpp"

using namespace hotswap;

TEST(WatchRootRemoved, ADirectoryRootIsOneRemoval) {
    WatchRoot root;
    root.path = "/srv/app/src";
    std::vector<Change> changes;
    report_root_removed(root, changes);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].path, "/srv/app/src");
    EXPECT_EQ(changes[0].kind, ChangeKind::Removed);
}

TEST(WatchRootRemoved, AFileRootRemovesEachOfItsFiles) {
    WatchRoot root;
    root.path = "/srv/app";
    root.files = {"main.go", "go.mod"};
    std::vector<Change> changes{Change{"/before", ChangeKind::Modified}};
    report_root_removed(root, changes);
    ASSERT_EQ(changes.size(), 3u) << "appended to what was there";
    EXPECT_EQ(changes[1].path, "/srv/app/main.go");
    EXPECT_EQ(changes[2].path, "/srv/app/go.mod");
    EXPECT_EQ(changes[2].kind, ChangeKind::Removed);
}
