#pragma once
// Leftovers: the processes a generation leaves behind when it stops, which its process group does not
// cover: grandchildren that called setsid() or setpgid(), and orphans the kernel re-parented to hotswap
// (its child subreaper). Each generation's environment carries HOTSWAP_GENERATION=<id>, and /proc keeps
// the environment a process started with, so an orphan can be traced to the generation it came from.

#include <sys/types.h>

#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "proc/process_tree.hpp"

namespace hotswap {

struct LeftoverQuery {
    pid_t self = 0;                 // hotswap
    std::set<pid_t> tracked;        // hotswap's own children it knows (generation leaders, the build)
    std::set<int> live_generations; // ids of generations still running
    bool everything = false;        // shutting down: every orphan goes, traced or not
};

// Which generation `pid` was started for (HOTSWAP_GENERATION in its initial environment), if known.
using GenerationLookup = std::function<std::optional<int>(pid_t)>;

// Orphans of generations that are gone (or all orphans when `everything`), with all their descendants.
std::vector<pid_t> leftovers_to_kill(const ProcessTree& tree, const LeftoverQuery& query, const GenerationLookup& lookup);

// Descendants of a running generation's leader that left its process group: a signal to the group misses
// them, so they are signalled one by one.
std::vector<pid_t> escaped_descendants(const ProcessTree& tree, pid_t leader);

// The lookup used in production: reads /proc/PID/environ.
std::optional<int> generation_from_environment(pid_t pid);

}  // namespace hotswap
