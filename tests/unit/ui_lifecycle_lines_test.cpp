// The console's lines for the lifecycle events: given events, what a person reads, in which tone, at which
// verbosity. The e2e tests wait for several of these words; here each line is pinned down exactly.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ui/lifecycle_lines.hpp"

using namespace hotswap;

namespace {

const char* tone_name(Tone tone) {
    switch (tone) {
        case Tone::Plain: return "plain";
        case Tone::Good: return "good";
        case Tone::Warn: return "warn";
        case Tone::Bad: return "bad";
        case Tone::Dim: return "dim";
    }
    return "?";
}

// A console of its own whose lines are kept as "tone: text" instead of being written.
struct Screen {
    explicit Screen(LifecycleLines::Setup setup = {}, Verbosity verbosity = Verbosity::Normal) : lines(console, setup) {
        console.configure(verbosity);
        console.capture([this](std::string_view label, Tone tone, std::string_view text) {
            EXPECT_EQ(label, "hotswap");
            shown.push_back(std::string(tone_name(tone)) + ": " + std::string(text));
        });
    }
    std::vector<std::string> print(const Event& event) {
        shown.clear();
        lines.print(event);
        return shown;
    }

    Console console;
    LifecycleLines lines;
    std::vector<std::string> shown;
};

using Lines = std::vector<std::string>;

}  // namespace

TEST(LifecycleLines, ASwitchSaysWhatServesAndHowLongEachStepTook) {
    Screen s;
    EXPECT_EQ(s.print(event::Switch{.generation = 2, .pid = 42, .artifact = "0003-abcdef", .previous = 1, .build_ms = 1200,
                                    .ready_ms = 80, .total_ms = 1300, .reason = "build", .mode = "fd"}),
              (Lines{"good: ✓ app#2 serving · built in 1.20 s · ready in 80 ms · app#1 draining · build 0003-abcdef"}));
    // serve's new binary: no build, and the first one has nothing to drain.
    EXPECT_EQ(s.print(event::Switch{.generation = 1, .artifact = "1-5e75968fa597", .ready_ms = 4, .reason = "reload",
                                    .mode = "proxy"}),
              (Lines{"good: ✓ app#1 serving · ready in 4 ms · build 1-5e75968fa597"}));
    // Restart mode stopped the old one first: the time without a server is what counts.
    EXPECT_EQ(s.print(event::Switch{.generation = 3, .build_ms = 300, .total_ms = 450, .reason = "build", .mode = "restart"}),
              (Lines{"good: ✓ app#3 started · built in 300 ms · restarted in 150 ms"}));
    EXPECT_EQ(s.print(event::Switch{.generation = 5, .artifact = "0001-abc", .previous = 4, .ready_ms = 12,
                                    .reason = "rollback", .mode = "fd"}),
              (Lines{"good: ✓ app#5 serving 0001-abc again (rollback) · ready in 12 ms · app#4 draining"}));
    EXPECT_EQ(s.print(event::Switch{.generation = 6, .ready_ms = 7, .reason = "restart", .mode = "fd"}),
              (Lines{"good: ✓ app#6 serving again after a restart · ready in 7 ms"}));
}

TEST(LifecycleLines, AFailedBuildSaysWhatStillServesAndUnderQuietItsLastLines) {
    const event::BuildEnd failed{.ok = false, .duration_ms = 310, .reason = "the build failed (exit status 2)",
                                 .still_serving = 1, .tail = {"1", "2", "3", "4", "5", "6", "main.c:3: error"}};
    Screen normal;
    // The build's output was on the screen as it ran: the verdict alone.
    EXPECT_EQ(normal.print(failed),
              (Lines{"bad: ✗ the build failed (exit status 2) after 310 ms · app#1 is still serving the previous version"}));
    Screen quiet({}, Verbosity::Quiet);
    EXPECT_EQ(quiet.print(failed),
              (Lines{"bad: ✗ the build failed (exit status 2) after 310 ms · app#1 is still serving the previous version",
                     "bad:   last output of the build:", "bad:   | 3", "bad:   | 4", "bad:   | 5", "bad:   | 6",
                     "bad:   | main.c:3: error"}));
    // Nothing serves: the hint says what brings the next attempt.
    EXPECT_EQ(normal.print(event::BuildEnd{.ok = false, .duration_ms = 5, .reason = "the build failed (exit status 1)"}),
              (Lines{"bad: ✗ the build failed (exit status 1) after 5 ms · nothing is running; fix it and save to try again"}));
    // A build that succeeds is said by the switch, unless there is nothing to run.
    EXPECT_EQ(normal.print(event::BuildEnd{.ok = true, .duration_ms = 1200}), Lines{});
    Screen build_only({.build_only = true});
    EXPECT_EQ(build_only.print(event::BuildEnd{.ok = true, .duration_ms = 1200}), (Lines{"good: ✓ built in 1.20 s"}));
}

