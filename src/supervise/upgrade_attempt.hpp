#pragma once
// UpgradeAttempt: one upgrade, from what started it to its outcome. Every attempt (a change, `hotswap
// reload`, SIGHUP, a key, a replaced artifact, a requested rollback) is bracketed by the events
// reload_start … reload_end, and whoever asked is answered at reload_end. A request that arrives while an
// attempt is open joins it: one outcome for all, the latest state of things.
//
// The outcome is honest: a generation that takes over is a success only once it has passed probation
// (DESIGN.md §3); one that dies within it is rolled back, and the attempt failed, whatever was said at the
// switch. The supervisor tells it what happened; it decides when the attempt ends and with which words.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.hpp"
#include "events/lifecycle_events.hpp"
#include "supervise/generation.hpp"
#include "supervise/lifecycle.hpp"

namespace hotswap {

// How a reload or rollback asked for from outside (control socket, keys, SIGHUP) ended.
struct ReloadOutcome {
    bool ok = false;         // true once the new generation serves
    std::string message;     // one sentence: what serves now, or why the old version still does
    int generation = 0;      // the generation that serves afterwards (0: none)
};
using ReloadCallback = std::function<void(const ReloadOutcome&)>;
// Notes while a reload is under way, for the one who waits ("app#3 serving; on probation for 5 s").
using ReloadProgress = std::function<void(std::string_view note)>;

class UpgradeAttempt {
public:
    // What the attempt asks of the supervisor: the generation serving now (null: none), and a last word
    // before the outcome goes out (the serving generation's favor ends there).
    struct Hooks {
        std::function<const Generation*()> serving;
        std::function<void()> before_finish;
    };
    UpgradeAttempt(const EventSink& events, Duration probation, Hooks hooks);

    bool open() const { return open_; }
    // Opens an attempt (reload_start), unless one is open: then this joins it.
    void begin(std::string_view trigger, std::string_view action = "reload");
    void join(ReloadCallback done, ReloadProgress progress);
    void progress(std::string_view note);

    // A step failed. The attempt ends, unless `newer_on_the_way` (a newer build or generation is coming).
    void failed(std::string_view why, bool newer_on_the_way);
    // The attempt ends now: reload_end, and every waiter is answered.
    void finish(bool ok, std::string_view message);

    // `g` took over: the attempt ends now, or once `g` has passed probation.
    void switched(const Generation& g);
    void passed_probation(const Generation& g);
    // `g` exited and the exit rules chose `action`; ends the attempt when it was waiting for `g`.
    // `newer_starting`: a newer generation is on its way in and carries the attempt on.
    void lost(const Generation& g, ExitAction action, std::string_view how, bool newer_starting);

private:
    // `passed_probation`: the probation the serving generation passed just now (0: none).
    void end(bool ok, std::string_view message, Duration passed_probation);

    struct Waiter {
        ReloadCallback done;
        ReloadProgress progress;
    };

    const EventSink& events_;
    Duration probation_;
    Hooks hooks_;
    std::vector<Waiter> waiters_;
    bool open_ = false;
    std::string trigger_;
    Clock::time_point started_{};
    int probation_awaited_ = 0;    // the generation whose probation ends the attempt
    std::string rollback_reason_;  // set while the attempt's generation is being rolled back
};

}  // namespace hotswap
