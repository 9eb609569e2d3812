#pragma once
// LeftoverReaper: kills what generations leave behind outside their process group (leftovers.hpp says
// which processes those are), once each: a process killed already and merely not reaped yet is not news.

#include <sys/types.h>

#include <set>

#include "events/lifecycle_events.hpp"
#include "supervise/generations.hpp"

namespace hotswap {

class LeftoverReaper {
public:
    explicit LeftoverReaper(const EventSink& events) : events_(events) {}

    // Orphans of generations that are gone; with `everything` (hotswap is stopping), every orphan.
    // `build_pid`: the build running now (0: none), a known child like the generations' leaders.
    void reap(const Generations& generations, pid_t build_pid, bool everything);
    // hotswap's children, less the orphan guard (which leaves after hotswap, on its own).
    static std::vector<pid_t> children_left();

private:
    const EventSink& events_;
    std::set<pid_t> killed_;  // SIGKILLed, possibly not reaped yet
};

}  // namespace hotswap
