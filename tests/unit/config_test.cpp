#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include <fmt/core.h>

#include "config/command_line.hpp"
#include "config/config_file.hpp"
#include "config/settings.hpp"
#include "config/suggest.hpp"
#include "temp_dir.hpp"

using hotswap::testing::TempDir;
using namespace hotswap;
using namespace std::chrono_literals;

namespace {

// A config file in a fresh temp dir.
class ConfigFile : public ::testing::Test {
protected:

    Result<Config> read(const std::string& text) {
        auto path = dir_ / "hotswap.toml";
        std::ofstream(path) << text;
        Config c;
        auto r = read_config_file(path, c);
        if (!r) return r.take_error();
        return c;
    }
    std::string error_of(const std::string& text) {
        auto r = read(text);
        EXPECT_FALSE(r.ok());
        if (r.ok()) return "";
        std::string e = r.error().to_string();
        // Strip the directory, keep "hotswap.toml:L:C: ...".
        return e.substr(e.find("hotswap.toml"));
    }
    TempDir temp_{"hotswap-config"};
    const std::filesystem::path& dir_ = temp_.path();
};

}  // namespace

TEST_F(ConfigFile, ReadsEverySection) {
    auto c = read(R"(
[watch]
paths = ["src", "include"]
ext = ["cpp", "hpp"]
ignore = "build/"
debounce = 80
[build]
cmd = "make"
timeout = "2m"
artifact = "out/server"
[run]
cmd = ["./server", "--flag"]
args = ["extra"]
env = { A = "1", B = "two" }
stop_signal = "INT"
drain_timeout = "3s"
probation = "1s"
listen_pid = false
[[listen]]
name = "http"
address = "127.0.0.1:8080"
[[listen]]
address = "unix:///tmp/x.sock"
[ready]
kind = "http"
url = "http://127.0.0.1:8080/health"
timeout = "5s"
)");
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    EXPECT_EQ(c->watch_paths, (std::vector<std::string>{"src", "include"}));
    EXPECT_EQ(c->extensions, (std::vector<std::string>{"cpp", "hpp"}));
    EXPECT_EQ(c->ignore, (std::vector<std::string>{"build/"}));
    EXPECT_EQ(c->debounce, 80ms);
    EXPECT_EQ(c->build_cmd, "make");
    EXPECT_EQ(*c->build_timeout, 120s);
    EXPECT_EQ(c->artifact, "out/server");
    EXPECT_EQ(c->command, (std::vector<std::string>{"./server", "--flag", "extra"}));
    EXPECT_EQ(c->env, (std::vector<std::string>{"A=1", "B=two"}));
    EXPECT_EQ(c->stop_signal, SIGINT);
    EXPECT_EQ(c->drain_timeout, 3s);
    EXPECT_EQ(c->probation, 1s);
    EXPECT_FALSE(c->listen_pid);
    ASSERT_EQ(c->listen.size(), 2u);
    EXPECT_EQ(c->listen[0].name, "http");
    EXPECT_EQ(c->listen[1].address, "unix:///tmp/x.sock");
    EXPECT_EQ(c->ready, "http:http://127.0.0.1:8080/health");
    EXPECT_EQ(c->ready_timeout, 5s);
}

TEST_F(ConfigFile, StringCommandRunsThroughTheShell) {
    auto c = read("[run]\ncmd = \"./server > log\"\n");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->command, (std::vector<std::string>{"/bin/sh", "-c", "./server > log"}));
}

TEST_F(ConfigFile, UnknownKeysNamePositionAndSuggest) {
    EXPECT_EQ(error_of("[watch]\n  debounse = 5\n"),
              "hotswap.toml:2:3: unknown key 'debounse' in [watch]; did you mean 'debounce'?");
    EXPECT_EQ(error_of("[biuld]\ncmd = 'x'\n"),
              "hotswap.toml:1:2: unknown key 'biuld' at the top level; did you mean 'build'?");
    EXPECT_NE(error_of("[run]\nzzzzzz = 1\n").find("known keys: cmd, args"), std::string::npos);
}

