// Which build commands run directly and which go through /bin/sh -c, and what a build then runs as.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "build/build_command.hpp"
#include "run_build.hpp"

using namespace hotswap;

namespace {

std::vector<std::string> shell(const std::string& command) { return {"/bin/sh", "-c", command}; }

}  // namespace

TEST(BuildCommand, PlainWordsRunDirectly) {
    EXPECT_EQ(build_argv("./build.sh"), (std::vector<std::string>{"./build.sh"}));
    EXPECT_EQ(build_argv("go build -o bin/app ./cmd/app"),
              (std::vector<std::string>{"go", "build", "-o", "bin/app", "./cmd/app"}));
    EXPECT_EQ(build_argv("  make   -j2 all "), (std::vector<std::string>{"make", "-j2", "all"}));
    EXPECT_EQ(build_argv("cmake --build build --target app,lib@x+y%z:w"),
              (std::vector<std::string>{"cmake", "--build", "build", "--target", "app,lib@x+y%z:w"}));
}

TEST(BuildCommand, AnythingAShellWouldReadGoesToTheShell) {
    for (const char* c : {"make && ./test", "make || true", "make; make install", "make | tee log", "make > log",
                          "make < in", "make &", "go build $FLAGS", "go build ${FLAGS}", "echo `date`",
                          "cc 'a b.c'", "cc \"a b.c\"", "cc *.c", "cc ?.c", "cc [ab].c", "cc ~/x.c",
                          "CGO_ENABLED=0 go build", "make # comment", "cc a\\ b.c", "make\tall", "(make)",
                          "make\nmake install"})
        EXPECT_EQ(build_argv(c), shell(c)) << c;
}

TEST(BuildCommand, ShellBuiltinsAndKeywordsGoToTheShell) {
    for (const char* c : {"cd src", "exit 1", "true", "false", "echo hi", "if", "for", "while", "source env",
                          ". env", "exec make", "test -f x", "[ -f x ]", "kill 1", "wait"})
        EXPECT_EQ(build_argv(c), shell(c)) << c;
}

TEST(BuildCommand, AnEmptyCommandGoesToTheShell) {
    EXPECT_EQ(build_argv(""), shell(""));
    EXPECT_EQ(build_argv("   "), shell("   "));
}

namespace {

void write_script(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

}  // namespace

TEST(BuildCommand, APlainCommandIsTheBuildsOwnProcessNoShellBetween) {
    // The script prints its parent's name: hotswap's (here the test binary's), not a shell's.
    auto result = run_build("./parent.sh", 0, false, [](const std::filesystem::path& dir) {
        write_script(dir / "parent.sh", "#!/bin/sh\nread -r name < /proc/$PPID/comm; echo \"parent=$name\"\n");
    });
    ASSERT_TRUE(result);
    ASSERT_EQ(result->outcome, BuildOutcome::Succeeded) << result->message;
    ASSERT_FALSE(result->tail.empty());
    EXPECT_NE(result->tail.back(), "parent=sh");
    EXPECT_NE(result->tail.back(), "parent=dash");
}

TEST(BuildCommand, AScriptWithoutInterpreterLineStillRunsThroughTheShell) {
    auto result = run_build("./plain.sh", 0, false, [](const std::filesystem::path& dir) {
        write_script(dir / "plain.sh", "echo built without a '#!' line\n");
    });
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, BuildOutcome::Succeeded) << result->message;
    ASSERT_FALSE(result->tail.empty());
    EXPECT_EQ(result->tail.back(), "built without a #! line");  // the shell took the quotes
}

TEST(BuildCommand, AMissingCommandFailsWithTheShellsReason) {
    auto result = run_build("no-such-build-tool --all", 0);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, BuildOutcome::Failed) << result->message;
    ASSERT_FALSE(result->tail.empty());
    EXPECT_NE(result->tail.back().find("not found"), std::string::npos) << result->tail.back();
}
