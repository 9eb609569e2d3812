#pragma once
// Watcher: the interface every backend (inotify, polling) implements. It reports raw, already filtered
// changes to a callback on the event loop; the Debouncer turns them into one ChangeSet per burst.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "core/change.hpp"

namespace hotswap {

struct WatchOptions {
    std::vector<std::string> roots{"."};    // directories (or files) to watch, recursively
    std::vector<std::string> extensions;    // "cpp", "go" (no dot); empty: every file not ignored
    std::vector<std::string> ignore;        // gitignore-syntax patterns from -i/--ignore and the config
    // Absolute paths that never count, whatever the rules say: the build's own output (--artifact), so
    // that a build never triggers the next one.
    std::vector<std::string> ignore_paths;
    Duration poll_interval{0};              // 0: inotify; > 0: poll every interval
    // Acts as if the kernel refused watches beyond this many (0: only the kernel's limit). A seam for tests,
    // which cannot lower fs.inotify.max_user_watches without root and without disturbing other programs.
    size_t max_watches = 0;
    // How often directories left without an inotify watch (watch limit reached) are polled.
    Duration fallback_poll_interval{500};
    // Problems the user should know about but that do not stop watching (watch limit reached, an
    // unreadable directory): one sentence each.
    std::function<void(std::string_view)> on_warning;
};

struct WatchStats {
    size_t directories = 0;         // directories watched (with inotify, or polled)
    size_t polled_directories = 0;  // of which polled
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
