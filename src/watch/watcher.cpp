#include "watch/watcher.hpp"

#include "watch/inotify_watcher.hpp"

namespace hotswap {

Result<std::unique_ptr<Watcher>> make_watcher(EventLoop& loop, const WatchOptions& options,
                                              Watcher::ChangeCallback on_changes) {
    if (options.poll_interval.count() > 0)
        return Error::message("--poll is not available in this version: drop it to use inotify");
    return std::unique_ptr<Watcher>(std::make_unique<InotifyWatcher>(loop, options, std::move(on_changes)));
}

}  // namespace hotswap
