#include "ready/notify_probe.hpp"

namespace hotswap {

void NotifyProbe::on_notify_ready() {
    ready_seen_ = true;
    report_ready();  // ignored until started
}

void NotifyProbe::begin() {
    if (ready_seen_) report_ready();
}

}  // namespace hotswap