TEST(LifecycleLines, ARefusedBinaryIsSaidOnceAndNotAtStart) {
    Screen s({.next = NextAttempt::Deploy});
    EXPECT_EQ(s.print(event::Refused{.artifact = "bin/app", .reason = "refusing to run bin/app: it is not executable"}),
              (Lines{"bad: ✗ refusing to run bin/app: it is not executable · nothing is running; put a working binary in "
                     "place or run hotswap reload"}));
    // The build_end after the refusal says nothing more, and a refusal at start is hotswap's error.
    EXPECT_EQ(s.print(event::BuildEnd{.ok = false, .reason = "refusing to run bin/app", .refused = true}), Lines{});
    EXPECT_EQ(s.print(event::Refused{.artifact = "bin/app", .reason = "refusing", .at_start = true}), Lines{});
}

TEST(LifecycleLines, AFailedStartShowsTheTailOfItsOutputUnderTheVerdict) {
    Screen s;
    EXPECT_EQ(s.print(event::Exit{.generation = 2, .pid = 77, .state = "starting", .status = "exit status 3",
                                  .action = "report-failed-start",
                                  .message = "app#2 exited before it was ready (exit status 3)",
                                  .tail = {"testapp v2 starting (pid 77)", "bye"}, .still_serving = 1}),
              (Lines{"bad: ✗ app#2 exited before it was ready (exit status 3) · app#1 is still serving the previous version",
                     "bad:   last output of app#2:", "bad:   | testapp v2 starting (pid 77)", "bad:   | bye"}));
    EXPECT_EQ(s.print(event::Exit{.generation = 3, .state = "starting", .reason = "cannot run './app': no such file",
                                  .message = "app#3: cannot run './app': no such file"}),
              (Lines{"bad: ✗ app#3: cannot run './app': no such file · nothing is running; fix it and save to try again"}));
}

TEST(LifecycleLines, AnExitSaysWhatHappensNext) {
    Screen s;
    EXPECT_EQ(s.print(event::Exit{.generation = 1, .status = "exit status 0", .action = "report-and-wait"}),
              (Lines{"dim: app#1 exited (exit status 0) · it runs again at the next change"}));
    EXPECT_EQ(s.print(event::Exit{.generation = 1, .status = "exit status 2", .action = "report-and-wait", .is_crash = true}),
              (Lines{"bad: app#1 exited (exit status 2) · it runs again at the next change"}));
    EXPECT_EQ(s.print(event::Exit{.generation = 1, .status = "exit status 0", .action = "report-and-wait", .is_server = true}),
              (Lines{"bad: ✗ app#1 exited (exit status 0) · it starts again at the next change"}));
    EXPECT_EQ(s.print(event::Exit{.generation = 2, .status = "killed by SIGSEGV", .action = "rollback", .successor = 3}),
              (Lines{"bad: ✗ app#2 died (killed by SIGSEGV) · app#3 takes over once it is ready"}));
    // Without a successor the rollback or restart event says it.
    EXPECT_EQ(s.print(event::Exit{.generation = 2, .status = "killed by SIGSEGV", .action = "restart"}), Lines{});
    // An expected stop is a debug line.
    const event::Exit drained{.generation = 1, .status = "exit status 0", .action = "none", .stop_ms = 15};
    EXPECT_EQ(s.print(drained), Lines{});
    Screen verbose({}, Verbosity::Verbose);
    EXPECT_EQ(verbose.print(drained), (Lines{"dim: app#1 stopped (exit status 0) 15 ms after the stop signal"}));
    EXPECT_EQ(verbose.print(event::Exit{.generation = 1, .status = "exit status 0", .action = "none"}),
              (Lines{"dim: app#1 stopped (exit status 0)"}));
}

