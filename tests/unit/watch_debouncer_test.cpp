// The debouncer: one change set per burst, atomic saves as one change, temporaries dropped, the window it
// waits depending on what is pending, and the max-wait cap. The clock is only used through the event
// loop's timers; assertions are on what is emitted, never on how long it took.

#include "watch/debouncer.hpp"
#include "watch_test_support.hpp"

using namespace hotswap;
using namespace hotswap::testing;

namespace {

Change complete(std::string path, ChangeKind kind = ChangeKind::Modified) { return Change{std::move(path), kind, false}; }
Change writing(std::string path, ChangeKind kind = ChangeKind::Modified) { return Change{std::move(path), kind, true}; }

struct DebounceTest : ::testing::Test {
    std::unique_ptr<EventLoop> loop = make_loop();
    std::vector<ChangeSet> sets;
    std::function<void()> after_flush;
    std::unique_ptr<Debouncer> make(DebounceOptions o) {
        return std::make_unique<Debouncer>(*loop, o, [this](ChangeSet s) {
            sets.push_back(std::move(s));
            if (after_flush) after_flush();
        });
    }
    // Runs `script` (timers on the loop), then stops once `done` holds after a flush.
    void run_until(std::function<bool()> done) {
        after_flush = [this, done] {
            if (done()) loop->stop(0);
        };
        auto deadline = loop->after(20s, [this] { loop->stop(1); });
        EXPECT_EQ(loop->run(), 0) << "timed out";
        deadline.cancel();
    }
};

TEST_F(DebounceTest, OneSetPerBurst) {
    DebounceOptions o;
    o.settle = Duration(80);
    auto d = make(o);
    // 100 paths in 10 slices, 2 ms apart: well inside the settle window.
    std::vector<EventLoop::Timer> slices;
    for (int slice = 0; slice < 10; ++slice)
        slices.push_back(loop->after(Duration(2 * slice), [&, slice] {
            std::vector<Change> batch;
            for (int i = 0; i < 10; ++i) batch.push_back(complete("/p/f" + std::to_string(slice * 10 + i)));
            d->add(std::move(batch));
        }));
    run_until([&] { return true; });
    ASSERT_EQ(sets.size(), 1u);
    EXPECT_EQ(sets[0].changes.size(), 100u);
    EXPECT_EQ(sets[0].changes.front().path, "/p/f0");  // in the order first seen
}

TEST_F(DebounceTest, AtomicSaveIsOneChangeOfTheRealFile) {
    auto d = make({});
    // vim with backupcopy=no: the file is renamed away (removed), written anew, closed. The watcher
    // already dropped 4913, the swap file and the `~` backup.
    d->add({complete("/p/main.c", ChangeKind::Removed)});
    d->add({writing("/p/main.c", ChangeKind::Created)});
    d->add({complete("/p/main.c")});
    // An editor writing a temporary and renaming it over the file: the temporary never existed.
    d->add({writing("/p/.main.c.tmp123", ChangeKind::Created), complete("/p/.main.c.tmp123")});
    d->add({complete("/p/.main.c.tmp123", ChangeKind::Removed), complete("/p/main.c", ChangeKind::Created)});
    run_until([&] { return true; });
    ASSERT_EQ(sets.size(), 1u);
    ASSERT_EQ(sets[0].changes.size(), 1u);
    EXPECT_EQ(sets[0].changes[0].path, "/p/main.c");
    EXPECT_EQ(sets[0].changes[0].kind, ChangeKind::Modified);
}

TEST_F(DebounceTest, TemporariesAloneEmitNothing) {
    auto d = make({});
    d->add({writing("/p/tmp", ChangeKind::Created)});
    d->add({complete("/p/tmp", ChangeKind::Removed)});
    EXPECT_EQ(d->pending(), 0u);
    auto later = loop->after(Duration(100), [&] { d->add({complete("/p/real.c")}); });
    run_until([&] { return true; });
    ASSERT_EQ(sets.size(), 1u);
    ASSERT_EQ(sets[0].changes.size(), 1u);
    EXPECT_EQ(sets[0].changes[0].path, "/p/real.c");
}

TEST_F(DebounceTest, KindsMergeAsAFileWouldSeeThem) {
    auto d = make({});
    d->add({writing("/p/new.c", ChangeKind::Created), complete("/p/new.c")});       // created, then written
    d->add({complete("/p/gone.c"), complete("/p/gone.c", ChangeKind::Removed)});    // modified, then removed
    d->add({complete("/p/back.c", ChangeKind::Removed), complete("/p/back.c", ChangeKind::Created)});
    d->add({complete("/p", ChangeKind::Rescan), complete("/p")});
    run_until([&] { return true; });
    ASSERT_EQ(sets.size(), 1u);
    ASSERT_EQ(sets[0].changes.size(), 4u);
    EXPECT_EQ(sets[0].changes[0].kind, ChangeKind::Rescan);  // a rescan leads the set
    EXPECT_EQ(sets[0].changes[1].kind, ChangeKind::Created);
    EXPECT_EQ(sets[0].changes[2].kind, ChangeKind::Removed);
    EXPECT_EQ(sets[0].changes[3].kind, ChangeKind::Modified);
}

TEST_F(DebounceTest, AdaptiveWindowShortOnlyForALoneCompleteFile) {
    DebounceOptions o;
    o.settle = Duration(60'000);  // a flush through the settle window would time the test out
    o.quick = Duration(1);
    o.max_wait = Duration(60'000);
    auto d = make(o);
    // An existing file written in place: the full window while it is written, the short one once closed.
    d->add({writing("/p/a.c")});
    EXPECT_EQ(d->window(), o.settle);
    d->add({complete("/p/a.c")});
    EXPECT_EQ(d->window(), o.quick);
    run_until([&] { return true; });
    ASSERT_EQ(sets.size(), 1u);
    // A new version renamed into place: the short window.
    auto renamed = make(o);
    renamed->add({complete("/p/a.c", ChangeKind::Created)});
    EXPECT_EQ(renamed->window(), o.quick);
    // A file just created, even closed, may be a temporary about to be renamed (sed -i): the full window.
    auto created = make(o);
    created->add({writing("/p/sedX1", ChangeKind::Created)});
    created->add({complete("/p/sedX1")});
    EXPECT_EQ(created->window(), o.settle);
    // vim: renamed away, created, closed: the real file is back, the short window.
    auto vim = make(o);
    vim->add({complete("/p/v.c", ChangeKind::Removed)});
    EXPECT_EQ(vim->window(), o.settle);
    vim->add({writing("/p/v.c", ChangeKind::Created)});
    vim->add({complete("/p/v.c")});
    EXPECT_EQ(vim->window(), o.quick);
    // Two files: a burst, the full window. A removal: maybe half an atomic save, the full window.
    d->add({complete("/p/a.c"), complete("/p/b.c")});
    EXPECT_EQ(d->window(), o.settle);
    auto d2 = make(o);
    d2->add({complete("/p/a.c", ChangeKind::Removed)});
    EXPECT_EQ(d2->window(), o.settle);
    d2->add({complete("/p", ChangeKind::Rescan)});
    EXPECT_EQ(d2->window(), o.settle);
}

TEST_F(DebounceTest, TrailingAlwaysWaitsTheSettleWindow) {
    DebounceOptions o;
    o.strategy = DebounceStrategy::Trailing;
    auto d = make(o);
    d->add({complete("/p/a.c")});
    EXPECT_EQ(d->window(), o.settle);
}

TEST_F(DebounceTest, LeadingEmitsTheFirstChangeAtOnceThenTrails) {
    DebounceOptions o;
    o.strategy = DebounceStrategy::Leading;
    o.settle = Duration(50);
    auto d = make(o);
    d->add({complete("/p/first.c")});
    // More of the same burst right after the first set went out: they form a second set.
    after_flush = [&] {
        if (sets.size() == 1) d->add({complete("/p/second.c"), complete("/p/third.c")});
        if (sets.size() == 2) loop->stop(0);
    };
    auto deadline = loop->after(20s, [&] { loop->stop(1); });
    EXPECT_EQ(loop->run(), 0);
    deadline.cancel();
    ASSERT_EQ(sets.size(), 2u);
    EXPECT_EQ(sets[0].changes.size(), 1u);
    EXPECT_EQ(sets[1].changes.size(), 2u);
}

TEST_F(DebounceTest, MaxWaitCapsAContinuousStream) {
    DebounceOptions o;
    o.strategy = DebounceStrategy::Trailing;
    o.settle = Duration(50);
    o.max_wait = Duration(100);
    auto d = make(o);
    // A change every 10 ms for 2 s never leaves 50 ms of quiet: only the cap can emit.
    int added = 0;
    EventLoop::Timer next_tick;
    std::function<void()> tick = [&] {
        d->add({complete("/p/log" + std::to_string(added++ % 3))});
        if (added < 200) next_tick = loop->after(Duration(10), tick);
    };
    tick();
    int added_at_first_set = -1;
    run_until([&] {
        if (added_at_first_set < 0) added_at_first_set = added;
        return true;
    });
    EXPECT_LT(added_at_first_set, 200) << "the stream was still running when the first set came out";
}

TEST_F(DebounceTest, StrategyNames) {
    DebounceStrategy s{};
    EXPECT_TRUE(parse_debounce_strategy("leading", s));
    EXPECT_EQ(s, DebounceStrategy::Leading);
    EXPECT_TRUE(parse_debounce_strategy("trailing", s));
    EXPECT_EQ(s, DebounceStrategy::Trailing);
    EXPECT_TRUE(parse_debounce_strategy("adaptive", s));
    EXPECT_EQ(s, DebounceStrategy::Adaptive);
    EXPECT_FALSE(parse_debounce_strategy("fast", s));
}

}  // namespace
