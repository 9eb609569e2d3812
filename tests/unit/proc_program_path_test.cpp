// find_program: the file a command's first word runs, found as execvp finds it.

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "proc/program_path.hpp"
#include "temp_dir.hpp"

using namespace hotswap;
using hotswap::testing::TempDir;
namespace fs = std::filesystem;

namespace {

void make_file(const fs::path& path, mode_t mode) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "#!/bin/sh\n";
    ::chmod(path.c_str(), mode);
}

}  // namespace

TEST(ProcProgramPath, ANameWithASlashIsTakenFromTheCwd) {
    TempDir dir{"hotswap-program-path"};
    make_file(dir.path() / "bin/app", 0755);
    EXPECT_EQ(find_program("bin/app", dir.path(), ""), dir.path() / "bin/app");
    EXPECT_EQ(find_program("./bin/../bin/app", dir.path(), ""), dir.path() / "bin/app");
    EXPECT_EQ(find_program((dir.path() / "bin/app").string(), "/", ""), dir.path() / "bin/app");
    EXPECT_EQ(find_program("missing/app", dir.path(), ""), std::nullopt);
}

TEST(ProcProgramPath, ABareNameIsLookedUpInTheSearchPath) {
    TempDir dir{"hotswap-program-path"};
    make_file(dir.path() / "tools/helper", 0755);
    make_file(dir.path() / "tools/data", 0644);
    make_file(dir.path() / "later/helper", 0755);
    fs::create_directories(dir.path() / "dirs/helper");
    std::string search = (dir.path() / "dirs").string() + ":" + (dir.path() / "nowhere").string() + ":" +
                         (dir.path() / "tools").string() + ":" + (dir.path() / "later").string();
    EXPECT_EQ(find_program("helper", "/", search), dir.path() / "tools/helper") << "the first file, not a directory";
    EXPECT_EQ(find_program("data", "/", search), std::nullopt) << "not executable";
    EXPECT_EQ(find_program("", "/", search), std::nullopt);
}

TEST(ProcProgramPath, EmptyAndRelativeEntriesCountFromTheCwd) {
    TempDir dir{"hotswap-program-path"};
    make_file(dir.path() / "bin/app", 0755);
    EXPECT_EQ(find_program("app", dir.path(), "bin"), dir.path() / "bin/app");
    EXPECT_EQ(find_program("app", dir.path() / "bin", ""), dir.path() / "bin/app");
    EXPECT_EQ(find_program("app", dir.path(), ""), std::nullopt);
}
