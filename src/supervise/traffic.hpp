#pragma once
// Traffic: where requests reach the generations. fd mode: the listening sockets, bound once (or adopted
// from systemd) and handed to every generation at fd 3, 4, …; proxy mode: the public socket hotswap
// accepts on, each generation's private port ($PORT) and which one new connections go to. Readiness
// belongs here too, since what a probe may aim at depends on where traffic flows (a probe of a shared or
// public port is answered by the generation serving now). The supervisor only says who serves
// (route_to / unroute) and when one may be stopped (drain); behind it, proxy mode is the HTTP front of
// DESIGN.md §4a (front/http_front.hpp: per request, protocol auto or http) or the byte proxy
// (net/proxy.hpp: per connection, protocol tcp).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "events/lifecycle_events.hpp"
#include "front/http_front.hpp"
#include "front/traffic_shift.hpp"
#include "core/change.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "net/listener.hpp"
#include "net/proxy.hpp"
#include "ready/ready_spec.hpp"
#include "supervise/generation.hpp"

namespace hotswap {

class Traffic {
public:
    Traffic(EventLoop& loop, const Config& config, const EventSink& events);
    ~Traffic();

    // The passes of the supervisor's start that concern traffic, in order: the sockets (fd mode, or
    // systemd's), the public proxy socket, and the readiness rule that fits them.
    Result<void> open_listeners();
    Result<void> open_proxy();
    Result<void> choose_readiness();

    bool fd_mode() const { return !listeners_.empty(); }
    bool proxy_mode() const { return proxy_ != nullptr || front_ != nullptr; }
    bool front_mode() const { return front_ != nullptr; }
    // Live reload: every lifecycle event, for the browsers (supervise/live_reload_feed).
    void on_event(const Event& e);
    // Live reload: a change of stylesheets only (.css, none removed) is told to the pages, which swap them in
    // place; true when it was (the change needs no build then).
    bool swap_stylesheets(const ChangeSet& changes);
    // The new generation starts next to the old one, which stops only once the new one is ready.
    bool overlapping() const { return fd_mode() || proxy_mode(); }
    // "proxy", "fd" or "restart", as status and the switch event name it.
    const char* mode() const { return proxy_mode() ? "proxy" : fd_mode() ? "fd" : "restart"; }

    // What a new generation is given: the shared sockets (fd mode) and their names, or a private port (and
    // with app_socket fd its socket, at fd 3).
    Result<void> give_private_port(Generation& g);
    std::vector<int> listen_fds(const Generation& g) const;
    std::vector<std::string> listen_names(const Generation& g) const;
    bool sets_listen_pid(const Generation& g) const;
    // `g` runs: hotswap's copy of its private socket is closed.
    void spawned(Generation& g);
    // The readiness rule, and the one for `g` ({port} filled in with its private port).
    const ReadySpec& readiness() const { return ready_; }
    ReadySpec readiness_for(const Generation& g) const;

    // New connections go to `g` from now on (proxy mode; fd mode needs nothing: `g` accepts already).
    void route_to(const Generation& g);
    // `g` is gone: when it was the route, new connections wait for the next generation.
    void unroute(const Generation& g);
    // hotswap is stopping: no new connections; those open finish with their generation's drain.
    void stop_routing();
    // `g` is being stopped: `then` runs once it may get its stop signal. The HTTP front first lets its
    // requests through the front finish and closes its idle connections (up to `timeout`); elsewhere the
    // app drains its own connections, so `then` runs at once.
    void drain(const Generation& g, Duration timeout, std::function<void()> then);

    // Before the switch (supervise/promotion.hpp), the HTTP front only.
    // The last distinct GET/HEAD requests the apps answered, for a shadow replay against a new generation.
    std::vector<ShadowRequest> shadow_requests() const;
    // A gradual shift from `serving` to `g` can run: the front, steps beyond an immediate one, both on ports.
    bool can_shift(const Generation& g, const Generation& serving) const;
    // Moves new requests from `serving` to `g` step by step (its events emitted here); `done` once it passed
    // every step (the switch is the caller's) or was aborted (g's weight is 0 again by then).
    void shift(const Generation& g, const Generation& serving, std::function<void(const ShiftOutcome&)> done);
    // The shift to `generation`, if one runs, ends now: its weight 0, no callback.
    void cancel_shift(int generation);
    nlohmann::json shift_status_json() const;  // null when none runs

    nlohmann::json listeners_json() const;
    nlohmann::json proxy_status_json() const;  // null outside proxy mode
    nlohmann::json front_status_json() const;  // null without the HTTP front

private:
    Result<void> choose_proxy_readiness();
    FrontOptions front_options() const;

    EventLoop& loop_;
    const Config& config_;
    const EventSink& events_;
    std::vector<Listener> listeners_;
    std::vector<std::string> listen_names_;
    std::optional<Listener> adopted_proxy_;  // systemd's socket for the --proxy address, until open_proxy
    std::unique_ptr<Proxy> proxy_;
    std::unique_ptr<HttpFront> front_;
    std::unique_ptr<TrafficShift> shift_;
    ReadySpec ready_;
    std::string ready_template_;  // proxy mode: --ready with {port}, filled in per generation; empty: none
};

}  // namespace hotswap
