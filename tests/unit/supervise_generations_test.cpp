// Generations: who serves, who is on the way in, transitions through advance(), and a stop (the one test
// with a real process, since the stop goes to its Child).

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <vector>

#include "core/event_loop.hpp"
#include "proc/child.hpp"
#include "ready/probe.hpp"
#include "supervise/generations.hpp"

using namespace hotswap;

namespace {

struct Fixture {
    std::unique_ptr<EventLoop> loop = EventLoop::create({}).value();
    std::vector<std::string> events;
    EventSink sink = [this](const Event& e) { events.emplace_back(event_name(e)); };
    Generations set{sink, SIGTERM, Duration(10'000)};
};

}  // namespace

TEST(Generations, IdsCountUpAndTheStateMachineDecidesWhoServes) {
    Fixture f;
    Generation& first = f.set.add(f.set.make(LaunchTarget{}));
    Generation& second = f.set.add(f.set.make(LaunchTarget{}));
    EXPECT_EQ(first.id, 1);
    EXPECT_EQ(second.id, 2);
    EXPECT_EQ(f.set.serving(), nullptr);
    EXPECT_EQ(f.set.starting(), &first);
    f.set.advance(first, GenerationEvent::ProbeReady);
    f.set.advance(first, GenerationEvent::Switch);
    EXPECT_EQ(f.set.serving_id(), 1);
    EXPECT_EQ(f.set.starting(), &second);
    // An event that cannot happen in the state it finds is ignored.
    f.set.advance(first, GenerationEvent::ProbeReady);
    EXPECT_EQ(first.state, GenerationState::Serving);
}

TEST(Generations, StoppingDrainsAndArmsTheKillTimer) {
    Fixture f;
    Generation& g = f.set.add(f.set.make(LaunchTarget{}));
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "exec sleep 100"};
    auto child = Child::spawn(*f.loop, spec, Generation::kTailLines, {});
    ASSERT_TRUE(child) << child.error().to_string();
    const Child& real = **child;
    g.child = std::move(*child);
    f.set.advance(g, GenerationEvent::Switch);
    EXPECT_FALSE(f.set.any_stopping());
    f.set.stop(g, "replaced");
    EXPECT_EQ(g.state, GenerationState::Draining);
    EXPECT_TRUE(f.set.any_stopping());
    EXPECT_TRUE(f.set.any_draining());
    EXPECT_TRUE(real.kill_pending());
    EXPECT_EQ(f.events, (std::vector<std::string>{"drain"}));
    f.set.stop(g, "replaced");  // once
    EXPECT_EQ(f.events.size(), 1u);
    auto gone = f.set.remove(g.id);
    ASSERT_TRUE(gone);
    EXPECT_TRUE(f.set.empty());
    EXPECT_EQ(f.set.remove(gone->id), nullptr);
    const pid_t pid = gone->pid();
    gone.reset();                // its Child kills the group...
    ::waitpid(pid, nullptr, 0);  // ...and no loop runs here to collect it: no zombie for later tests
}

TEST(Generations, AFailedStartStopsWithoutLeavingFailed) {
    Fixture f;
    Generation& g = f.set.add(f.set.make(LaunchTarget{}));
    f.set.advance(g, GenerationEvent::ReadyTimeout);
    ASSERT_EQ(g.state, GenerationState::Failed);
    f.set.stop(g, "not-ready");
    EXPECT_EQ(g.state, GenerationState::Failed);
    EXPECT_TRUE(g.stop_requested());
    EXPECT_FALSE(f.set.any_draining());
}
