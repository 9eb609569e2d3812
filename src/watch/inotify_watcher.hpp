#pragma once
// InotifyWatcher: one inotify watch per directory (DESIGN.md §6). The walk reads d_type (no stat per
// entry) and prunes ignored directories before watching them. A new directory is watched first and listed
// second, so files created in between are still reported; a renamed or deleted directory drops its subtree
// from the tree; IN_Q_OVERFLOW re-walks everything and reports a Rescan. When the kernel refuses more
// watches (ENOSPC), the directories left are polled instead, and the user is told once what limit to set.
// A root that is deleted or renamed away is waited for (a watch on its nearest existing parent) and
// watched again when it comes back.

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "watch/directory_poller.hpp"
#include "watch/watch_table.hpp"
#include "watch/watched_tree.hpp"
#include "watch/watcher.hpp"

struct inotify_event;

namespace hotswap {

class InotifyWatcher final : public Watcher {
public:
    InotifyWatcher(EventLoop& loop, WatchOptions options, ChangeCallback on_changes);
    ~InotifyWatcher() override;

    Result<void> start() override;
    WatchStats stats() const override;

private:
    WalkHooks hooks(std::vector<Change>* found);
    DirAction add_watch(NodeId node, const std::string& path, std::vector<Change>* found);
    void drop_watch(NodeId node, DirectoryTree::Node& removed, std::vector<Change>* report);
    void poll_instead(NodeId node, std::vector<Change>* found);
    size_t watches() const { return nodes_by_wd_.size() + anchors_.size(); }

    void on_readable();
    void handle(const inotify_event& event, std::vector<Change>& changes);
    void on_directory_event(NodeId dir, std::string_view name, uint32_t mask, std::vector<Change>& changes);
    void on_file_event(NodeId dir, std::string_view name, uint32_t mask, std::vector<Change>& changes);
    void recheck_rules(std::vector<Change>& changes);
    void rescan(std::vector<Change>& changes);
    void lose_root(size_t root, std::vector<Change>& changes);
    void restore_root(size_t root, std::vector<Change>& changes);
    void on_anchor_event(int wd, std::vector<Change>& changes);
    void report_watch_limit();

    EventLoop& loop_;
    WatchOptions options_;
    ChangeCallback on_changes_;
    WatchedTree tree_;
    FileDescriptor fd_;
    WatchTable nodes_by_wd_;
    std::unordered_map<int, std::vector<size_t>> anchors_;  // a missing root's nearest existing parent
    std::unique_ptr<DirectoryPoller> poller_;                // directories beyond the watch limit
    std::vector<NodeId> rules_changed_;                      // directories whose ignore files changed
    bool counting_ = false;
    bool limit_reached_ = false;
    bool limit_reported_ = false;
    bool started_ = false;
    size_t files_ = 0;
    Duration setup_time_{0};
};

}  // namespace hotswap
