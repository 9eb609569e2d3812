#pragma once
// PreSwitchCheck: the user's check ([check] cmd, --check) run against a ready generation alone, before any
// user request reaches it: a smoke test, `go test ./e2e -run Smoke`, a curl of the pages that matter. It
// runs through /bin/sh in the project directory, with the generation's private address in its command
// ({port}, {url}) and environment (HOTSWAP_CHECK_PORT, HOTSWAP_CHECK_URL); exit 0 lets the switch happen.
// Its output is shown as it comes (prefixed "check") and its last lines are kept for the verdict. A check
// that outlives its timeout is killed with its whole process group, and so is one still running when the
// PreSwitchCheck is destroyed (the generation went away, or hotswap stops).

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "proc/child.hpp"

namespace hotswap {

struct CheckOutcome {
    bool ok = false;
    std::string status;  // "exit 0", "exit 1", "killed by SIGSEGV", "timed out after 60 s"
    Duration took{0};
    std::vector<std::string> tail;  // the last lines of its output
};

// The command as it runs: {port} and {url} filled in.
std::string check_command_for(std::string_view command, uint16_t port);

class PreSwitchCheck {
public:
    struct Spec {
        std::string command;  // as configured, with {port} / {url}
        std::string cwd;
        uint16_t port = 0;    // the generation's private port
        int generation = 0;
        Duration timeout{60'000};
        const sigset_t* unblock = nullptr;
    };
    PreSwitchCheck(EventLoop& loop, Spec spec, std::function<void(const CheckOutcome&)> done);
    ~PreSwitchCheck();
    PreSwitchCheck(const PreSwitchCheck&) = delete;
    PreSwitchCheck& operator=(const PreSwitchCheck&) = delete;

    // An error: it could not start at all (done is not called).
    Result<void> start();
    const std::string& command() const { return command_; }

private:
    void finish(CheckOutcome outcome);

    EventLoop& loop_;
    Spec spec_;
    std::string command_;
    std::function<void(const CheckOutcome&)> done_;
    std::unique_ptr<Child> child_;
    Clock::time_point started_{};
    bool timed_out_ = false;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace hotswap
