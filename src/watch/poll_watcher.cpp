#include "watch/poll_watcher.hpp"

namespace hotswap {

PollWatcher::PollWatcher(EventLoop& loop, WatchOptions options, ChangeCallback on_changes)
    : options_(std::move(options)),
      tree_(options_),
      poller_(std::make_unique<DirectoryPoller>(loop, tree_, options_.poll_interval, std::move(on_changes))) {
    poller_->before_poll = [this](std::vector<Change>& changes) { look_for_missing_roots(changes); };
    poller_->on_root_lost = [this](size_t root, std::vector<Change>& changes) { lose_root(root, changes); };
}

WatchStats PollWatcher::stats() const {
    WatchStats s;
    s.directories = s.polled_directories = poller_->directories();
    s.files = files_;
    s.setup_time = setup_time_;
    return s;
}

Result<void> PollWatcher::start() {
    auto started = Clock::now();
    HS_TRY_VOID(tree_.resolve_roots());
    for (size_t i = 0; i < tree_.roots().size(); ++i)
        if (tree_.attach_root(i)) poller_->adopt(tree_.roots()[i].node, nullptr);
    files_ = poller_->files();
    poller_->keep_polling(true);
    setup_time_ = std::chrono::duration_cast<Duration>(Clock::now() - started);
    return {};
}

void PollWatcher::look_for_missing_roots(std::vector<Change>& changes) {
    for (size_t i = 0; i < tree_.roots().size(); ++i) {
        auto& root = tree_.roots()[i];
        if (root.node == kNoNode && tree_.attach_root(i)) poller_->adopt(root.node, &changes);
    }
}

void PollWatcher::lose_root(size_t i, std::vector<Change>& changes) {
    auto& root = tree_.roots()[i];
    if (root.node == kNoNode) return;
    report_root_removed(root, changes);
    WalkHooks forget;
    forget.on_removed = [this](NodeId node, DirectoryTree::Node&) { poller_->forget(node); };
    tree_.remove(root.node, forget);
}

}  // namespace hotswap
