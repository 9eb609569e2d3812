#pragma once
// ProcessTree: a snapshot of the processes on this machine as /proc shows them (pid, parent, group), so
// the supervisor can find what a generation left behind: grandchildren that moved to a process group of
// their own, and orphans re-parented to hotswap, its child subreaper (DESIGN.md §3: nothing is orphaned).

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotswap {

struct ProcessEntry {
    pid_t pid = 0;
    pid_t ppid = 0;
    pid_t pgid = 0;
    char state = '?';  // R, S, D, Z (zombie: exited, not yet reaped), ...
    bool zombie() const { return state == 'Z'; }
};

class ProcessTree {
public:
    // Reads /proc/*/stat now. Processes that exit during the walk are skipped.
    static ProcessTree snapshot();
    explicit ProcessTree(std::vector<ProcessEntry> entries) : entries_(std::move(entries)) {}

    const std::vector<ProcessEntry>& entries() const { return entries_; }
    // Living children (zombies, already dead, are left out).
    std::vector<pid_t> children_of(pid_t parent) const;
    // Every living process below `root` (children, their children, ...), not `root` itself.
    std::vector<pid_t> descendants_of(pid_t root) const;

private:
    std::vector<ProcessEntry> entries_;
};

// The thread ids of `pid` (/proc/PID/task); empty when it is gone.
std::vector<pid_t> threads_of(pid_t pid);

// The living children of `pid`, from /proc/PID/task/*/children: one small read instead of a walk of all of
// /proc. nullopt when the kernel does not offer those files (CONFIG_PROC_CHILDREN off): take a snapshot.
std::optional<std::vector<pid_t>> direct_children(pid_t pid);

// Parses the line of /proc/PID/stat: "1234 (name with ) and spaces) S 1 1234 ...". nullopt when malformed.
std::optional<ProcessEntry> parse_proc_stat(std::string_view line);

// The value of NAME in the environment `pid` was started with (/proc/PID/environ), if it is ours to read.
std::optional<std::string> initial_environment_value(pid_t pid, std::string_view name);

}  // namespace hotswap