TEST_F(ConfigFile, BadValuesNamePosition) {
    EXPECT_EQ(error_of("[build]\ntimeout = 5\n"),
              "hotswap.toml:2:11: 'timeout' must be a duration string like \"500ms\" or \"10s\"");
    EXPECT_EQ(error_of("[watch]\npaths = [1]\n"), "hotswap.toml:2:10: every item of 'paths' must be a string");
    EXPECT_NE(error_of("[run]\nstop_signal = \"NOPE\"\n").find("hotswap.toml:2:15: 'NOPE' is not a signal"),
              std::string::npos);
    EXPECT_NE(error_of("[[listen]]\nname = \"x\"\n").find("needs an address"), std::string::npos);
    EXPECT_NE(error_of("watch = 3\n").find("'watch' must be a table"), std::string::npos);
}

TEST_F(ConfigFile, FloatsWhereIntegersBelongAreRefusedWhateverTheirSize) {
    // A float beyond int64's range once reached an undefined conversion inside toml++ (found by the fuzzer).
    EXPECT_NE(error_of("[watch]\ndebounce = 1e300\n").find("hotswap.toml:2:12: 'debounce' must be"), std::string::npos);
    EXPECT_NE(error_of("[build]\nnice = 5.0\n").find("hotswap.toml:2:8: 'nice' must be a number"), std::string::npos);
    EXPECT_NE(error_of("[artifacts]\nkeep = -1e300\n").find("'keep' must be a number"), std::string::npos);
}

TEST_F(ConfigFile, SyntaxErrorsNamePosition) {
    std::string e = error_of("[watch\n");
    EXPECT_TRUE(e.starts_with("hotswap.toml:1:")) << e;
}

TEST(Suggest, NearestKnownWord) {
    constexpr std::string_view keys[] = {"debounce", "paths", "ext", "ignore"};
    EXPECT_EQ(nearest("debounse", keys).value_or(""), "debounce");
    EXPECT_EQ(nearest("igonre", keys).value_or(""), "ignore");
    EXPECT_FALSE(nearest("completely-different", keys).has_value());
}

namespace {
std::variant<CommandLine, int> parse(std::vector<std::string> args) {
    args.insert(args.begin(), "hotswap");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return parse_command_line(int(argv.size()), argv.data());
}
}  // namespace

TEST(CommandLine, FlagsOverrideTheFileAndCommandFollowsDoubleDash) {
    auto parsed = parse({"-w", "src", "-e", "go,.tmpl", "-i", "*.log", "-b", "make", "--debounce", "20",
                         "--stop-signal", "INT", "--drain-timeout", "2s", "-l", "api=127.0.0.1:9000", "--",
                         "./server", "--port", "1"});
    ASSERT_TRUE(std::holds_alternative<CommandLine>(parsed));
    auto& line = std::get<CommandLine>(parsed);
    EXPECT_EQ(line.command, (std::vector<std::string>{"./server", "--port", "1"}));
    Config c;
    c.ignore = {"from-file"};
    c.build_cmd = "from-file";
    ASSERT_TRUE(line.apply(c).ok());
    EXPECT_EQ(c.watch_paths, (std::vector<std::string>{"src"}));
    EXPECT_EQ(c.extensions, (std::vector<std::string>{"go", "tmpl"}));
    EXPECT_EQ(c.ignore, (std::vector<std::string>{"from-file", "*.log"}));
    EXPECT_EQ(c.build_cmd, "make");
    EXPECT_EQ(c.debounce, 20ms);
    EXPECT_EQ(c.stop_signal, SIGINT);
    EXPECT_EQ(c.drain_timeout, 2s);
    ASSERT_EQ(c.listen.size(), 1u);
    EXPECT_EQ(c.listen[0].name, "api");
    EXPECT_EQ(c.listen[0].address, "127.0.0.1:9000");
}

TEST(CommandLine, VerbsAndUsageErrors) {
    auto serve = parse({"serve", "-l", ":8080", "--", "./x"});
    ASSERT_TRUE(std::holds_alternative<CommandLine>(serve));
    EXPECT_EQ(std::get<CommandLine>(serve).verb, Verb::Serve);
    auto bad = parse({"--no-such-flag"});
    ASSERT_TRUE(std::holds_alternative<int>(bad));
    EXPECT_EQ(std::get<int>(bad), 2);
}

