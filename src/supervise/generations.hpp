#pragma once
// Generations: the set of running builds of the app (DESIGN.md §3): which one serves, which one is on its
// way in, and how each is stopped (the stop signal to its group, SIGKILL after drain_timeout). It is the only
// caller of the state machine's next_state(): every transition goes through advance(). While a reload's
// work runs, the serving generation gets the shortest time slice (proc/time_slice.hpp).

#include <functional>
#include <map>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/duration.hpp"
#include "events/lifecycle_events.hpp"
#include "supervise/generation.hpp"
#include "supervise/lifecycle.hpp"

namespace hotswap {

class Generations {
public:
    Generations(const EventSink& events, int stop_signal, Duration drain_timeout);
    ~Generations();

    // A new generation, not yet in the set: it joins with add() once its process runs.
    std::unique_ptr<Generation> make(LaunchTarget target);
    Generation& add(std::unique_ptr<Generation> g);
    // Out of the set, for good (its leader exited).
    std::unique_ptr<Generation> remove(int id);

    Generation* find(int id);
    Generation* serving();
    const Generation* serving() const;
    const Generation* starting() const;  // a generation on its way in (starting or ready), if any
    int serving_id() const;
    bool empty() const { return all_.empty(); }
    bool any_stopping() const;  // told to stop and not gone yet
    bool any_draining() const;
    const std::map<int, std::unique_ptr<Generation>>& all() const { return all_; }
    // Each generation's id, state, pid, artifact, reason, uptimes and probation, for `hotswap status`.
    nlohmann::json status_json() const;

    // The state machine's step; an event that cannot happen in the state it finds is ignored (and said).
    void advance(Generation& g, GenerationEvent event);
    // The stop signal to the whole group (a `sh -c` wrapper or a worker pool gets it too, as with Ctrl-C
    // in a terminal), then SIGKILL once drain_timeout has passed. `reason` is the drain event's: replaced,
    // superseded, not-ready or shutdown. The generation drains from now on; with a drain_first hook, the
    // signal waits until the hook says so (the HTTP front finishing its requests on `g`), and the kill
    // comes drain_timeout after the stop began, but at least a second after the signal (or drain_timeout
    // after it, when that is shorter).
    void stop(Generation& g, std::string_view reason);
    using DrainFirst = std::function<void(const Generation& g, Duration timeout, std::function<void()> then)>;
    void set_drain_first(DrainFirst hook) { drain_first_ = std::move(hook); }
    void stop_all(std::string_view reason);
    void kill_all();

    // The reload's work starts: the serving generation preempts it. `overlapping`: something serves
    // during a reload at all (restart mode has nothing to favor).
    void favor_serving(bool overlapping);
    void favor(Generation& g, bool overlapping);
    // The reload's work is over: every generation back to the kernel's default.
    void unfavor_all();

private:
    void on_drain_timeout(int id);
    void send_stop_signal(Generation& g);

    const EventSink& events_;
    int stop_signal_;
    Duration drain_timeout_;
    DrainFirst drain_first_;
    std::map<int, std::unique_ptr<Generation>> all_;
    int next_id_ = 1;
};

}  // namespace hotswap
