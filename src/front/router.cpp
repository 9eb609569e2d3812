#include "front/router.hpp"

#include <map>

#include <nlohmann/json.hpp>

namespace hotswap {

namespace {
constexpr unsigned kMaxWeight = 100;
}

struct Router::State {
    struct Entry {
        RouteStats stats;
        // Smooth WRR's running score: picked when highest, then lowered by the sum of weights.
        int64_t current = 0;
        std::function<void()> on_idle;
    };
    std::map<int, Entry> entries;  // ordered, so ties go to the lower id and the sequence is deterministic
    std::function<void(const RequestEnd&)> observer;

    Entry* find(int generation) {
        auto it = entries.find(generation);
        return it == entries.end() ? nullptr : &it->second;
    }
    // Entry for a generation that may get a weight: known and routable, or new. Null when draining/drained.
    Entry* routable(int generation) {
        auto [it, added] = entries.try_emplace(generation);
        if (added) it->second.stats.generation = generation;
        return it->second.stats.state == RouteState::Routable ? &it->second : nullptr;
    }
    // A new set of weights starts a new cycle; scores from the old one would skew its first picks.
    void restart_cycle() {
        for (auto& [id, entry] : entries) entry.current = 0;
    }
};

const char* route_state_name(RouteState state) {
    switch (state) {
        case RouteState::Routable: return "routable";
        case RouteState::Draining: return "draining";
        case RouteState::Drained: return "drained";
    }
    return "?";
}

Router::Router() : state_(std::make_shared<State>()) {}
Router::~Router() = default;

bool Router::serve_only(int generation) {
    auto* target = state_->routable(generation);
    if (!target) return false;
    for (auto& [id, entry] : state_->entries) {
        if (entry.stats.state == RouteState::Routable) entry.stats.weight = 0;
    }
    target->stats.weight = kMaxWeight;
    state_->restart_cycle();
    return true;
}

bool Router::set_weight(int generation, unsigned weight) {
    if (weight > kMaxWeight) return false;
    auto* target = state_->routable(generation);
    if (!target) return false;
    target->stats.weight = weight;
    state_->restart_cycle();
    return true;
}

bool Router::split(int generation, unsigned weight) {
    if (weight > kMaxWeight) return false;
    auto* target = state_->routable(generation);
    if (!target) return false;
    for (auto& [id, entry] : state_->entries)
        if (id != generation && entry.stats.state == RouteState::Routable && entry.stats.weight > 0)
            entry.stats.weight = kMaxWeight - weight;
    target->stats.weight = weight;
    state_->restart_cycle();
    return true;
}

bool Router::takes_new(int generation) const {
    auto* entry = state_->find(generation);
    return entry && entry->stats.state == RouteState::Routable && entry->stats.weight > 0;
}

bool Router::mixed() const {
    int taking = 0;
    for (const auto& [id, entry] : state_->entries)
        if (entry.stats.state == RouteState::Routable && entry.stats.weight > 0) ++taking;
    return taking > 1;
}

void Router::set_observer(std::function<void(const RequestEnd&)> observer) { state_->observer = std::move(observer); }

bool Router::drain(int generation, std::function<void()> on_idle) {
    auto* entry = state_->find(generation);
    if (!entry || entry->stats.state != RouteState::Routable) return false;
    entry->stats.weight = 0;
    state_->restart_cycle();
    if (entry->stats.in_flight > 0) {
        entry->stats.state = RouteState::Draining;
        entry->on_idle = std::move(on_idle);
        return true;
    }
    entry->stats.state = RouteState::Drained;
    // Last statement: the callback may destroy this router.
    if (on_idle) on_idle();
    return true;
}

bool Router::forget(int generation) {
    auto* entry = state_->find(generation);
    if (!entry || entry->stats.state != RouteState::Drained) return false;
    state_->entries.erase(generation);
    return true;
}

std::optional<int> Router::pick() {
    State::Entry* best = nullptr;
    int best_id = 0;
    int64_t total = 0;
    for (auto& [id, entry] : state_->entries) {
        if (entry.stats.state != RouteState::Routable || entry.stats.weight == 0) continue;
        entry.current += entry.stats.weight;
        total += entry.stats.weight;
        if (!best || entry.current > best->current) {
            best = &entry;
            best_id = id;
        }
    }
    if (!best) return std::nullopt;
    best->current -= total;
    return best_id;
}

std::optional<Router::Ticket> Router::begin(int generation) {
    auto* entry = state_->find(generation);
    if (!entry || entry->stats.state != RouteState::Routable) return std::nullopt;
    ++entry->stats.requests;
    ++entry->stats.in_flight;
    return Ticket(state_, generation);
}

std::optional<RouteStats> Router::stats(int generation) const {
    auto* entry = state_->find(generation);
    if (!entry) return std::nullopt;
    return entry->stats;
}

std::vector<RouteStats> Router::stats() const {
    std::vector<RouteStats> all;
    all.reserve(state_->entries.size());
    for (const auto& [id, entry] : state_->entries) all.push_back(entry.stats);
    return all;
}

nlohmann::json Router::stats_json() const {
    auto all = nlohmann::json::array();
    for (const auto& s : stats()) {
        all.push_back({
            {"generation", s.generation},
            {"weight", s.weight},
            {"state", route_state_name(s.state)},
            {"requests", s.requests},
            {"in_flight", s.in_flight},
            {"status_2xx", s.status_2xx},
            {"status_3xx", s.status_3xx},
            {"status_4xx", s.status_4xx},
            {"status_5xx", s.status_5xx},
            {"upstream_failures", s.upstream_failures},
            {"retries", s.retries},
            {"abandoned", s.abandoned},
        });
    }
    return all;
}

Router::Ticket::Ticket(Ticket&& other) noexcept
    : state_(std::move(other.state_)), generation_(other.generation_), active_(other.active_) {
    other.active_ = false;
}

Router::Ticket& Router::Ticket::operator=(Ticket&& other) noexcept {
    if (this != &other) {
        end(Outcome::Abandoned, 0);
        state_ = std::move(other.state_);
        generation_ = other.generation_;
        active_ = other.active_;
        other.active_ = false;
    }
    return *this;
}

Router::Ticket::~Ticket() { end(Outcome::Abandoned, 0); }

void Router::Ticket::note_retry() {
    if (!active_) return;
    auto state = state_.lock();
    if (!state) return;
    if (auto* entry = state->find(generation_)) ++entry->stats.retries;
}

void Router::Ticket::finish(int status, double latency_ms) { end(Outcome::Answered, status, latency_ms); }
void Router::Ticket::fail_upstream() { end(Outcome::UpstreamFailed, 0); }

void Router::Ticket::end(Outcome outcome, int status, double latency_ms) {
    if (!active_) return;
    active_ = false;
    // Held until return: a drain callback that destroys the router must not free the entry under us.
    auto state = state_.lock();
    if (!state) return;  // the router is gone; nothing to count
    auto* entry = state->find(generation_);
    if (!entry) return;  // cannot happen: forget() takes only drained generations, which have none in flight
    auto& s = entry->stats;
    switch (outcome) {
        case Outcome::Answered:
            switch (status / 100) {
                case 2: ++s.status_2xx; break;
                case 3: ++s.status_3xx; break;
                case 4: ++s.status_4xx; break;
                case 5: ++s.status_5xx; break;
                default: break;
            }
            break;
        case Outcome::UpstreamFailed: ++s.upstream_failures; break;
        case Outcome::Abandoned: ++s.abandoned; break;
    }
    --s.in_flight;
    if (state->observer)
        state->observer(RequestEnd{.generation = generation_, .outcome = outcome, .status = status,
                                   .latency_ms = outcome == Outcome::Answered ? latency_ms : -1});
    if (s.state != RouteState::Draining || s.in_flight > 0) return;
    s.state = RouteState::Drained;
    // Bookkeeping done; the callback is moved out so it runs once even if it drains or forgets.
    auto on_idle = std::move(entry->on_idle);
    entry->on_idle = nullptr;
    if (on_idle) on_idle();
}

}  // namespace hotswap