TEST(CommandLine, BadDurationIsAnError) {
    auto parsed = parse({"--drain-timeout", "5"});
    ASSERT_TRUE(std::holds_alternative<CommandLine>(parsed));
    Config c;
    auto r = std::get<CommandLine>(parsed).apply(c);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().to_string().find("--drain-timeout: '5' is not a duration"), std::string::npos);
}

// The settings table itself: what makes one row enough for a setting.
namespace {

// Every field of Config, so a row's two ways in can be compared whole (a row that wrote a second field
// on one side only would show here).
bool same(const Config& a, const Config& b) {
    auto fields = [](const Config& c) {
        std::vector<std::string> listen;
        for (const auto& l : c.listen) listen.push_back(l.name + "=" + l.address);
        return std::tuple(c.watch_paths, c.extensions, c.ignore, c.debounce, c.poll, c.build_cmd, c.build_timeout,
                          c.build_nice, c.build_idle, c.artifact, c.artifacts_keep, c.verify_key, c.command, c.env,
                          c.cwd, c.stop_signal, c.drain_timeout, c.probation, c.listen_pid, c.restart, listen,
                          c.ready, c.ready_timeout, c.proxy, c.proxy_protocol, c.app_socket, c.header_timeout,
                          c.max_connections, c.forwarded_headers, c.shift_steps, c.check_cmd, c.shadow, c.live_reload, c.events,
                          c.verbosity, c.json);
    };
    return fields(a) == fields(b);
}

// One value per row that has both a key and a flag, written both ways.
struct Sample {
    std::string toml_value;
    std::vector<std::string> flag_args;
};
const std::map<std::string_view, Sample> kSamples = {
    {"--watch", {"\"src\"", {"--watch", "src"}}},
    {"--ext", {"[\"go\", \"tmpl\"]", {"--ext", "go,.tmpl"}}},
    {"--ignore", {"\"*.log\"", {"--ignore", "*.log"}}},
    {"--debounce", {"80", {"--debounce", "80"}}},
    {"--poll", {"250", {"--poll=250"}}},  // an integer is milliseconds, never taken for `poll = true`
    {"--build", {"\"make\"", {"--build", "make"}}},
    {"--build-timeout", {"\"2m\"", {"--build-timeout", "2m"}}},
    {"--artifact", {"\"out/server\"", {"--artifact", "out/server"}}},
    {"--build-nice", {"3", {"--build-nice", "3"}}},
    {"--stop-signal", {"\"INT\"", {"--stop-signal", "INT"}}},
    {"--drain-timeout", {"\"3s\"", {"--drain-timeout", "3s"}}},
    {"--probation", {"\"1s\"", {"--probation", "1s"}}},
    {"--no-listen-pid", {"false", {"--no-listen-pid"}}},
    {"--restart", {"\"never\"", {"--restart", "never"}}},
    {"--listen", {"\"127.0.0.1:9000\"", {"--listen", "127.0.0.1:9000"}}},
    {"--ready", {"\"notify\"", {"--ready", "notify"}}},
    {"--ready-timeout", {"\"5s\"", {"--ready-timeout", "5s"}}},
    {"--proxy", {"\"127.0.0.1:8080\"", {"--proxy", "127.0.0.1:8080"}}},
    {"--proxy-protocol", {"\"tcp\"", {"--proxy", "127.0.0.1:8080", "--proxy-protocol", "tcp"}}},
    {"--app-socket", {"\"fd\"", {"--proxy", "127.0.0.1:8080", "--app-socket", "fd"}}},
    {"--header-timeout", {"\"3s\"", {"--proxy", "127.0.0.1:8080", "--header-timeout", "3s"}}},
    {"--shift", {"[10, 50]", {"--shift", "10,50"}}},  // the last step, 100, comes by itself
    {"--check", {"\"curl -f {url}/health\"", {"--check", "curl -f {url}/health"}}},
    {"--shadow", {"20", {"--shadow", "20"}}},
    {"--live-reload", {"false", {"--proxy", "127.0.0.1:8080", "--live-reload=off"}}},
    {"--verify-key", {"\"key.pub\"", {"--verify-key", "key.pub"}}},
    {"--events", {"\"-\"", {"--events", "-"}}},
    {"--quiet", {"true", {"--quiet"}}},
    {"--verbose", {"true", {"--verbose"}}},
};

std::string toml_for(const Setting& row, const std::string& value) {
    std::string header;
    for (const Section& s : sections())
        if (s.name == row.section && !s.name.empty())
            header = s.shape == SectionShape::ArrayOfTables ? fmt::format("[[{}]]\n", s.name)
                                                             : fmt::format("[{}]\n", s.name);
    // [proxy] is read only with its address.
    if (row.section == "proxy" && row.key != "address") header += "address = \"127.0.0.1:8080\"\n";
    return fmt::format("{}{} = {}\n", header, row.key, value);
}

}  // namespace

