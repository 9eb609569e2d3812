#pragma once
// InotifyWatcher: one inotify watch per directory (DESIGN.md §6). The walk reads d_type (no stat per
// entry) and prunes ignored directories before watching them. A new directory is watched first and scanned
// second, so files created in between are still reported; a renamed or deleted directory drops its whole
// subtree from the map; IN_Q_OVERFLOW rescans everything and reports it as a change.

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "watch/path_filter.hpp"
#include "watch/watcher.hpp"

namespace hotswap {

class InotifyWatcher final : public Watcher {
public:
    InotifyWatcher(EventLoop& loop, WatchOptions options, ChangeCallback on_changes);
    ~InotifyWatcher() override;

    Result<void> start() override;
    WatchStats stats() const override { return stats_; }

private:
    // Watches `dir` and every directory below it that is not ignored. With `found`, every file met is
    // reported as created (a directory that appeared after the start).
    Result<void> add_tree(const std::string& dir, std::vector<Change>* found);
    Result<void> add_watch(const std::string& dir);
    void forget_tree(const std::string& dir);
    void on_readable();
    void rescan();
    bool wanted(const std::string& path);

    EventLoop& loop_;
    WatchOptions options_;
    ChangeCallback on_changes_;
    PathFilter filter_;
    FileDescriptor fd_;
    std::unordered_map<int, std::string> dirs_;  // watch descriptor → absolute directory
    std::unordered_map<std::string, int> wds_;   // absolute directory → watch descriptor
    // Roots that are files: only these names count in their (non-recursively watched) parent directory.
    std::unordered_set<std::string> file_roots_;
    WatchStats stats_;
};

}  // namespace hotswap