TEST(LifecycleLines, RollbacksRestartsAndWhatIsKilled) {
    Screen s;
    EXPECT_EQ(s.print(event::Rollback{.generation = 2, .from = "2-bbb", .to = "1-aaa",
                                      .reason = "app#2 died 310 ms after taking over (killed by SIGABRT)"}),
              (Lines{"bad: ✗ app#2 died 310 ms after taking over (killed by SIGABRT) · build 2-bbb is marked bad · "
                     "rolling back to build 1-aaa"}));
    EXPECT_EQ(s.print(event::Rollback{.from = "2-bbb", .to = "1-aaa", .reason = "requested"}),
              (Lines{"plain: rolling back to build 1-aaa"}));
    EXPECT_EQ(s.print(event::Restart{.generation = 4, .delay_ms = 500, .attempt = 1, .reason = "killed by SIGSEGV",
                                     .uptime_ms = 61'000, .last_output = "testapp v1 crashing on purpose"}),
              (Lines{"bad: ✗ app#4 crashed after 1 min 1 s (killed by SIGSEGV) · restarting in 500 ms (restart 1) · last "
                     "output: testapp v1 crashing on purpose"}));
    EXPECT_EQ(s.print(event::Kill{.generation = 1, .reason = "drain timeout", .stop_signal = "SIGTERM", .drain_timeout_ms = 1000}),
              (Lines{"warn: app#1 did not stop within 1.00 s of SIGTERM: killing it"}));
    EXPECT_EQ(s.print(event::Leftovers{{12}}),
              (Lines{"warn: killed 1 process left behind outside a stopped generation's process group (pid 12)"}));
    EXPECT_EQ(s.print(event::Leftovers{{12, 13}}),
              (Lines{"warn: killed 2 processes left behind outside a stopped generation's process group (pid 12, 13)"}));
}

TEST(LifecycleLines, TheStepsOfAnUpgrade) {
    Screen s({.next = NextAttempt::Deploy});
    EXPECT_EQ(s.print(event::Change{.paths = 3, .first = "src/main.c and 2 more"}),
              (Lines{"dim: changed: src/main.c and 2 more"}));
    EXPECT_EQ(s.print(event::Change{.paths = 1, .first = "bin/app", .binary = true}), (Lines{"dim: bin/app changed: upgrading"}));
    // Only the first build is announced; later ones follow the line that says what started them.
    EXPECT_EQ(s.print(event::BuildStart{.reason = "start", .command = "make"}), (Lines{"dim: building: make"}));
    EXPECT_EQ(s.print(event::BuildStart{.reason = "change", .command = "make"}), Lines{});
    EXPECT_EQ(s.print(event::Drain{.generation = 3, .reason = "superseded"}),
              (Lines{"dim: app#3 is superseded by a newer build before it was ready"}));
    EXPECT_EQ(s.print(event::Drain{.generation = 3, .reason = "replaced"}), Lines{});
    EXPECT_EQ(s.print(event::ReloadStart{.trigger = "change", .action = "reload"}), Lines{});
    EXPECT_EQ(s.print(event::Ready{.generation = 3, .ready_ms = 5}), Lines{});
    // The end of probation is news; any other end was said by the step that ended it.
    EXPECT_EQ(s.print(event::ReloadEnd{.ok = true, .generation = 3, .artifact = "3-ccc", .probation_ms = 5000}),
              (Lines{"good: ✓ app#3 passed probation (5.00 s) · build 3-ccc is good"}));
    EXPECT_EQ(s.print(event::ReloadEnd{.ok = true, .generation = 3, .probation_ms = 2000}),
              (Lines{"good: ✓ app#3 passed probation (2.00 s)"}));
    EXPECT_EQ(s.print(event::ReloadEnd{.ok = true, .message = "app#3 serves", .generation = 3}), Lines{});
    EXPECT_EQ(s.print(event::ReloadEnd{.ok = false, .message = "build failed", .generation = 1}), Lines{});
    Screen verbose({}, Verbosity::Verbose);
    EXPECT_EQ(verbose.print(event::Spawn{.generation = 3, .pid = 99, .reason = "build"}),
              (Lines{"dim: app#3 started (pid 99, build)"}));
    EXPECT_EQ(s.print(event::Spawn{.generation = 3, .pid = 99, .reason = "build"}), Lines{});
}

TEST(LifecycleLines, QuietKeepsOnlyWhatWentWellOrWrong) {
    Screen s({}, Verbosity::Quiet);
    EXPECT_EQ(s.print(event::Change{.paths = 1, .first = "src/main.c"}), Lines{});
    EXPECT_EQ(s.print(event::Switch{.generation = 2, .ready_ms = 3, .reason = "reload", .mode = "fd"}),
              (Lines{"good: ✓ app#2 serving · ready in 3 ms"}));
    EXPECT_EQ(s.print(event::Kill{.generation = 1, .stop_signal = "SIGTERM", .drain_timeout_ms = 10}),
              (Lines{"warn: app#1 did not stop within 10 ms of SIGTERM: killing it"}));
}

TEST(LifecycleLines, StillServingNote) {
    EXPECT_EQ(still_serving_note(4, NextAttempt::Save), "app#4 is still serving the previous version");
    EXPECT_EQ(still_serving_note(4, NextAttempt::Deploy), "app#4 is still serving the previous version");
    EXPECT_EQ(still_serving_note(0, NextAttempt::Save), "nothing is running; fix it and save to try again");
    EXPECT_EQ(still_serving_note(0, NextAttempt::Deploy),
              "nothing is running; put a working binary in place or run hotswap reload");
}
