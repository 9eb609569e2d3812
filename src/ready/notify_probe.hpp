#pragma once
// NotifyProbe: ready when the generation sends READY=1 to NOTIFY_SOCKET (sd_notify, libhotswap). The
// NotifyServer receives the datagram and the supervisor, having matched the sender to this generation,
// forwards it here.

#include "ready/probe_base.hpp"

namespace hotswap {

class NotifyProbe final : public ProbeBase {
public:
    explicit NotifyProbe(EventLoop& loop) : ProbeBase(loop) {}
    void on_notify_ready() override;
    std::string describe() const override { return "READY=1 on NOTIFY_SOCKET"; }

private:
    void begin() override;
    bool ready_seen_ = false;  // READY=1 may arrive before start()
};

}  // namespace hotswap
