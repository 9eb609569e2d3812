#include "build/builder.hpp"

#include <sys/resource.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <unordered_map>

#include <fmt/core.h>

#include "build/build_command.hpp"
#include "build/changed_files.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {
constexpr size_t kTailLines = 30;
// How long a cancelled build gets to clean up (make deletes half-written targets on SIGTERM).
constexpr Duration kCancelGrace{2000};
}  // namespace

void merge_changes(ChangeSet& into, const ChangeSet& later) {
    std::unordered_map<std::string, size_t> index;  // owning keys: the vector may reallocate
    for (size_t i = 0; i < into.changes.size(); ++i) index[into.changes[i].path] = i;
    for (const auto& c : later.changes) {
        auto it = index.find(c.path);
        if (it != index.end()) into.changes[it->second].kind = c.kind;
        else {
            into.changes.push_back(c);
            index[into.changes.back().path] = into.changes.size() - 1;
        }
    }
}

Builder::Builder(EventLoop& loop, BuildOptions options, DoneCallback on_done)
    : loop_(loop), options_(std::move(options)), on_done_(std::move(on_done)) {}

// child_'s destructor kills whatever of the build's group is left.
Builder::~Builder() = default;

void Builder::request(ChangeSet changes) {
    switch (state_) {
        case State::Idle:
            start(std::move(changes));
            return;
        case State::Running:
            Console::get().info("files changed during the build: cancelling it and building again", Tone::Warn);
            next_ = current_;
            merge_changes(*next_, changes);
            state_ = State::Cancelling;
            terminate_group();
            return;
        case State::Cancelling:
            if (!next_) next_ = ChangeSet{};
            merge_changes(*next_, changes);
            return;
    }
}

void Builder::abort() {
    if (state_ == State::Idle) return;
    aborted_ = true;
    next_.reset();
    state_ = State::Cancelling;
    terminate_group();
}

void Builder::terminate_group() { child_->stop(SIGTERM, kCancelGrace, {}); }

void Builder::start(ChangeSet changes) {
    current_ = std::move(changes);
    timed_out_ = false;
    started_ = Clock::now();

    std::vector<std::string> env = options_.env;
    if (auto files = write_changed_files(options_.state_dir, current_); files.ok())
        env.insert(env.end(), files->begin(), files->end());
    else
        Console::get().warn(fmt::format("could not write the list of changed files: {}", files.error().to_string()));

    SpawnSpec spec;
    spec.argv = build_argv(options_.cmd);
    spec.env = std::move(env);
    spec.cwd = options_.cwd.string();
    spec.idle_priority = options_.idle;
    // Nice steps are relative to hotswap's own niceness (SCHED_IDLE, with --build-nice idle, needs none).
    std::optional<int> niceness;
    if (auto n = build_niceness(options_.idle ? 0 : options_.nice)) niceness = *n;
    spec.niceness = niceness;
    spec.unblock = options_.unblock;
    auto spawn = [this, &spec] {
        return Child::spawn(loop_, spec, kTailLines,
                            {[](std::string_view line) { Console::get().child_line(Source::Build, 0, line); },
                             [this](int wait_status) { on_exit(wait_status); }});
    };
    auto child = spawn();
    if (const std::vector<std::string> via_shell{"/bin/sh", "-c", options_.cmd}; !child && spec.argv != via_shell) {
        // Run directly, it did not start (not found, a script without #!): the shell says why, as it
        // would have, or runs it as a shell script.
        spec.argv = via_shell;
        child = spawn();
    }
    if (!child) {
        finish(BuildResult{BuildOutcome::CouldNotStart, 0, Duration(0), {},
                           fmt::format("the build could not start: {}", child.error().to_string()), current_});
        return;
    }
    child_ = std::move(*child);
    if (niceness && !priority_warned_) {
        // Set in the child before exec; only a filter forbidding it (seccomp) leaves it higher. Lower is
        // fine: the build may have lowered itself further since (`nice make`).
        errno = 0;
        const int now = ::getpriority(PRIO_PROCESS, id_t(child_->pid()));
        if (errno == 0 && now < *niceness) {
            priority_warned_ = true;
            Console::get().warn(fmt::format("the build runs at hotswap's own CPU priority (nice {}, not {}); set "
                                            "--build-nice 0 to stop trying to lower it",
                                            now, *niceness));
        }
    }
    state_ = State::Running;
    Console::get().debug(fmt::format("build started (pid {}): {}", child_->pid(), options_.cmd));

    if (options_.timeout) {
        child_->set_timeout(*options_.timeout, [this] {
            if (state_ != State::Running) return;
            timed_out_ = true;
            state_ = State::Cancelling;
            terminate_group();
        });
    }
}

void Builder::on_exit(int wait_status) {
    // Reaped, its output drained and its group killed by the Child; it goes at the end of this call.
    const std::unique_ptr<Child> done = std::move(child_);

    auto duration = std::chrono::duration_cast<Duration>(Clock::now() - started_);
    BuildResult result;
    result.wait_status = wait_status;
    result.duration = duration;
    result.tail = done->tail();
    result.changes = std::move(current_);

    if (state_ == State::Cancelling && !timed_out_) {
        state_ = State::Idle;
        if (aborted_) return;
        if (next_) {
            ChangeSet next = std::move(*next_);
            next_.reset();
            start(std::move(next));
        }
        return;
    }
    state_ = State::Idle;
    if (timed_out_) {
        result.outcome = BuildOutcome::TimedOut;
        result.message = fmt::format("the build ran past its timeout of {} and was killed",
                                     format_duration(*options_.timeout));
    } else if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
        result.outcome = BuildOutcome::Succeeded;
    } else {
        result.outcome = BuildOutcome::Failed;
        result.message = fmt::format("the build failed ({})", describe_wait_status(wait_status));
    }
    finish(std::move(result));
    // Changes that arrived while a timed-out build was being killed still deserve a build.
    if (next_ && state_ == State::Idle) {
        ChangeSet next = std::move(*next_);
        next_.reset();
        start(std::move(next));
    }
}

void Builder::finish(BuildResult result) { on_done_(std::move(result)); }

}  // namespace hotswap