TEST(SettingsTable, EveryRowHasAKeyOrAFlagAndAWayIn) {
    std::set<std::string> keys, flags;
    for (const Setting& row : settings()) {
        SCOPED_TRACE(fmt::format("[{}] {} {}", row.section, row.key, row.flag));
        EXPECT_TRUE(!row.key.empty() || !row.flag.empty());
        if (!row.key.empty()) {
            EXPECT_NE(row.read, nullptr);
            EXPECT_TRUE(keys.insert(fmt::format("{}.{}", row.section, row.key)).second) << "key twice";
        }
        if (!row.flag.empty()) {
            EXPECT_NE(row.apply, nullptr);
            EXPECT_FALSE(row.help.empty());
            EXPECT_TRUE(row.long_flag().starts_with("--"));
            EXPECT_TRUE(flags.insert(std::string(row.long_flag())).second) << "flag twice";
        }
    }
}

TEST_F(ConfigFile, EveryKeyWithAFlagReachesTheSameFieldBothWays) {
    for (const Setting& row : settings()) {
        if (row.key.empty() || row.flag.empty()) continue;
        SCOPED_TRACE(std::string(row.long_flag()));
        auto sample = kSamples.find(row.long_flag());
        ASSERT_NE(sample, kSamples.end()) << "add a sample for this row";

        auto from_file = read(toml_for(row, sample->second.toml_value));
        ASSERT_TRUE(from_file.ok()) << from_file.error().to_string();

        auto parsed = parse(sample->second.flag_args);
        ASSERT_TRUE(std::holds_alternative<CommandLine>(parsed));
        Config from_flag;
        ASSERT_TRUE(std::get<CommandLine>(parsed).apply(from_flag).ok());

        EXPECT_TRUE(same(*from_file, from_flag));
        EXPECT_FALSE(same(from_flag, Config{})) << "the sample must change the default";
    }
}

TEST_F(ConfigFile, EveryKnownKeyIsReadAndItsMisspellingSuggestsIt) {
    EXPECT_EQ(known_keys(""), (std::vector<std::string_view>{"watch", "build", "run", "listen", "ready", "proxy",
                                                             "shift", "check", "artifacts", "events", "quiet",
                                                             "verbose"}));
    for (const Setting& row : settings()) {
        if (row.key.empty()) continue;
        SCOPED_TRACE(fmt::format("[{}] {}", row.section, row.key));
        std::string typo = std::string(row.key) + "x";
        std::string e = error_of(toml_for(Setting{.section = row.section, .key = typo}, "0"));
        EXPECT_NE(e.find(fmt::format("unknown key '{}'", typo)), std::string::npos) << e;
        EXPECT_NE(e.find(fmt::format("did you mean '{}'?", row.key)), std::string::npos) << e;
    }
}

TEST(ConfigLiveReload, OnByDefaultInTheDevLoopBehindTheFrontOnly) {
    Config c;
    c.verb = Verb::Run;
    EXPECT_FALSE(live_reload_on(c)) << "no front";
    c.proxy = "127.0.0.1:8080";
    EXPECT_TRUE(live_reload_on(c));
    c.proxy_protocol = ProxyProtocol::Tcp;
    EXPECT_FALSE(live_reload_on(c)) << "the byte proxy sees no pages";
    c.proxy_protocol = ProxyProtocol::Auto;
    c.verb = Verb::Serve;
    EXPECT_FALSE(live_reload_on(c)) << "off in serve";
    c.live_reload = true;
    EXPECT_TRUE(live_reload_on(c));
}
