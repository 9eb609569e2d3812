#pragma once
// Router: the front's routing table (DESIGN.md §4a). Which generation gets the next new request, how many
// requests each one has in flight, and the supervisor's narrow interface to all that: serve only N, shift
// weight to N step by step, drain M and be told once M is idle, stats per generation. Pure logic: no
// sockets, no loop, no clock; one thread (the front's event loop) uses it.
//
// Rules:
// - A generation becomes known when it first gets a weight (serve_only or set_weight). Weights are relative
//   (the share of N is w_N over the sum of routable weights); the supervisor keeps them in points of 100.
// - pick() is nginx's smooth weighted round-robin: deterministic, and the picks of a small weight are spread
//   evenly instead of coming in one burst. A change of weights starts a new cycle.
// - drain(M) is final: M gets no new request and no weight again; a rollback starts a new generation. Its
//   callback runs exactly once, when M's last request ends (at once if none is in flight), after the
//   router's own bookkeeping, so the callback may change or destroy the router.
// - Tickets may outlive the router: they hold a weak reference, and ending one after the router is gone
//   does nothing.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace hotswap {

enum class RouteState {
    Routable,  // gets new requests in proportion to its weight (none at weight 0)
    Draining,  // no new requests; waits for the ones in flight
    Drained,   // drain finished, callback run; kept for its stats until forget()
};

const char* route_state_name(RouteState state);

struct RouteStats {
    int generation = 0;
    unsigned weight = 0;
    RouteState state = RouteState::Routable;
    uint64_t requests = 0;   // begun
    uint64_t in_flight = 0;  // begun and not yet ended
    uint64_t status_2xx = 0, status_3xx = 0, status_4xx = 0, status_5xx = 0;  // answers the upstream gave
    uint64_t upstream_failures = 0;  // no answer from the upstream (connect, reset, timeout)
    uint64_t retries = 0;            // a request sent to it again after a failure
    uint64_t abandoned = 0;          // ended without an outcome (the client went away)
};

// How one request ended on a generation, for whoever watches (the gradual shift's analysis).
struct RequestEnd {
    int generation = 0;
    enum class Outcome { Answered, UpstreamFailed, Abandoned } outcome = Outcome::Answered;
    int status = 0;           // Answered: the app's status
    double latency_ms = -1;   // to the response head; < 0: not known (no answer, or a tunnel)
};

class Router {
    struct State;

public:
    // One request in flight on one generation. Move-only; ending it (finish, fail_upstream, or destruction
    // without either, which counts as abandoned) happens once.
    class Ticket {
    public:
        Ticket(Ticket&& other) noexcept;
        Ticket& operator=(Ticket&& other) noexcept;
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        ~Ticket();

        int generation() const { return generation_; }
        bool active() const { return active_; }

        // The request is sent again on the same generation (a reused connection failed before any response
        // byte); it stays in flight.
        void note_retry();
        // The upstream answered with `status`; statuses outside 200–599 end the request without a class.
        // `latency_ms`: from the request's start on this generation to its response head (< 0: unknown).
        void finish(int status, double latency_ms = -1);
        // The upstream gave no answer; the front answers 502 itself.
        void fail_upstream();

    private:
        friend class Router;
        using Outcome = RequestEnd::Outcome;
        Ticket(std::weak_ptr<State> state, int generation) : state_(std::move(state)), generation_(generation) {}
        void end(Outcome outcome, int status, double latency_ms = -1);

        std::weak_ptr<State> state_;
        int generation_ = 0;
        bool active_ = true;
    };

    Router();
    ~Router();
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    // The plain switch: every new request goes to N (weight 100), every other routable generation gets
    // weight 0 and keeps what it has in flight. False when N is draining or drained.
    bool serve_only(int generation);
    // The gradual shift: N's weight, 0–100; others keep theirs. False when N is draining or drained or the
    // weight is above 100.
    bool set_weight(int generation, unsigned weight);
    // One step of a shift: N gets `weight`, every other routable generation that has a weight gets the rest
    // (100 - weight). False as set_weight.
    bool split(int generation, unsigned weight);
    // N takes new requests now: routable with a weight (a sticky client may go back to it).
    bool takes_new(int generation) const;
    // More than one generation takes new requests: a shift is under way.
    bool mixed() const;
    // Told of every request's end, after the router's bookkeeping (it must not destroy the router).
    void set_observer(std::function<void(const RequestEnd&)> observer);
    // M gets no new requests; `on_idle` runs once when its in-flight count reaches 0 (before drain returns
    // if it is 0 already). False, and `on_idle` dropped, when M is unknown or already draining.
    bool drain(int generation, std::function<void()> on_idle);
    // Removes a drained generation and its stats. False otherwise.
    bool forget(int generation);

    // The generation for the next new request, none when no routable generation has a weight (the front
    // holds the request until one has). Each call counts as one pick in the round-robin.
    [[nodiscard]] std::optional<int> pick();
    // A request begins on N; none when N is unknown or not routable (a draining generation takes no new
    // request). Weight 0 is no obstacle: the front may begin a request it picked N for before a change.
    [[nodiscard]] std::optional<Ticket> begin(int generation);

    std::optional<RouteStats> stats(int generation) const;
    std::vector<RouteStats> stats() const;  // by generation id
    // [{"generation": 7, "weight": 100, "state": "routable", "requests": …}, …]
    nlohmann::json stats_json() const;

private:
    std::shared_ptr<State> state_;
};

}  // namespace hotswap
