// The build runs below hotswap's CPU priority (--build-nice / [build] nice): every process of the build
// gets hotswap's niceness + N, and 0 leaves it alone. Config: the flag and the key, with their bounds.

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include "build/build_priority.hpp"
#include "build/builder.hpp"
#include "config/command_line.hpp"
#include "config/config_file.hpp"
#include "core/event_loop.hpp"
#include "run_build.hpp"
#include "temp_dir.hpp"

using hotswap::testing::TempDir;
using namespace hotswap;
using namespace std::chrono_literals;

namespace {

int own_nice() { return ::getpriority(PRIO_PROCESS, 0); }

// Runs one build of `cmd` with the given nice steps and returns the build's output lines.
std::vector<std::string> build_output(const std::string& cmd, int nice, bool idle = false) {
    auto result = run_build(cmd, nice, idle);
    if (!result) return {};
    EXPECT_EQ(result->outcome, BuildOutcome::Succeeded) << result->message;
    return result->tail;
}

// Shell text that prints the niceness of process PID (field 19 of its stat) with builtins only.
std::string print_nice(const std::string& pid) { return "read -r s < /proc/" + pid + "/stat; set -- $s; echo ${19}"; }

// The build's own niceness, then that of a command it starts, which must inherit it. Set before exec:
// there is nothing to wait for.
std::string print_nice_then_start_a_command() { return print_nice("$$") + "; sh -c '" + print_nice("$$") + "'"; }

}  // namespace

TEST(BuildPriority, TheBuildAndTheCommandsItStartsRunNiceStepsLower) {
    const int expected = std::min(own_nice() + 3, kMaxBuildNice);
    auto tail = build_output(print_nice_then_start_a_command(), 3);
    ASSERT_EQ(tail.size(), 2u);
    EXPECT_EQ(tail[0], std::to_string(expected));
    EXPECT_EQ(tail[1], std::to_string(expected)) << "a command the build starts inherits its priority";
}

TEST(BuildPriority, ZeroLeavesTheBuildAtHotswapsPriority) {
    auto tail = build_output("sh -c '" + print_nice("$$") + "'", 0);
    ASSERT_EQ(tail.size(), 1u);
    EXPECT_EQ(tail[0], std::to_string(own_nice()));
}

TEST(BuildPriority, NeverBelowTheLowestPriority) {
    auto tail = build_output(print_nice_then_start_a_command(), kMaxBuildNice + 5);
    ASSERT_EQ(tail.size(), 2u);
    EXPECT_EQ(tail[1], std::to_string(kMaxBuildNice));
}

TEST(BuildPriority, IdleRunsTheBuildAndItsCommandsAtSchedIdle) {
    // Field 41 of /proc/PID/stat is the scheduling policy; SCHED_IDLE is 5. Set before exec, so the
    // build's first instruction runs under it and there is nothing to wait for.
    auto tail = build_output("read -r s < /proc/$$/stat; set -- $s; echo ${41}; "
                             "sh -c 'read -r s < /proc/$$/stat; set -- $s; echo ${41}'",
                             10, true);
    ASSERT_EQ(tail.size(), 2u);
    EXPECT_EQ(tail[0], std::to_string(SCHED_IDLE));
    EXPECT_EQ(tail[1], std::to_string(SCHED_IDLE)) << "a command the build starts inherits the policy";
}

TEST(BuildPriority, NicenessIsHotswapsOwnPlusTheStepsCapped) {
    EXPECT_EQ(build_niceness(0).value(), std::nullopt);
    EXPECT_EQ(build_niceness(-3).value(), std::nullopt);
    EXPECT_EQ(build_niceness(4).value(), std::min(own_nice() + 4, kMaxBuildNice));
    EXPECT_EQ(build_niceness(kMaxBuildNice + 5).value(), kMaxBuildNice);
}

namespace {
std::variant<CommandLine, int> parse(std::vector<std::string> args) {
    args.insert(args.begin(), "hotswap");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return parse_command_line(int(argv.size()), argv.data());
}
Result<Config> read_file(const std::string& text) {
    TempDir dir("hotswap-build-nice");
    std::ofstream(dir.path() / "hotswap.toml") << text;
    Config c;
    auto r = read_config_file(dir.path() / "hotswap.toml", c);
    if (!r) return r.take_error();
    return c;
}
}  // namespace

TEST(BuildNiceConfig, FlagAndKeyWithTheirBounds) {
    EXPECT_EQ(Config{}.build_nice, kDefaultBuildNice);

    for (const auto& [text, value] : {std::pair{"0", 0}, {"5", 5}, {"19", 19}}) {
        auto parsed = parse({"--build-nice", text, "--", "./server"});
        ASSERT_TRUE(std::holds_alternative<CommandLine>(parsed));
        Config c;
        ASSERT_TRUE(std::get<CommandLine>(parsed).apply(c).ok()) << text;
        EXPECT_EQ(c.build_nice, value);
    }
    for (const char* bad : {"20", "-1", "ten", "", "007"}) {
        auto parsed = parse({"--build-nice", bad, "--", "./server"});
        if (!std::holds_alternative<CommandLine>(parsed)) continue;  // CLI11 refused it already
        Config c;
        auto applied = std::get<CommandLine>(parsed).apply(c);
        ASSERT_FALSE(applied.ok()) << bad;
        EXPECT_NE(applied.error().to_string().find("from 0 to 19"), std::string::npos) << applied.error().to_string();
    }

    for (const char* idle : {"idle"}) {
        auto parsed = parse({"--build-nice", idle, "--", "./server"});
        ASSERT_TRUE(std::holds_alternative<CommandLine>(parsed));
        Config c;
        ASSERT_TRUE(std::get<CommandLine>(parsed).apply(c).ok());
        EXPECT_TRUE(c.build_idle);
    }
    auto idle = read_file("[build]\nnice = \"idle\"\n");
    ASSERT_TRUE(idle.ok()) << idle.error().to_string();
    EXPECT_TRUE(idle->build_idle);
    EXPECT_FALSE(Config{}.build_idle);

    auto c = read_file("[build]\ncmd = \"make\"\nnice = 4\n");
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    EXPECT_EQ(c->build_nice, 4);
    auto bad = read_file("[build]\nnice = 25\n");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().to_string().find(":2:8: 'nice' must be a number from 0 to 19"), std::string::npos)
        << bad.error().to_string();
}
