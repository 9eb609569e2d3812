#pragma once
// PollWatcher: the backend for filesystems where inotify sees nothing (network mounts, some container and
// FUSE filesystems): every directory is looked at every `poll_interval` (--poll[=MS]). Same rules, same
// changes as the inotify backend, found by comparing stamps instead of being told.

#include <memory>

#include "core/event_loop.hpp"
#include "watch/directory_poller.hpp"
#include "watch/watched_tree.hpp"
#include "watch/watcher.hpp"

namespace hotswap {

class PollWatcher final : public Watcher {
public:
    PollWatcher(EventLoop& loop, WatchOptions options, ChangeCallback on_changes);

    Result<void> start() override;
    WatchStats stats() const override;

private:
    void look_for_missing_roots(std::vector<Change>& changes);
    void lose_root(size_t root, std::vector<Change>& changes);

    WatchOptions options_;
    WatchedTree tree_;
    std::unique_ptr<DirectoryPoller> poller_;
    size_t files_ = 0;
    Duration setup_time_{0};
};

}  // namespace hotswap
