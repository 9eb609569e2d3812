#pragma once
// SystemdNotifier: tells the service manager (systemd's Type=notify / Type=notify-reload, or anything that
// speaks sd_notify) how hotswap is doing, when NOTIFY_SOCKET was set for hotswap itself:
//   READY=1                               once the first generation serves
//   RELOADING=1 + MONOTONIC_USEC=…        when an upgrade starts (SIGHUP, hotswap reload, a change)
//   READY=1                               when it ends, whatever the outcome (the old version still serves)
//   STATUS=…                              one line for `systemctl status`
//   STOPPING=1                            on shutdown
// MAINPID is never sent: hotswap stays the main process across upgrades; that is the point.
// The generations never see this NOTIFY_SOCKET: hotswap gives them a socket of its own.

#include <functional>
#include <string>
#include <string_view>

#include "events/lifecycle_events.hpp"

namespace hotswap {

class SystemdNotifier {
public:
    using Sender = std::function<void(std::string_view message)>;
    enum class Phase { Starting, Ready, Reloading, Stopping };

    // The default sender writes to $NOTIFY_SOCKET and does nothing when it is unset.
    SystemdNotifier();
    explicit SystemdNotifier(Sender send);

    // A generation serves: the first time, READY=1; while reloading, the end of the reload.
    void serving(std::string_view status);
    void reload_started(std::string_view why);
    void reload_finished(std::string_view status);
    void status(std::string_view text);
    void stopping();

    // Feeds a supervisor lifecycle event (see docs/operations.md); `serving_now` is the supervisor's view.
    void on_event(const Event& event, bool serving_now);

    Phase phase() const { return phase_; }

private:
    void send(const std::string& message);

    Sender send_;
    Phase phase_ = Phase::Starting;
    std::string last_status_;
};

// CLOCK_MONOTONIC in microseconds, as systemd wants it in MONOTONIC_USEC.
unsigned long long monotonic_usec();

}  // namespace hotswap
