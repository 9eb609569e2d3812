#pragma once
// RetryingProbe: a probe that makes attempts (connect, GET) until one succeeds: a fresh attempt every
// kRetryInterval after a failure, each one abandoned after kAttemptTimeout so a server that accepts but
// never answers cannot stall probing.

#include <string>

#include "ready/probe_base.hpp"

namespace hotswap {

class RetryingProbe : public ProbeBase {
public:
    static constexpr Duration kRetryInterval{25};
    static constexpr Duration kAttemptTimeout{2000};

    explicit RetryingProbe(EventLoop& loop) : ProbeBase(loop) {}

protected:
    // One attempt; must end in succeed() or fail(), or be abandoned by abandon_attempt() on timeout.
    virtual void attempt() = 0;
    virtual void abandon_attempt() = 0;

    void begin() final { run_attempt(); }
    void succeed() {
        attempt_timer_.cancel();
        report_ready();
    }
    void fail(std::string why) {
        attempt_timer_.cancel();
        last_failure_ = std::move(why);
        retry_timer_ = loop_.after(kRetryInterval, [this] {
            run_attempt();
        });
    }
    const std::string& last_failure() const { return last_failure_; }

private:
    void run_attempt() {
        attempt_timer_ = loop_.after(kAttemptTimeout, [this] {
            abandon_attempt();
            fail("no answer within " + format_duration(kAttemptTimeout));
        });
        attempt();
    }

    EventLoop::Timer retry_timer_;
    EventLoop::Timer attempt_timer_;
    std::string last_failure_;
};

}  // namespace hotswap
