// What `hotswap serve` decides about a file before it runs it, without a supervisor: whether an ELF
// binary is whole (every prefix of a real binary is not; appended bytes do not matter; hostile headers are
// refused, not trusted), and which file a command's program is.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/file_descriptor.hpp"
#include "proc/program_path.hpp"
#include "supervise/artifact_command.hpp"
#include "artifact/elf_extent.hpp"
#include "temp_dir.hpp"

using namespace hotswap;
namespace fs = std::filesystem;

using hotswap::testing::TempDir;

namespace {

std::vector<char> read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& p, const std::vector<char>& bytes, size_t length, mode_t mode = 0755) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(length));
    out.close();
    fs::permissions(p, fs::perms(mode));
}

Result<std::optional<ElfExtent>> extent_of(const fs::path& p) {
    FileDescriptor fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    EXPECT_TRUE(fd.valid()) << p;
    return elf_extent(fd.get());
}

// A 64-bit little-endian ELF header with the given tables (the rest zero).
std::vector<char> elf64_header(uint64_t phoff, uint16_t phnum, uint64_t shoff, uint16_t shnum) {
    std::vector<char> h(64, 0);
    h[0] = 0x7f, h[1] = 'E', h[2] = 'L', h[3] = 'F', h[4] = 2, h[5] = 1, h[6] = 1;
    auto put = [&](size_t at, uint64_t v, size_t size) {
        for (size_t i = 0; i < size; ++i) h[at + i] = char((v >> (8 * i)) & 0xff);
    };
    put(32, phoff, 8), put(40, shoff, 8), put(54, 56, 2), put(56, phnum, 2), put(58, 64, 2), put(60, shnum, 2);
    return h;
}

}  // namespace

TEST(ElfExtent, ARealBinaryIsWholeAndEveryHalfOfItIsNot) {
    // A real ELF binary like any server hotswap runs: the shell (small), else this very test binary.
    std::error_code ec;
    std::vector<char> self = read_all(fs::canonical("/bin/sh", ec));
    if (self.size() < 4 || self[0] != 0x7f) self = read_all("/proc/self/exe");
    ASSERT_GT(self.size(), 1024u);
    TempDir dir{"hotswap-serve"};
    fs::path copy = dir.path() / "app";
    write_all(copy, self, self.size());
    auto whole = extent_of(copy);
    ASSERT_TRUE(whole.ok());
    ASSERT_TRUE(whole->has_value());
    EXPECT_TRUE((*whole)->complete()) << (*whole)->size << " of " << (*whole)->needed;
    for (size_t length : {size_t(0), size_t(3), size_t(40), self.size() / 2, self.size() - 1}) {
        write_all(copy, self, length);
        auto part = extent_of(copy);
        ASSERT_TRUE(part.ok()) << length << ": " << part.error().to_string();
        ASSERT_TRUE(part->has_value()) << length;
        EXPECT_FALSE((*part)->complete()) << "a prefix of " << length << " bytes was taken for whole";
        EXPECT_EQ((*part)->size, length);
    }
    // Bytes appended after the last section (a release mark, a signature) do not matter.
    std::vector<char> longer = self;
    longer.insert(longer.end(), {'v', '2'});
    write_all(copy, longer, longer.size());
    auto appended = extent_of(copy);
    ASSERT_TRUE(appended.ok());
    EXPECT_TRUE((*appended)->complete());
}

TEST(ElfExtent, ScriptsAndOtherFilesCannotTell) {
    TempDir dir{"hotswap-serve"};
    for (std::string text : {"#!/bin/sh\nexec server\n", "#", "MZ\x90\x00"}) {
        fs::path p = dir.path() / "script";
        write_all(p, std::vector<char>(text.begin(), text.end()), text.size());
        auto extent = extent_of(p);
        ASSERT_TRUE(extent.ok());
        EXPECT_FALSE(extent->has_value()) << text;
    }
}

TEST(ElfExtent, HeadersThatPointPastTheEndMeanIncomplete) {
    TempDir dir{"hotswap-serve"};
    fs::path p = dir.path() / "app";
    // Section headers at 4096: the file must hold 4096 + 3 * 64 bytes.
    auto h = elf64_header(0, 0, 4096, 3);
    h.resize(1000, 0);
    write_all(p, h, h.size());
    auto extent = extent_of(p);
    ASSERT_TRUE(extent.ok());
    EXPECT_EQ((*extent)->needed, 4096u + 3 * 64);
    EXPECT_FALSE((*extent)->complete());
    // A segment whose bytes end at 9000: needed too.
    auto with_segment = elf64_header(64, 1, 0, 0);
    with_segment.resize(64 + 56, 0);
    for (size_t i = 0; i < 8; ++i) with_segment[64 + 8 + i] = char((uint64_t{100} >> (8 * i)) & 0xff);   // p_offset
    for (size_t i = 0; i < 8; ++i) with_segment[64 + 32 + i] = char((uint64_t{8900} >> (8 * i)) & 0xff);  // p_filesz
    write_all(p, with_segment, with_segment.size());
    extent = extent_of(p);
    ASSERT_TRUE(extent.ok());
    EXPECT_EQ((*extent)->needed, 9000u);
}

TEST(ElfExtent, HostileHeadersAreRefusedNotTrusted) {
    TempDir dir{"hotswap-serve"};
    fs::path p = dir.path() / "app";
    auto wraps = elf64_header(0, 0, ~uint64_t(0) - 10, 2);  // offset + size wraps around to a small number
    write_all(p, wraps, wraps.size());
    EXPECT_FALSE(extent_of(p).ok());
    auto bad_class = elf64_header(0, 0, 0, 0);
    bad_class[4] = 9;
    write_all(p, bad_class, bad_class.size());
    EXPECT_FALSE(extent_of(p).ok());
}

TEST(ProgramFile, PathsAreRelativeToTheWorkingDirectoryAndBareNamesSearchPath) {
    TempDir dir{"hotswap-serve"};
    fs::create_directories(dir.path() / "bin");
    fs::create_directories(dir.path() / "tools");
    write_all(dir.path() / "bin/app", {'x'}, 1);
    write_all(dir.path() / "tools/helper", {'x'}, 1);
    write_all(dir.path() / "tools/data", {'x'}, 1, 0644);
    EXPECT_EQ(find_program("bin/app", dir.path(), ""), dir.path() / "bin/app");
    EXPECT_EQ(find_program("./bin/../bin/app", dir.path(), ""), dir.path() / "bin/app");
    EXPECT_EQ(find_program((dir.path() / "bin/app").string(), "/", ""), dir.path() / "bin/app");
    std::string search = "/nonexistent:" + (dir.path() / "tools").string();
    EXPECT_EQ(find_program("helper", "/", search), dir.path() / "tools/helper");
    EXPECT_EQ(find_program("data", "/", search), std::nullopt) << "not executable";
    EXPECT_EQ(find_program("app", dir.path(), "bin"), dir.path() / "bin/app") << "a relative PATH entry";
    EXPECT_EQ(find_program("app", dir.path(), ""), std::nullopt) << "PATH's one entry (empty: the cwd) has no app";
    EXPECT_EQ(find_program("missing/app", dir.path(), ""), std::nullopt);
}
