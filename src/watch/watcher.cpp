#include "watch/watcher.hpp"

#include "watch/inotify_watcher.hpp"
#include "watch/poll_watcher.hpp"

namespace hotswap {

Result<std::unique_ptr<Watcher>> make_watcher(EventLoop& loop, const WatchOptions& options,
                                              Watcher::ChangeCallback on_changes) {
    if (options.poll_interval.count() > 0)
        return std::unique_ptr<Watcher>(std::make_unique<PollWatcher>(loop, options, std::move(on_changes)));
    return std::unique_ptr<Watcher>(std::make_unique<InotifyWatcher>(loop, options, std::move(on_changes)));
}

}  // namespace hotswap
