#pragma once
// RestartBackoff: how long to wait before restarting a server that crashed (DESIGN.md §3): 0.5 s, doubling
// up to 30 s, back to 0.5 s once a generation has stayed up for a minute. A crash loop costs little CPU
// and the log stays readable, while a rare crash is repaired at once.

#include "core/duration.hpp"

namespace hotswap {

class RestartBackoff {
public:
    static constexpr Duration kFirst{500};
    static constexpr Duration kMax{30'000};
    static constexpr Duration kResetAfter{60'000};

    // The delay before the next restart of a generation that crashed after running for `uptime`.
    Duration next_delay(Duration uptime);
    // A change brought a fresh build: the crash history no longer says anything about it.
    void reset() { next_ = kFirst; attempts_ = 0; }
    int attempts() const { return attempts_; }

private:
    Duration next_ = kFirst;
    int attempts_ = 0;
};

}  // namespace hotswap
