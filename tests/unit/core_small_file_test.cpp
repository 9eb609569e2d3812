// read_small_file: a whole file up to a byte limit, errors that name the syscall and the path.

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "core/small_file.hpp"
#include "temp_dir.hpp"

using namespace hotswap;
using hotswap::testing::TempDir;

namespace {

std::string write(const TempDir& dir, const char* name, const std::string& text) {
    std::ofstream(dir.file(name), std::ios::binary) << text;
    return dir.file(name);
}

}  // namespace

TEST(CoreSmallFile, ReadsAFileUpToTheLimitWhole) {
    TempDir dir{"hotswap-small-file"};
    EXPECT_EQ(read_small_file(write(dir, "empty", ""), 16).value(), "");
    EXPECT_EQ(read_small_file(write(dir, "exact", std::string(16, 'x')), 16).value(), std::string(16, 'x'));
    std::string big(10000, 'y');
    EXPECT_EQ(read_small_file(write(dir, "big", big), 10000).value(), big) << "more than one read's buffer";
}

TEST(CoreSmallFile, ALargerFileFailsWithEfbig) {
    TempDir dir{"hotswap-small-file"};
    std::string path = write(dir, "large", std::string(17, 'x'));
    auto r = read_small_file(path, 16);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().errnum(), EFBIG);
    EXPECT_EQ(r.error().to_string().rfind("read(" + path + ")", 0), 0u) << r.error().to_string();
}

TEST(CoreSmallFile, ALargerFileCanBeCut) {
    TempDir dir{"hotswap-small-file"};
    EXPECT_EQ(read_small_file(write(dir, "large", "0123456789"), 4, Oversize::Cut).value(), "0123");
}

TEST(CoreSmallFile, AMissingFileNamesOpenAndThePath) {
    TempDir dir{"hotswap-small-file"};
    auto r = read_small_file(dir.file("missing"), 16);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().errnum(), ENOENT);
    EXPECT_EQ(r.error().to_string().rfind("open(" + dir.file("missing") + ")", 0), 0u) << r.error().to_string();
}
