#include "supervise/pre_switch_check.hpp"

#include <fmt/core.h>

#include "proc/process.hpp"
#include "supervise/app_environment.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {

constexpr size_t kTailLines = 20;

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

std::string url_for(uint16_t port) { return fmt::format("http://127.0.0.1:{}", port); }

}  // namespace

std::string check_command_for(std::string_view command, uint16_t port) {
    // Only hotswap's own numbers go into the shell string; nothing a user or a file name chose.
    std::string out(command);
    replace_all(out, "{port}", std::to_string(port));
    replace_all(out, "{url}", url_for(port));
    return out;
}

PreSwitchCheck::PreSwitchCheck(EventLoop& loop, Spec spec, std::function<void(const CheckOutcome&)> done)
    : loop_(loop), spec_(std::move(spec)), command_(check_command_for(spec_.command, spec_.port)), done_(std::move(done)) {}

PreSwitchCheck::~PreSwitchCheck() = default;  // the Child kills what is left of the check's group

Result<void> PreSwitchCheck::start() {
    std::vector<std::string> env = inherited_environment();
    env.push_back(fmt::format("HOTSWAP_CHECK_PORT={}", spec_.port));
    env.push_back(fmt::format("HOTSWAP_CHECK_URL={}", url_for(spec_.port)));
    env.push_back(fmt::format("HOTSWAP_CHECK_GENERATION={}", spec_.generation));
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", command_};
    spec.env = std::move(env);
    spec.cwd = spec_.cwd;
    spec.unblock = spec_.unblock;
    started_ = loop_.now();
    auto child = Child::spawn(loop_, std::move(spec), kTailLines,
                              {[](std::string_view line) { Console::get().child_line(Source::Check, 0, line); },
                               [this, alive = std::weak_ptr<int>(alive_)](int wait_status) {
                                   if (alive.expired()) return;
                                   const bool passed = !timed_out_ && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
                                   finish(CheckOutcome{
                                       .ok = passed,
                                       .status = timed_out_ ? fmt::format("timed out after {}", format_duration(spec_.timeout))
                                                            : describe_wait_status(wait_status),
                                       .took = std::chrono::duration_cast<Duration>(loop_.now() - started_),
                                       .tail = child_ ? child_->tail() : std::vector<std::string>{}});
                               }});
    if (!child) return child.error();
    child_ = std::move(*child);
    child_->set_timeout(spec_.timeout, [this] {
        timed_out_ = true;
        child_->stop(SIGKILL, Duration(0), {});
    });
    return {};
}

void PreSwitchCheck::finish(CheckOutcome outcome) {
    // Posted: the owner may destroy this check (and its Child, whose exit callback this is) from `done`.
    loop_.post([this, alive = std::weak_ptr<int>(alive_), outcome = std::move(outcome)] {
        if (alive.expired() || !done_) return;
        auto done = std::move(done_);
        done_ = nullptr;
        done(outcome);
    });
}

}  // namespace hotswap
