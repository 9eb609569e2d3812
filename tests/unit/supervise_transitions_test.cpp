// The transitions of DESIGN.md §3, driven through the whole Supervisor without a single process: a fake
// build, fake generations and a manual clock (EventLoop::create_manual), so ready timeouts, probation,
// drain timeouts and restart backoff are reached by moving the clock, not by waiting.

#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "supervise/supervisor.hpp"
#include "temp_dir.hpp"

using namespace hotswap;
using namespace std::chrono_literals;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitStatus1 = 1 << 8;  // as waitpid() reports exit(1)

// A build that ends when the test says so.
class FakeBuild final : public BuildRunner {
public:
    explicit FakeBuild(DoneCallback done) : done_(std::move(done)) {}
    void request(ChangeSet changes) override {
        ++requests;
        changes_ = std::move(changes);
        busy_ = true;
    }
    void abort() override { busy_ = false; }
    bool busy() const override { return busy_; }
    pid_t pid() const override { return 0; }

    void finish(BuildOutcome outcome, std::string message = {}) {
        ASSERT_TRUE(busy_) << "no build was requested";
        busy_ = false;
        BuildResult result;
        result.outcome = outcome;
        result.duration = Duration(1200);
        result.message = std::move(message);
        result.changes = changes_;
        done_(std::move(result));
    }

    int requests = 0;

private:
    DoneCallback done_;
    ChangeSet changes_;
    bool busy_ = false;
};

// A generation's process that prints and exits when the test says so. A stop records the signal and, like
// the real Child, kills it once the grace period has passed on the loop's clock.
class FakeApp final : public ChildProcess {
public:
    FakeApp(EventLoop& loop, pid_t pid, Callbacks callbacks, std::map<pid_t, FakeApp*>& registry)
        : loop_(loop), pid_(pid), callbacks_(std::move(callbacks)), registry_(registry) {
        registry_[pid_] = this;
    }
    ~FakeApp() override { registry_.erase(pid_); }

    pid_t pid() const override { return pid_; }
    bool running() const override { return running_; }
    std::vector<std::string> tail() const override { return tail_; }
    const Result<void>& exit_watch() const override { return watch_; }
    void stop(int signo, Duration grace, std::function<void()> before_kill) override {
        signals.push_back(signo);
        kill_timer_ = loop_.after(grace, [this, before_kill = std::move(before_kill)] {
            if (before_kill) before_kill();
            signal_group(SIGKILL);
        });
    }
    void signal_group(int signo) override {
        signals.push_back(signo);
        if (signo == SIGKILL) loop_.post([this] { exit(SIGKILL); });
    }

    void print(std::string_view line) {
        tail_.emplace_back(line);
        if (callbacks_.on_line) callbacks_.on_line(line);
    }
    // The supervisor may destroy this object in the callback: nothing is touched after it.
    void exit(int wait_status) {
        running_ = false;
        kill_timer_.cancel();
        ExitCallback on_exit = std::move(callbacks_.on_exit);
        on_exit(wait_status);
    }

    std::vector<int> signals;

private:
    EventLoop& loop_;
    pid_t pid_;
    Callbacks callbacks_;
    std::map<pid_t, FakeApp*>& registry_;
    std::vector<std::string> tail_;
    Result<void> watch_;
    bool running_ = true;
    EventLoop::Timer kill_timer_;
};

// No source watch: the test hands the supervisor its changes.
class FakeWatch final : public SourceWatch {};

struct World {
    hotswap::testing::TempDir dir{"supervise-transitions"};
    std::unique_ptr<EventLoop> loop = EventLoop::create_manual().value();
    Config config;
    FakeBuild* build = nullptr;
    SourceWatch::OnChanges change;
    std::map<pid_t, FakeApp*> apps;  // by pid, while they run
    std::vector<std::string> spawned_argv0;
    std::vector<nlohmann::json> events;  // {"event": name, ...fields}
    std::unique_ptr<Supervisor> supervisor;

    // Pids far above any real one: a stray kill() would find no process.
    static constexpr pid_t kFirstPid = 4'000'000;

