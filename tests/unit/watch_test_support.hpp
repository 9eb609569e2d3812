#pragma once
// Helpers for the watcher's tests: TempDir for a scratch directory, small file operations, and Scenario,
// which drives one event loop run through steps (act, then wait until a condition holds), waiting on the
// watcher's reports, never on the clock. The event loop runs once per process, so a test is one scenario.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.hpp"
#include "core/change.hpp"
#include "temp_dir.hpp"

namespace hotswap::testing {

using namespace std::chrono_literals;

inline void write_file(const std::string& path, std::string_view content = "x") {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << path;
    ASSERT_EQ(::write(fd, content.data(), content.size()), ssize_t(content.size()));
    ::close(fd);
}

inline void make_dirs(const std::string& path) { std::filesystem::create_directories(path); }

// The changes a watcher reported, with lookups for the assertions.
struct Seen {
    std::vector<Change> changes;
    bool has(const std::string& path) const {
        return std::any_of(changes.begin(), changes.end(), [&](const Change& c) { return c.path == path; });
    }
    bool has(const std::string& path, ChangeKind kind) const {
        return std::any_of(changes.begin(), changes.end(),
                           [&](const Change& c) { return c.path == path && c.kind == kind; });
    }
    bool has_kind(ChangeKind kind) const {
        return std::any_of(changes.begin(), changes.end(), [&](const Change& c) { return c.kind == kind; });
    }
    bool has_prefix(const std::string& prefix) const {
        return std::any_of(changes.begin(), changes.end(), [&](const Change& c) { return c.path.starts_with(prefix); });
    }
    std::string dump() const {
        std::string out;
        for (const auto& c : changes) out += std::string(to_string(c.kind)) + " " + c.path + "\n";
        return out;
    }
};

// Steps run in order: each one's action, then a wait until its condition holds (checked whenever the
// watcher reports something). The whole run has one generous deadline.
class Scenario {
public:
    explicit Scenario(EventLoop& loop) : loop_(loop) {}

    Scenario& step(std::string what, std::function<void()> act, std::function<bool()> done) {
        steps_.push_back(Step{std::move(what), std::move(act), std::move(done)});
        return *this;
    }
    // Call from the watcher's callback.
    void check() {
        while (next_ <= steps_.size() && next_ > 0 && steps_[next_ - 1].done()) {
            if (next_ == steps_.size()) {
                next_ = steps_.size() + 1;
                loop_.stop(0);
                return;
            }
            steps_[next_].act();
            ++next_;
        }
    }
    // Empty on success, else the step that never completed.
    std::string run(std::chrono::milliseconds deadline = 20s) {
        if (steps_.empty()) return {};
        loop_.post([this] {
            steps_[0].act();
            next_ = 1;
            check();
        });
        auto timer = loop_.after(deadline, [this] { loop_.stop(1); });
        int rc = loop_.run();
        timer.cancel();
        if (rc == 0) return {};
        return next_ == 0 ? "nothing ran" : steps_[std::min(next_, steps_.size()) - 1].what;
    }

private:
    struct Step {
        std::string what;
        std::function<void()> act;
        std::function<bool()> done;
    };
    EventLoop& loop_;
    std::vector<Step> steps_;
    size_t next_ = 0;  // steps started so far
};

inline std::unique_ptr<EventLoop> make_loop() {
    const int no_signals[] = {SIGUSR2};
    auto loop = EventLoop::create(no_signals);
    if (!loop) throw std::runtime_error(loop.error().to_string());
    return std::move(*loop);
}

}  // namespace hotswap::testing
