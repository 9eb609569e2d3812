#include "supervise/leftover_reaper.hpp"

#include <signal.h>
#include <unistd.h>

#include "proc/orphan_guard.hpp"
#include "supervise/leftovers.hpp"

namespace hotswap {

void LeftoverReaper::reap(const Generations& generations, pid_t build_pid, bool everything) {
    LeftoverQuery query;
    query.self = ::getpid();
    query.everything = everything;
    for (const auto& [id, g] : generations.all()) {
        query.live_generations.insert(id);
        if (g->pid() > 0) query.tracked.insert(g->pid());
    }
    if (build_pid > 0) query.tracked.insert(build_pid);
    if (OrphanGuard::running_pid() > 0) query.tracked.insert(OrphanGuard::running_pid());
    // Most of the time every child is one we know: a look at our own children settles it without walking
    // all of /proc.
    if (auto children = direct_children(query.self)) {
        bool untracked = false;
        for (pid_t c : *children) untracked = untracked || !query.tracked.count(c);
        if (!untracked) return;
    }
    auto victims = leftovers_to_kill(ProcessTree::snapshot(), query, generation_from_environment);
    std::erase_if(victims, [this](pid_t pid) { return !killed_.insert(pid).second; });
    if (victims.empty()) return;
    for (pid_t pid : victims) ::kill(pid, SIGKILL);
    // Reaped by the event loop's SIGCHLD handler like any orphan.
    emit_event(events_, event::Leftovers{victims});
}

std::vector<pid_t> LeftoverReaper::children_left() {
    auto children = direct_children(::getpid());
    if (!children) children = ProcessTree::snapshot().children_of(::getpid());
    std::erase(*children, OrphanGuard::running_pid());
    return *children;
}

}  // namespace hotswap
