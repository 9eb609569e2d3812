#include "supervise/generations.hpp"

#include <signal.h>

#include <fmt/core.h>

#include "core/signal_name.hpp"
#include "proc/process_tree.hpp"
#include "proc/time_slice.hpp"
#include "ready/probe.hpp"
#include "supervise/leftovers.hpp"
#include "ui/console.hpp"

namespace hotswap {

Generations::Generations(const EventSink& events, int stop_signal, Duration drain_timeout)
    : events_(events), stop_signal_(stop_signal), drain_timeout_(drain_timeout) {}

Generations::~Generations() {
    all_.clear();  // each Child stops watching its process and kills what is left of its group
}

std::unique_ptr<Generation> Generations::make(LaunchTarget target) {
    auto g = std::make_unique<Generation>();
    g->id = next_id_++;
    g->launch = std::move(target);
    return g;
}

Generation& Generations::add(std::unique_ptr<Generation> g) {
    const int id = g->id;
    return *(all_[id] = std::move(g));
}

std::unique_ptr<Generation> Generations::remove(int id) {
    auto it = all_.find(id);
    if (it == all_.end()) return nullptr;
    std::unique_ptr<Generation> g = std::move(it->second);
    all_.erase(it);
    return g;
}

Generation* Generations::find(int id) {
    auto it = all_.find(id);
    return it == all_.end() ? nullptr : it->second.get();
}

Generation* Generations::serving() {
    for (auto& [id, g] : all_)
        if (g->state == GenerationState::Serving) return g.get();
    return nullptr;
}

const Generation* Generations::serving() const {
    for (const auto& [id, g] : all_)
        if (g->state == GenerationState::Serving) return g.get();
    return nullptr;
}

const Generation* Generations::starting() const {
    for (const auto& [id, g] : all_)
        if (g->state == GenerationState::Starting || g->state == GenerationState::Ready) return g.get();
    return nullptr;
}

int Generations::serving_id() const {
    const Generation* g = serving();
    return g ? g->id : 0;
}

bool Generations::any_stopping() const {
    for (const auto& [id, g] : all_)
        if (g->stop_requested()) return true;
    return false;
}

bool Generations::any_draining() const {
    for (const auto& [id, g] : all_)
        if (g->state == GenerationState::Draining) return true;
    return false;
}

void Generations::advance(Generation& g, GenerationEvent event) {
    auto next = next_state(g.state, event);
    if (!next) {
        Console::get().debug(fmt::format("{}: ignored {} while {}", g.label(), to_string(event), to_string(g.state)));
        return;
    }
    g.state = *next;
}

void Generations::stop(Generation& g, std::string_view reason) {
    if (g.stop_requested()) return;
    if (g.state != GenerationState::Failed) advance(g, GenerationEvent::Stop);
    g.stop_requested_at = Clock::now();
    g.ready_timer.cancel();
    g.probation_timer.cancel();
    g.on_probation = false;
    g.probe.reset();
    emit_event(events_, event::Drain{.generation = g.id,
                                     .pid = g.pid(),
                                     .artifact = g.launch.artifact_id,
                                     .signal = signal_name(stop_signal_),
                                     .drain_timeout_ms = drain_timeout_.count(),
                                     .reason = std::string(reason)});
    if (!drain_first_) {
        send_stop_signal(g);
        return;
    }
    const int id = g.id;
    drain_first_(g, drain_timeout_, [this, id] {
        if (Generation* still = find(id)) send_stop_signal(*still);
    });
}

void Generations::send_stop_signal(Generation& g) {
    // What is left of the drain timeout after the front's part, and a moment to exit at the least.
    constexpr Duration kLeastGrace{1'000};
    const auto spent = std::chrono::duration_cast<Duration>(Clock::now() - g.stop_requested_at);
    const Duration grace = drain_first_ ? std::max(drain_timeout_ - spent, std::min(kLeastGrace, drain_timeout_)) : drain_timeout_;
    const int id = g.id;
    if (g.child) g.child->stop(stop_signal_, grace, [this, id] { on_drain_timeout(id); });
}

void Generations::stop_all(std::string_view reason) {
    for (auto& [id, g] : all_) stop(*g, reason);
}

void Generations::kill_all() {
    for (auto& [id, g] : all_)
        if (g->child) g->child->signal_group(SIGKILL);
}

void Generations::on_drain_timeout(int id) {
    Generation* g = find(id);
    if (!g) return;
    // Descendants that left the group first, while they can still be found below the leader; the Child
    // kills the group itself right after this.
    for (pid_t pid : escaped_descendants(ProcessTree::snapshot(), g->pid())) ::kill(pid, SIGKILL);
    emit_event(events_, event::Kill{.generation = id,
                                    .pid = g->pid(),
                                    .reason = "drain timeout",
                                    .stop_signal = signal_name(stop_signal_),
                                    .drain_timeout_ms = drain_timeout_.count()});
}

void Generations::favor_serving(bool overlapping) {
    if (Generation* g = serving()) favor(*g, overlapping);
}

void Generations::favor(Generation& g, bool overlapping) {
    if (!overlapping || g.favored || !g.running()) return;
    g.favored = set_time_slice(g.pid(), kShortestSlice) > 0;
}

void Generations::unfavor_all() {
    for (auto& [id, g] : all_) {
        if (!g->favored) continue;
        g->favored = false;
        if (g->running()) (void)set_time_slice(g->pid(), std::chrono::nanoseconds(0));
    }
}

nlohmann::json Generations::status_json() const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [id, g] : all_)
        out.push_back({{"id", id},
                       {"state", to_string(g->state)},
                       {"pid", g->pid()},
                       {"artifact", g->launch.artifact_id},
                       {"reason", to_string(g->launch.reason)},
                       {"uptime_ms", since(g->spawned_at).count()},
                       {"serving_ms", since(g->serving_since).count()},
                       {"on_probation", g->on_probation}});
    return out;
}

}  // namespace hotswap
