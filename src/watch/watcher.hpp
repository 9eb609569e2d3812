#pragma once
// Watcher: the interface every backend (inotify, polling) implements. It reports raw, already filtered
// changes to a callback on the event loop; the Debouncer turns them into one ChangeSet per burst.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "watch/change.hpp"

namespace hotswap {

struct WatchOptions {
    std::vector<std::string> roots{"."};    // directories (or files) to watch, recursively
    std::vector<std::string> extensions;    // "cpp", "go" (no dot); empty: every file not ignored
    std::vector<std::string> ignore;        // gitignore-syntax patterns from -i/--ignore and the config
    Duration poll_interval{0};              // 0: inotify; > 0: poll every interval
};

struct WatchStats {
    size_t directories = 0;
    size_t files = 0;
    Duration setup_time{0};
};

class Watcher {
public:
    using ChangeCallback = std::function<void(std::vector<Change>)>;
    virtual ~Watcher() = default;
    // Walks the roots and installs every watch. Returns once the tree is fully watched.
    virtual Result<void> start() = 0;
    virtual WatchStats stats() const = 0;
};

// Picks the backend from the options (inotify unless poll_interval > 0).
Result<std::unique_ptr<Watcher>> make_watcher(EventLoop& loop, const WatchOptions& options,
                                              Watcher::ChangeCallback on_changes);

}  // namespace hotswap
