#include "supervise/restart_backoff.hpp"

#include <algorithm>

namespace hotswap {

Duration RestartBackoff::next_delay(Duration uptime) {
    if (uptime >= kResetAfter) reset();
    Duration delay = next_;
    next_ = std::min(next_ * 2, kMax);
    ++attempts_;
    return delay;
}

}  // namespace hotswap
