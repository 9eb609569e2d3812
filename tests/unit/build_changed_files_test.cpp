// The changed-file lists given to the build: each build's list replaces the last one whole (a shorter list
// leaves nothing of a longer one behind), in the same file, so no inode is allocated per build.

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "build/changed_files.hpp"
#include "temp_dir.hpp"

using hotswap::testing::TempDir;
using namespace hotswap;
using namespace std::string_literals;

namespace {

std::string contents(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

ino_t inode_of(const std::filesystem::path& path) {
    struct stat st{};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_ino;
}

ChangeSet changes_of(std::initializer_list<const char*> paths) {
    ChangeSet set;
    for (const char* p : paths) set.changes.push_back(Change{p, ChangeKind::Modified});
    return set;
}

}  // namespace

TEST(ChangedFiles, EachBuildsListReplacesTheLastInTheSameFile) {
    TempDir temp("hotswap-changed-files");
    const std::filesystem::path& dir = temp.path();

    auto env = write_changed_files(dir, changes_of({"/p/a-long-name.cpp", "/p/b.cpp", "/p/with\nnewline"}));
    ASSERT_TRUE(env.ok()) << env.error().to_string();
    EXPECT_EQ(*env, (std::vector<std::string>{"HOTSWAP_CHANGED=" + (dir / "changed").string(),
                                              "HOTSWAP_CHANGED0=" + (dir / "changed0").string()}));
    EXPECT_EQ(contents(dir / "changed"), "/p/a-long-name.cpp\n/p/b.cpp\n/p/with\nnewline\n");
    EXPECT_EQ(contents(dir / "changed0"), "/p/a-long-name.cpp\0/p/b.cpp\0/p/with\nnewline\0"s);
    const ino_t list = inode_of(dir / "changed"), list0 = inode_of(dir / "changed0");

    ASSERT_TRUE(write_changed_files(dir, changes_of({"/p/c.cpp"})).ok());
    EXPECT_EQ(contents(dir / "changed"), "/p/c.cpp\n");
    EXPECT_EQ(contents(dir / "changed0"), "/p/c.cpp\0"s);
    EXPECT_EQ(inode_of(dir / "changed"), list);
    EXPECT_EQ(inode_of(dir / "changed0"), list0);

    ASSERT_TRUE(write_changed_files(dir, ChangeSet{}).ok());
    EXPECT_EQ(contents(dir / "changed"), "");
}
