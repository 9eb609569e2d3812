#pragma once
// DirectoryPoller: watches directories by looking at them every interval: lists each one, stats each file
// that passes the filters, and compares with the previous look (name, size, mtime, ctime, inode). Used for
// every directory by the polling backend (--poll: network filesystems, some containers), and by the inotify
// backend for the directories it could not get a watch for (watch limit reached).

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "watch/watched_tree.hpp"
#include "watch/watcher.hpp"

namespace hotswap {

class DirectoryPoller {
public:
    DirectoryPoller(EventLoop& loop, WatchedTree& tree, Duration interval, Watcher::ChangeCallback on_changes);
    ~DirectoryPoller();
    DirectoryPoller(const DirectoryPoller&) = delete;
    DirectoryPoller& operator=(const DirectoryPoller&) = delete;

    // Polls `node` and everything below it from now on. Its files are recorded as they are now; with
    // `found`, they are also reported there as created (a directory that appeared after the start).
    void adopt(NodeId node, std::vector<Change>* found);
    // `node` left the tree through its owner: forget what was recorded about it, and with `report`, report
    // its files as removed.
    void forget(NodeId node, std::vector<Change>* report = nullptr);

    // Runs at the start of every poll (the polling backend looks for missing roots there).
    std::function<void(std::vector<Change>&)> before_poll;
    // A polled root cannot be listed any more.
    std::function<void(size_t root, std::vector<Change>&)> on_root_lost;
    // Keep polling even with no directory (the polling backend, waiting for a missing root).
    void keep_polling(bool on);

    size_t directories() const { return dirs_.size(); }
    size_t files() const;
    // One poll now (the timer's job; tests call it to avoid waiting).
    void poll();

private:
    struct Stamp {
        std::string name;
        int64_t mtime_ns;
        int64_t ctime_ns;
        uint64_t size;
        uint64_t ino;
        bool operator==(const Stamp&) const = default;
    };
    struct DirState {
        std::vector<Stamp> files;  // sorted by name
        bool listed = false;       // false until the first look (nothing to compare with yet)
    };
    WalkHooks hooks(std::vector<Change>* report, bool recurse_existing);
    void compare(NodeId node, std::vector<Change>* report);
    void arm();

    EventLoop& loop_;
    WatchedTree& tree_;
    Duration interval_;
    Watcher::ChangeCallback on_changes_;
    std::unordered_map<NodeId, DirState> dirs_;
    std::vector<Stamp> looked_;  // the directory being looked at now
    EventLoop::Timer timer_;
    bool keep_polling_ = false;
};

}  // namespace hotswap