    World() {
        config.root = dir.path();
        config.build_cmd = "make";
        config.command = {"/bin/true"};
        config.listen = {ListenSpec{"", "unix://" + dir.file("app.sock")}};
        config.ready = "log:listening";
    }

    Drivers drivers() {
        Drivers d;
        d.builder = [this](EventLoop&, BuildOptions, BuildRunner::DoneCallback done) -> std::unique_ptr<BuildRunner> {
            auto fake = std::make_unique<FakeBuild>(std::move(done));
            build = fake.get();
            return fake;
        };
        d.spawn_app = [this](EventLoop& l, SpawnSpec spec, size_t,
                             ChildProcess::Callbacks callbacks) -> Result<std::unique_ptr<ChildProcess>> {
            spawned_argv0.push_back(spec.argv.at(0));
            const pid_t pid = kFirstPid + pid_t(spawned_argv0.size());
            return std::unique_ptr<ChildProcess>(std::make_unique<FakeApp>(l, pid, std::move(callbacks), apps));
        };
        auto watch = [this](EventLoop&, const Config&, const std::filesystem::path&,
                            SourceWatch::OnChanges on_changes) -> Result<std::unique_ptr<SourceWatch>> {
            change = std::move(on_changes);
            return std::unique_ptr<SourceWatch>(std::make_unique<FakeWatch>());
        };
        d.watch_sources = watch;
        d.watch_artifact = [watch](EventLoop& l, const Config& c, const std::filesystem::path& p, bool,
                                   SourceWatch::OnChanges on_changes) { return watch(l, c, p, std::move(on_changes)); };
        return d;
    }

    void start() {
        supervisor = std::make_unique<Supervisor>(*loop, config, drivers());
        supervisor->set_event_sink([this](const Event& e) {
            nlohmann::json j = event_fields(e);
            j["event"] = std::string(event_name(e));
            events.push_back(std::move(j));
        });
        auto started = supervisor->start();
        ASSERT_TRUE(started) << started.error().to_string();
        ASSERT_NE(build, nullptr);
        ASSERT_TRUE(change);
    }

    // The generation with this id (generations and pids count up together here).
    FakeApp* app(int generation) {
        auto it = apps.find(kFirstPid + generation);
        return it == apps.end() ? nullptr : it->second;
    }
    void save() { change(ChangeSet{{Change{dir.file("main.go"), ChangeKind::Modified}}}); }
    // The build writes the artifact, as a real build would, then succeeds.
    void build_ok(std::string_view content = "v") {
        if (!config.artifact.empty()) {
            std::ofstream(config.artifact) << content;
            ::chmod(config.artifact.c_str(), 0755);
        }
        build->finish(BuildOutcome::Succeeded);
        loop->advance(0ms);
    }
    void ready(int generation) {
        ASSERT_NE(app(generation), nullptr) << "generation " << generation << " does not run";
        app(generation)->print("listening on the socket");
        loop->advance(0ms);
    }
    // Generation 1 serving, its probation over.
    void serve_first() {
        start();
        build_ok("v1");
        ready(1);
        loop->advance(config.probation);
        ASSERT_EQ(serving(), 1);
    }
    int serving() const { return supervisor->status_json()["serving_generation"].get<int>(); }

    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& e : events) out.push_back(e["event"].get<std::string>());
        return out;
    }
    const nlohmann::json* last(std::string_view name) const {
        for (auto it = events.rbegin(); it != events.rend(); ++it)
            if ((*it)["event"] == name) return &*it;
        return nullptr;
    }
    int count(std::string_view name) const {
        int n = 0;
        for (const auto& e : events) n += e["event"] == name;
        return n;
    }
};

}  // namespace

TEST(SupervisorTransitions, TheFirstBuildStartsAGenerationThatServesOnceReady) {
    World w;
    w.start();
    EXPECT_EQ(w.build->requests, 1);
    w.build_ok();
    ASSERT_NE(w.app(1), nullptr);
    EXPECT_EQ(w.serving(), 0) << "not before it is ready";
    w.loop->advance(10s);
    EXPECT_EQ(w.serving(), 0);
    w.ready(1);
    EXPECT_EQ(w.serving(), 1);
    EXPECT_EQ(w.names(), (std::vector<std::string>{"build_start", "build_end", "spawn", "ready", "switch"}));
}

