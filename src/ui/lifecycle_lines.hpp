#pragma once
// LifecycleLines: the console's subscriber to the lifecycle events (events/lifecycle_events.hpp). Each
// event becomes the line a person reads ("✓ app#2 serving · built in 1.20 s · ready in 80 ms · app#1
// draining · build 3-5e75968fa597"; "✗ the build failed (exit status 2) after 310 ms · app#1 is still
// serving the previous version", with the output's last lines under it), so the supervisor emits each step
// once and formats none of them. The lines go through Console, whose verbosity decides which are shown.

#include <string>
#include <string_view>
#include <vector>

#include "events/lifecycle_events.hpp"
#include "ui/console.hpp"

namespace hotswap {

// What brings the next attempt after a failure, which the hint names when nothing runs: a saved source
// (run) or a new binary put in place (serve).
enum class NextAttempt { Save, Deploy };

// What a failure says about what serves: "app#2 is still serving the previous version", or, when nothing
// runs (`serving_generation` 0), what brings the next attempt.
std::string still_serving_note(int serving_generation, NextAttempt next);

class LifecycleLines {
public:
    // What the lines depend on that is fixed for the whole run.
    struct Setup {
        NextAttempt next = NextAttempt::Save;
        bool build_only = false;  // no command: a build that succeeds is all there is, and its line says so
    };
    LifecycleLines(Console& console, Setup setup);

    void print(const Event& event);

private:
    void on(const event::Change& e);
    void on(const event::BuildStart& e);
    void on(const event::BuildEnd& e);
    void on(const event::Refused& e);
    void on(const event::Spawn& e);
    void on(const event::Ready& e);
    void on(const event::Check& e);
    void on(const event::Shadow& e);
    void on(const event::ShiftStep& e);
    void on(const event::ShiftAnalysis& e);
    void on(const event::ShiftEnd& e);
    void on(const event::Switch& e);
    void on(const event::Drain& e);
    void on(const event::FrontDrained& e);
    void on(const event::Kill& e);
    void on(const event::Exit& e);
    void on(const event::Rollback& e);
    void on(const event::Restart& e);
    void on(const event::Leftovers& e);
    void on(const event::ReloadStart& e);
    void on(const event::ReloadEnd& e);

    std::string note(int still_serving) const { return still_serving_note(still_serving, setup_.next); }
    // The last lines of what failed, right under the verdict, where they are not lost among the lines of
    // the generation still serving (DESIGN.md §3).
    void show_tail(std::string_view of, const std::vector<std::string>& tail);

    Console& console_;
    Setup setup_;
};

}  // namespace hotswap
