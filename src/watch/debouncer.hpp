#pragma once
// Debouncer: collects raw changes and emits one ChangeSet per burst. A burst ends after a quiet time with
// no new change, or `max_wait` after its first change even if changes keep coming.
//
// The quiet time depends on what is pending (DebounceStrategy::Adaptive, the default): a lone existing file
// written completely (closed after an in-place write, or a new version renamed into place) is most likely
// an editor's save, and waits only `quick`; anything else (several files, a file still being written, a
// file just created, which may be a temporary about to be renamed, a removal that may be the first half
// of an atomic save, a rescan) waits the full `settle` window. This keeps a save's latency low without
// splitting a checkout or a formatter run into several builds. Paths are merged: an editor's
// write-temp-then-rename is one change of the real file, and a file created and removed within the burst
// (a temporary) is no change at all.

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "core/change.hpp"

namespace hotswap {

enum class DebounceStrategy {
    Trailing,  // always wait `settle` after the last change
    Adaptive,  // `quick` for a lone completely written file, `settle` otherwise
    Leading,   // emit the first change at once, then trail by `settle` (a burst gives two change sets)
};

struct DebounceOptions {
    Duration settle{50};
    Duration quick{10};
    Duration max_wait{1000};
    DebounceStrategy strategy = DebounceStrategy::Adaptive;
};

// "trailing", "adaptive", "leading"; false for anything else.
bool parse_debounce_strategy(std::string_view text, DebounceStrategy& out);

class Debouncer {
public:
    using SettledCallback = std::function<void(ChangeSet)>;
    Debouncer(EventLoop& loop, DebounceOptions options, SettledCallback on_settled);
    ~Debouncer();
    Debouncer(const Debouncer&) = delete;
    Debouncer& operator=(const Debouncer&) = delete;

    void add(std::vector<Change> changes);
    // Paths waiting for the burst to end.
    size_t pending() const { return live_; }
    // The quiet time the pending changes wait for (settle, or quick for a lone completely written file).
    Duration window() const;

private:
    struct Entry {
        Change change;
        ChangeKind first;   // the kind this burst first saw for the path
        bool born = false;  // created (not renamed into place) within the burst: maybe a temporary
        bool dropped = false;
    };
    void merge(Change change);
    void arm(Duration after);
    void flush();

    EventLoop& loop_;
    DebounceOptions options_;
    SettledCallback on_settled_;
    std::vector<Entry> entries_;
    std::unordered_map<std::string, size_t> index_;
    size_t live_ = 0;
    EventLoop::Timer settle_timer_;
    EventLoop::Timer max_timer_;
    Clock::time_point quiet_until_{};  // Leading: a change before this continues the previous burst
};

}  // namespace hotswap