TEST(SupervisorTransitions, TheOldGenerationStopsOnlyOnceTheNewOneIsReady) {
    World w;
    w.serve_first();
    w.save();
    w.build_ok();
    ASSERT_NE(w.app(2), nullptr);
    w.loop->advance(5s);
    EXPECT_EQ(w.serving(), 1);
    EXPECT_TRUE(w.app(1)->signals.empty()) << "the old generation was stopped before the new one was ready";
    w.ready(2);
    EXPECT_EQ(w.serving(), 2);
    EXPECT_EQ(w.app(1)->signals, (std::vector<int>{SIGTERM}));
    EXPECT_EQ((*w.last("switch"))["previous"], 1);
    EXPECT_EQ((*w.last("drain"))["generation"], 1);
    w.app(1)->exit(kExitOk);
    EXPECT_EQ((*w.last("exit"))["state"], "draining");
    EXPECT_EQ((*w.last("exit"))["action"], "none");
    // The attempt ends with the new generation's probation.
    EXPECT_EQ(w.count("reload_end"), 0);
    w.loop->advance(w.config.probation);
    ASSERT_NE(w.last("reload_end"), nullptr);
    EXPECT_EQ((*w.last("reload_end"))["ok"], true);
    EXPECT_EQ((*w.last("reload_end"))["generation"], 2);
}

TEST(SupervisorTransitions, AFailedBuildLeavesTheServingGenerationAlone) {
    World w;
    w.serve_first();
    w.save();
    w.build->finish(BuildOutcome::Failed, "the build failed (exit status 2)");
    w.loop->advance(0ms);
    EXPECT_EQ((*w.last("build_end"))["ok"], false);
    EXPECT_EQ(w.app(2), nullptr);
    EXPECT_EQ(w.spawned_argv0.size(), 1u);
    EXPECT_EQ(w.serving(), 1);
    EXPECT_TRUE(w.app(1)->signals.empty());
    EXPECT_EQ((*w.last("reload_end"))["ok"], false);
}

TEST(SupervisorTransitions, AGenerationNeverReadyIsStoppedAtTheReadyTimeout) {
    World w;
    w.serve_first();
    w.save();
    w.build_ok();
    w.loop->advance(w.config.ready_timeout - 1ms);
    EXPECT_TRUE(w.app(2)->signals.empty());
    w.loop->advance(1ms);
    EXPECT_EQ(w.app(2)->signals, (std::vector<int>{SIGTERM}));
    EXPECT_EQ((*w.last("exit"))["reason"], "not ready in time");
    w.app(2)->exit(SIGTERM);
    EXPECT_EQ(w.serving(), 1);
    EXPECT_TRUE(w.app(1)->signals.empty());
    EXPECT_EQ((*w.last("reload_end"))["ok"], false);
    EXPECT_EQ((*w.last("reload_end"))["generation"], 1);
}

TEST(SupervisorTransitions, AnExitBeforeReadyKeepsTheOldVersionServing) {
    World w;
    w.serve_first();
    w.save();
    w.build_ok();
    w.app(2)->print("panic: config missing");
    w.app(2)->exit(kExitStatus1);
    w.loop->advance(0ms);
    EXPECT_EQ(w.serving(), 1);
    EXPECT_TRUE(w.app(1)->signals.empty());
    EXPECT_EQ((*w.last("exit"))["state"], "starting");
    EXPECT_EQ((*w.last("exit"))["status"], "exit status 1");
    EXPECT_EQ((*w.last("reload_end"))["ok"], false);
    // Nothing restarts a build that failed to start: the next change does.
    w.loop->advance(1min);
    EXPECT_EQ(w.spawned_argv0.size(), 2u);
}

