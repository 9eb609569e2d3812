#include "watch/inotify_watcher.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "core/file_descriptor.hpp"
#include "watch/join_path.hpp"

namespace hotswap {

namespace {

// Everything that can change a file's content or a directory's entries. IN_MODIFY is kept although
// IN_CLOSE_WRITE usually follows, so a writer that keeps its file open is still seen, and so the debouncer
// knows a write is in progress. IN_EXCL_UNLINK: nothing about files already unlinked.
constexpr uint32_t kDirectoryMask = IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_DELETE | IN_MOVED_FROM |
                                    IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;
// On the nearest existing parent of a root that is gone: enough to see it come back.
constexpr uint32_t kAnchorMask = IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_MASK_ADD;

std::string parent_of(std::string_view path) {
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return "/";
    return std::string(path.substr(0, slash));
}

bool is_directory(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

size_t read_sysctl(const char* path) {
    FileDescriptor fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return 0;
    char buf[32] = {};
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    return n > 0 ? size_t(std::strtoull(buf, nullptr, 10)) : 0;
}

size_t next_power_of_two(size_t n) {
    size_t p = 1024;
    while (p < n) p *= 2;
    return p;
}

}  // namespace

InotifyWatcher::InotifyWatcher(EventLoop& loop, WatchOptions options, ChangeCallback on_changes)
    : loop_(loop), options_(std::move(options)), on_changes_(std::move(on_changes)), tree_(options_) {}

InotifyWatcher::~InotifyWatcher() {
    if (fd_) loop_.remove_fd(fd_.get());
}

WatchStats InotifyWatcher::stats() const {
    WatchStats s;
    s.polled_directories = poller_ ? poller_->directories() : 0;
    s.directories = nodes_by_wd_.size() + s.polled_directories;
    s.files = files_;
    s.setup_time = setup_time_;
    return s;
}

Result<void> InotifyWatcher::start() {
    auto started = Clock::now();
    fd_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!fd_) {
        if (errno == EMFILE)
            return Error::message(fmt::format(
                "no inotify instance left (fs.inotify.max_user_instances = {}): raise it with `sudo sysctl "
                "fs.inotify.max_user_instances=512`, or use --poll",
                read_sysctl("/proc/sys/fs/inotify/max_user_instances")));
        return Error::from_errno("inotify_init1");
    }
    HS_TRY_VOID(tree_.resolve_roots());
    // 1. Every root, walked: a watch per directory that is not ignored.
    counting_ = true;
    for (size_t i = 0; i < tree_.roots().size(); ++i) {
        if (!tree_.attach_root(i)) continue;
        tree_.walk(tree_.roots()[i].node, hooks(nullptr));
    }
    counting_ = false;
    if (poller_) files_ += poller_->files();
    // 2. Events from now on.
    HS_TRY_VOID(loop_.add_fd(fd_.get(), EPOLLIN, [this](uint32_t) { on_readable(); }));
    // 3. One message if some directories had to be polled.
    if (limit_reached_) report_watch_limit();
    started_ = true;
    setup_time_ = std::chrono::duration_cast<Duration>(Clock::now() - started);
    return {};
}

WalkHooks InotifyWatcher::hooks(std::vector<Change>* found) {
    WalkHooks h;
    h.enter = [this, found](NodeId node, const std::string& path) { return add_watch(node, path, found); };
    h.on_file = [this, found](NodeId, std::string_view dir, std::string_view name, int) {
        if (counting_) ++files_;
        if (found) found->push_back(Change{join_path(dir, name), ChangeKind::Created});
    };
    h.on_removed = [this, found](NodeId node, DirectoryTree::Node& removed) { drop_watch(node, removed, found); };
    h.on_root_lost = [this, found](size_t root) {
        std::vector<Change> ignored;
        lose_root(root, found ? *found : ignored);
    };
    return h;
}

DirAction InotifyWatcher::add_watch(NodeId node, const std::string& path, std::vector<Change>* found) {
    auto& tree = tree_.tree();
    if (tree[node].polled) return DirAction::Elsewhere;
    bool is_root = tree[node].parent == kNoNode;
    int wd = -1;
    if (options_.max_watches > 0 && watches() >= options_.max_watches && tree[node].wd < 0) {
        errno = ENOSPC;  // the test seam: behave exactly as the kernel does at its limit
    } else {
        // Roots may be symlinks to directories; below them nothing is followed.
        wd = ::inotify_add_watch(fd_.get(), path.c_str(), kDirectoryMask | (is_root ? 0 : IN_DONT_FOLLOW));
    }
    if (wd < 0) {
        int err = errno;
        if (err == ENOSPC) {
            poll_instead(node, found);
            return DirAction::Elsewhere;
        }
        if (err == EACCES || err == EPERM)
            tree_.warn(fmt::format("cannot watch {} ({}): changes inside it are not seen until it is readable again",
                                   path, std::strerror(err)));
        else if (err != ENOENT && err != ENOTDIR && err != ELOOP)
            tree_.warn(fmt::format("cannot watch {}: inotify_add_watch: {}", path, std::strerror(err)));
        return DirAction::Gone;
    }
    int previous = tree[node].wd;
    if (previous >= 0 && previous != wd) {  // the directory was replaced by another one of the same name
        nodes_by_wd_.erase(previous);
        ::inotify_rm_watch(fd_.get(), previous);
    }
    NodeId stale = nodes_by_wd_.find(wd);
    nodes_by_wd_.set(wd, node);
    if (stale != kNoNode && stale != node) {
        // The same directory known under an older name whose move has not been read yet: that name is stale.
        if (tree.alive(stale) && tree[stale].wd == wd) {
            tree[stale].wd = -1;
            tree_.remove(stale, hooks(nullptr));
        }
    }
    tree[node].wd = wd;
    return DirAction::Descend;
}

void InotifyWatcher::drop_watch(NodeId node, DirectoryTree::Node& removed, std::vector<Change>* report) {
    if (removed.wd >= 0) {
        if (nodes_by_wd_.find(removed.wd) == node) {
            nodes_by_wd_.erase(removed.wd);
            if (!anchors_.count(removed.wd)) ::inotify_rm_watch(fd_.get(), removed.wd);
        }
    }
    if (removed.polled && poller_) poller_->forget(node, report);  // its files were not reported one by one
}

void InotifyWatcher::poll_instead(NodeId node, std::vector<Change>* found) {
    if (!poller_) {
        poller_ = std::make_unique<DirectoryPoller>(loop_, tree_, options_.fallback_poll_interval, on_changes_);
        poller_->on_root_lost = [this](size_t root, std::vector<Change>& changes) { lose_root(root, changes); };
    }
    limit_reached_ = true;
    poller_->adopt(node, found);
}

void InotifyWatcher::report_watch_limit() {
    limit_reported_ = true;
    size_t polled = poller_ ? poller_->directories() : 0;
    size_t watched = nodes_by_wd_.size();
    size_t limit = read_sysctl("/proc/sys/fs/inotify/max_user_watches");
    std::string limit_text = options_.max_watches > 0
                                 ? fmt::format("a limit of {} set for testing", options_.max_watches)
                                 : fmt::format("fs.inotify.max_user_watches = {}", limit);
    size_t suggested = next_power_of_two(std::max(limit, options_.max_watches) + polled);
    tree_.warn(fmt::format(
        "the inotify watch limit is reached ({}): {} directories need a watch, {} have one and the other {} are "
        "polled every {} ms instead; to watch them all, raise the limit: `sudo sysctl "
        "fs.inotify.max_user_watches={}` (and in /etc/sysctl.d/ to keep it)",
        limit_text, watched + polled, watched, polled, options_.fallback_poll_interval.count(), suggested));
}

void InotifyWatcher::on_readable() {
    // Aligned for struct inotify_event; 16 KB holds hundreds of events per read.
    alignas(inotify_event) char buf[16 * 1024];
    std::vector<Change> changes;
    bool overflow = false;
    for (;;) {
        ssize_t n = ::read(fd_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (char* p = buf; p < buf + n;) {
            auto* event = reinterpret_cast<inotify_event*>(p);
            p += sizeof(inotify_event) + event->len;
            if (event->mask & IN_Q_OVERFLOW) overflow = true;
            else if (!overflow) handle(*event, changes);  // after an overflow only the rescan's answer counts
        }
    }
    if (overflow) {
        // Events were lost: the only safe answer is to look at everything again.
        rules_changed_.clear();
        rescan(changes);
    } else {
        recheck_rules(changes);
    }
    if (limit_reached_ && !limit_reported_) report_watch_limit();
    if (!changes.empty()) on_changes_(std::move(changes));
}

void InotifyWatcher::handle(const inotify_event& event, std::vector<Change>& changes) {
    if (anchors_.count(event.wd)) on_anchor_event(event.wd, changes);
    NodeId node = nodes_by_wd_.find(event.wd);
    if (node == kNoNode) return;
    auto& tree = tree_.tree();
    if (event.mask & IN_IGNORED) {  // the watch is gone: its directory was deleted or unmounted
        nodes_by_wd_.erase(event.wd);
        if (!tree.alive(node) || tree[node].wd != event.wd) return;
        tree[node].wd = -1;
        size_t root = tree_.root_of_node(node);
        if (root != SIZE_MAX) lose_root(root, changes);
        return;
    }
    if (event.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
        // Only a root's own loss matters here; any other directory's is seen from its parent.
        size_t root = tree_.root_of_node(node);
        if (root != SIZE_MAX) lose_root(root, changes);
        return;
    }
    if (event.len == 0) return;
    std::string_view name(event.name);  // NUL-padded
    if (event.mask & IN_ISDIR) on_directory_event(node, name, event.mask, changes);
    else on_file_event(node, name, event.mask, changes);
}

void InotifyWatcher::on_directory_event(NodeId dir, std::string_view name, uint32_t mask, std::vector<Change>& changes) {
    auto& tree = tree_.tree();
    NodeId child = tree.find_child(dir, name);
    if (mask & (IN_CREATE | IN_MOVED_TO)) {
        if (tree_.skips_directory(dir, name)) return;
        if (child != kNoNode) {
            if (mask & IN_CREATE) return;  // already found by the walk of its parent
            tree_.remove(child, hooks(nullptr));  // moved over an older directory of that name
        }
        // Watched first, listed second: its files (maybe written before the watch existed) are reported.
        tree_.walk(tree.add_child(dir, name), hooks(&changes));
    } else if (mask & (IN_DELETE | IN_MOVED_FROM)) {
        if (child == kNoNode) return;
        std::string path = tree_.path(child);
        tree_.remove(child, hooks(&changes));
        // A deleted directory's files were reported one by one; one moved away is reported as a whole.
        if (mask & IN_MOVED_FROM) changes.push_back(Change{std::move(path), ChangeKind::Removed});
    } else if ((mask & IN_ATTRIB) && child == kNoNode && !tree_.skips_directory(dir, name)) {
        tree_.walk(tree.add_child(dir, name), hooks(&changes));  // it may have just become readable
    }
}

void InotifyWatcher::on_file_event(NodeId dir, std::string_view name, uint32_t mask, std::vector<Change>& changes) {
    if (is_ignore_file_name(name)) rules_changed_.push_back(dir);
    if (!tree_.wants_file(dir, name)) return;
    Change change{join_path(tree_.path(dir), name), ChangeKind::Modified};
    if (mask & (IN_DELETE | IN_MOVED_FROM)) change.kind = ChangeKind::Removed;
    else if (mask & IN_MOVED_TO) change.kind = ChangeKind::Created;
    else if (mask & IN_CREATE) change.kind = ChangeKind::Created, change.writing = true;
    else if (mask & IN_MODIFY) change.writing = true;
    changes.push_back(std::move(change));
}

void InotifyWatcher::recheck_rules(std::vector<Change>& changes) {
    // An edited .gitignore/.ignore may prune or restore directories below it: walk them again.
    if (rules_changed_.empty()) return;
    std::sort(rules_changed_.begin(), rules_changed_.end());
    rules_changed_.erase(std::unique(rules_changed_.begin(), rules_changed_.end()), rules_changed_.end());
    std::vector<NodeId> dirs;
    dirs.swap(rules_changed_);
    for (NodeId dir : dirs)
        if (tree_.tree().alive(dir) && !tree_.tree()[dir].polled) tree_.walk(dir, hooks(nullptr));
    (void)changes;
}

void InotifyWatcher::rescan(std::vector<Change>& changes) {
    for (size_t i = 0; i < tree_.roots().size(); ++i) {
        auto& root = tree_.roots()[i];
        changes.push_back(Change{root.path, ChangeKind::Rescan});
        if (root.node == kNoNode) restore_root(i, changes);
        else tree_.walk(root.node, hooks(nullptr));
    }
}

void InotifyWatcher::lose_root(size_t i, std::vector<Change>& changes) {
    auto& root = tree_.roots()[i];
    if (root.node == kNoNode) return;
    report_root_removed(root, changes);
    tree_.remove(root.node, hooks(nullptr));
    restore_root(i, changes);
}

void InotifyWatcher::restore_root(size_t i, std::vector<Change>& changes) {
    auto& root = tree_.roots()[i];
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (tree_.attach_root(i)) {
            tree_.walk(root.node, hooks(&changes));  // everything in it is new
            return;
        }
        // Wait on the nearest parent that exists, then check once more: it may have come back meanwhile.
        std::string dir = parent_of(root.path);
        while (dir != "/" && !is_directory(dir)) dir = parent_of(dir);
        int wd = ::inotify_add_watch(fd_.get(), dir.c_str(), kAnchorMask);
        if (wd < 0) {
            tree_.warn(fmt::format("{} is gone and cannot be waited for (inotify_add_watch({}): {})", root.path, dir,
                                   std::strerror(errno)));
            return;
        }
        auto& waiting = anchors_[wd];
        if (std::find(waiting.begin(), waiting.end(), i) == waiting.end()) waiting.push_back(i);
        if (!is_directory(root.path)) return;
        waiting.erase(std::find(waiting.begin(), waiting.end(), i));
        if (waiting.empty()) {
            anchors_.erase(wd);
            if (!nodes_by_wd_.contains(wd)) ::inotify_rm_watch(fd_.get(), wd);
        }
    }
}

void InotifyWatcher::on_anchor_event(int wd, std::vector<Change>& changes) {
    // Something appeared (or the parent itself went): each root waiting here is checked again.
    std::vector<size_t> waiting = std::move(anchors_[wd]);
    anchors_.erase(wd);
    if (!nodes_by_wd_.contains(wd)) ::inotify_rm_watch(fd_.get(), wd);
    for (size_t i : waiting)
        if (tree_.roots()[i].node == kNoNode) restore_root(i, changes);
}

}  // namespace hotswap
