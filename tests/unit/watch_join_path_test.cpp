// join_path: how the watchers write the path of a name inside a directory.

#include <gtest/gtest.h>

#include "watch/join_path.hpp"

using hotswap::join_path;

TEST(WatchJoinPath, OneSlashBetweenDirectoryAndName) {
    EXPECT_EQ(join_path("/src", "a.c"), "/src/a.c");
    EXPECT_EQ(join_path("/src/", "a.c"), "/src/a.c");
    EXPECT_EQ(join_path("/", "etc"), "/etc");
    EXPECT_EQ(join_path("", "a.c"), "/a.c");
    EXPECT_EQ(join_path("/src", "sub/a.c"), "/src/sub/a.c");
}