TEST(SupervisorTransitions, ACrashWithinProbationRollsBackToTheLastGoodBuild) {
    World w;
    w.config.artifact = w.dir.file("server");
    w.serve_first();
    const std::string good = (*w.last("build_end"))["artifact"];
    w.save();
    w.build_ok("v2");
    w.ready(2);
    w.app(1)->exit(kExitOk);
    w.loop->advance(1s);
    w.app(2)->exit(SIGSEGV);
    w.loop->advance(0ms);
    ASSERT_NE(w.last("rollback"), nullptr);
    EXPECT_EQ((*w.last("rollback"))["generation"], 2);
    EXPECT_EQ((*w.last("rollback"))["to"], good);
    EXPECT_EQ((*w.last("spawn"))["generation"], 3);
    EXPECT_EQ((*w.last("spawn"))["reason"], "rollback");
    EXPECT_EQ((*w.last("spawn"))["artifact"], good);
    w.ready(3);
    EXPECT_EQ(w.serving(), 3);
    EXPECT_EQ(w.supervisor->history_json().back()["outcome"], "bad");
}

TEST(SupervisorTransitions, ACrashAfterProbationRestartsTheSameBuildWithBackoff) {
    World w;
    w.serve_first();
    w.app(1)->exit(SIGSEGV);
    w.loop->advance(0ms);
    ASSERT_NE(w.last("restart"), nullptr);
    const auto delay = Duration((*w.last("restart"))["delay_ms"].get<int64_t>());
    EXPECT_EQ(delay, Duration(500));
    EXPECT_EQ(w.count("rollback"), 0);
    w.loop->advance(delay - 1ms);
    EXPECT_EQ(w.spawned_argv0.size(), 1u);
    w.loop->advance(1ms);
    ASSERT_NE(w.app(2), nullptr);
    EXPECT_EQ((*w.last("spawn"))["reason"], "restart");
    w.ready(2);
    EXPECT_EQ(w.serving(), 2);
    // It crashes again at once: the wait doubles.
    w.app(2)->exit(SIGSEGV);
    w.loop->advance(0ms);
    EXPECT_EQ((*w.last("restart"))["delay_ms"], 1000);
}

TEST(SupervisorTransitions, AnOldGenerationIgnoringTheStopSignalIsKilledAtTheDrainTimeout) {
    World w;
    w.serve_first();
    w.save();
    w.build_ok();
    w.ready(2);
    ASSERT_EQ(w.app(1)->signals, (std::vector<int>{SIGTERM}));
    w.loop->advance(w.config.drain_timeout - 1ms);
    EXPECT_EQ(w.count("kill"), 0);
    w.loop->advance(1ms);
    EXPECT_EQ((*w.last("kill"))["generation"], 1);
    EXPECT_EQ(w.app(1), nullptr) << "killed and gone";
    EXPECT_EQ((*w.last("exit"))["status"], "killed by SIGKILL");
    EXPECT_EQ(w.serving(), 2);
}

TEST(SupervisorTransitions, ANewerBuildSupersedesAGenerationStillStarting) {
    World w;
    w.serve_first();
    w.save();
    w.build_ok();
    ASSERT_NE(w.app(2), nullptr);
    w.save();
    w.build_ok();
    EXPECT_EQ(w.app(2)->signals, (std::vector<int>{SIGTERM}));
    w.app(2)->exit(SIGTERM);
    w.ready(3);
    EXPECT_EQ(w.serving(), 3);
    EXPECT_EQ(w.app(1)->signals, (std::vector<int>{SIGTERM}));
}

TEST(SupervisorTransitions, ShutdownStopsEveryGenerationTheSameWayAsADrain) {
    World w;
    w.serve_first();
    w.save();
    w.build_ok();
    w.supervisor->shutdown(SIGTERM);
    EXPECT_EQ(w.app(1)->signals, (std::vector<int>{SIGTERM}));
    EXPECT_EQ(w.app(2)->signals, (std::vector<int>{SIGTERM}));
    w.app(2)->print("listening on the socket");  // too late: nothing switches while stopping
    w.loop->advance(0ms);
    EXPECT_EQ(w.count("switch"), 1);
    w.loop->advance(w.config.drain_timeout);
    EXPECT_EQ(w.app(1), nullptr);
    EXPECT_EQ(w.app(2), nullptr);
    EXPECT_EQ(w.count("kill"), 2);
}
