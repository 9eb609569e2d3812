#pragma once
// Debouncer: collects raw changes and emits one ChangeSet per burst: after `settle` with no new change,
// or after `max_wait` since the burst's first change even if changes keep coming.

#include <functional>
#include <vector>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "watch/change.hpp"

namespace hotswap {

class Debouncer {
public:
    using SettledCallback = std::function<void(ChangeSet)>;
    Debouncer(EventLoop& loop, Duration settle, Duration max_wait, SettledCallback on_settled);
    ~Debouncer();
    Debouncer(const Debouncer&) = delete;
    Debouncer& operator=(const Debouncer&) = delete;

    void add(std::vector<Change> changes);

private:
    void flush();

    EventLoop& loop_;
    Duration settle_;
    Duration max_wait_;
    SettledCallback on_settled_;
    ChangeSet pending_;
    EventLoop::TimerId settle_timer_ = 0;
    EventLoop::TimerId max_timer_ = 0;
};

}  // namespace hotswap
