#include "watch/inotify_watcher.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include <fmt/core.h>

namespace hotswap {

namespace {

constexpr uint32_t kDirMask = IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_DELETE | IN_MOVED_FROM |
                              IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW |
                              IN_EXCL_UNLINK;

std::string join(std::string_view dir, std::string_view name) {
    std::string out(dir);
    if (out.empty() || out.back() != '/') out += '/';
    out += name;
    return out;
}

std::string parent_of(std::string_view path) {
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return "/";
    return std::string(path.substr(0, slash));
}

}  // namespace

InotifyWatcher::InotifyWatcher(EventLoop& loop, WatchOptions options, ChangeCallback on_changes)
    : loop_(loop),
      options_(std::move(options)),
      on_changes_(std::move(on_changes)),
      filter_(options_.roots, options_.extensions, options_.ignore) {}

InotifyWatcher::~InotifyWatcher() {
    if (fd_) loop_.remove_fd(fd_.get());
}

Result<void> InotifyWatcher::start() {
    auto started = Clock::now();
    fd_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!fd_) return Error::from_errno("inotify_init1");
    for (const auto& root : options_.roots) {
        struct stat st;
        if (::stat(root.c_str(), &st) != 0) return Error::from_errno("stat", root, errno).with_context("--watch");
        if (S_ISDIR(st.st_mode)) {
            HS_TRY_VOID(add_tree(root, nullptr));
        } else {
            file_roots_.insert(root);
            HS_TRY_VOID(add_watch(parent_of(root)));
            ++stats_.files;
        }
    }
    HS_TRY_VOID(loop_.add_fd(fd_.get(), EPOLLIN, [this](uint32_t) { on_readable(); }));
    stats_.setup_time = std::chrono::duration_cast<Duration>(Clock::now() - started);
    return {};
}

Result<void> InotifyWatcher::add_watch(const std::string& dir) {
    int wd = ::inotify_add_watch(fd_.get(), dir.c_str(), kDirMask);
    if (wd < 0) {
        if (errno == ENOSPC)
            return Error::message(fmt::format(
                "the inotify watch limit is reached at {} directories: raise it with "
                "`sudo sysctl fs.inotify.max_user_watches=524288`, or ignore large directories with -i",
                wds_.size()));
        return Error::from_errno("inotify_add_watch", dir, errno);
    }
    auto [it, inserted] = dirs_.emplace(wd, dir);
    if (!inserted && it->second != dir) {  // the same directory under a new name (renamed into view)
        wds_.erase(it->second);
        it->second = dir;
    }
    wds_[dir] = wd;
    return {};
}

Result<void> InotifyWatcher::add_tree(const std::string& top, std::vector<Change>* found) {
    std::vector<std::string> pending{top};
    while (!pending.empty()) {
        std::string dir = std::move(pending.back());
        pending.pop_back();
        // Watch first, list second: a file created between the two is seen by one or the other.
        if (auto r = add_watch(dir); !r) {
            // A directory that vanished or cannot be read is skipped; only a full watch table is fatal.
            if (r.error().errnum() == ENOENT || r.error().errnum() == EACCES || r.error().errnum() == ENOTDIR)
                continue;
            return r;
        }
        ++stats_.directories;
        DIR* d = ::opendir(dir.c_str());
        if (!d) continue;
        while (dirent* e = ::readdir(d)) {
            std::string_view name = e->d_name;
            if (name == "." || name == "..") continue;
            unsigned char type = e->d_type;
            std::string path = join(dir, name);
            if (type == DT_UNKNOWN) {  // some filesystems do not fill d_type
                struct stat st;
                if (::lstat(path.c_str(), &st) != 0) continue;
                type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
            }
            if (type == DT_DIR) {
                if (!filter_.skip_directory(path)) pending.push_back(std::move(path));
                continue;
            }
            if (filter_.is_ignore_file(name)) filter_.ignore_file_changed(dir);
            if (!filter_.wants_file(path)) continue;
            ++stats_.files;
            if (found) found->push_back(Change{std::move(path), ChangeKind::Created});
        }
        ::closedir(d);
    }
    return {};
}

void InotifyWatcher::forget_tree(const std::string& dir) {
    std::string prefix = dir + "/";
    for (auto it = wds_.begin(); it != wds_.end();) {
        if (it->first == dir || it->first.starts_with(prefix)) {
            ::inotify_rm_watch(fd_.get(), it->second);
            dirs_.erase(it->second);
            it = wds_.erase(it);
        } else {
            ++it;
        }
    }
}

bool InotifyWatcher::wanted(const std::string& path) {
    if (!file_roots_.empty() && file_roots_.count(path)) return true;
    if (!file_roots_.empty() && !file_roots_.count(path)) {
        // A file root's parent is watched for that file only, unless it is also inside a directory root.
        bool under_dir_root = false;
        for (const auto& root : options_.roots)
            if (!file_roots_.count(root) && path.starts_with(root + "/")) under_dir_root = true;
        if (!under_dir_root) return false;
    }
    return filter_.wants_file(path);
}

void InotifyWatcher::rescan() {
    for (auto& [wd, dir] : dirs_) ::inotify_rm_watch(fd_.get(), wd);
    dirs_.clear();
    wds_.clear();
    stats_ = WatchStats{};
    for (const auto& root : options_.roots) {
        if (file_roots_.count(root)) (void)add_watch(parent_of(root));
        else (void)add_tree(root, nullptr);
    }
}

void InotifyWatcher::on_readable() {
    alignas(inotify_event) char buf[64 * 1024];
    std::vector<Change> changes;
    for (;;) {
        ssize_t n = ::read(fd_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (char* p = buf; p < buf + n;) {
            auto* ev = reinterpret_cast<inotify_event*>(p);
            p += sizeof(inotify_event) + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                // Events were lost: the only safe answer is to look at everything again.
                rescan();
                for (const auto& root : options_.roots) changes.push_back(Change{root, ChangeKind::Rescan});
                continue;
            }
            auto it = dirs_.find(ev->wd);
            if (it == dirs_.end()) continue;
            if (ev->mask & IN_IGNORED) {  // the watch is gone (directory deleted or unmounted)
                wds_.erase(it->second);
                dirs_.erase(it);
                continue;
            }
            if (ev->len == 0) continue;  // events about the directory itself are seen from its parent
            const std::string& dir = it->second;
            std::string name(ev->name);
            std::string path = join(dir, name);
            if (ev->mask & IN_ISDIR) {
                if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
                    if (filter_.skip_directory(path)) continue;
                    if (auto r = add_tree(path, &changes); !r) changes.push_back(Change{path, ChangeKind::Rescan});
                } else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
                    if (wds_.count(path)) {
                        forget_tree(path);
                        changes.push_back(Change{path, ChangeKind::Removed});
                    }
                }
                continue;
            }
            if (filter_.is_ignore_file(name)) filter_.ignore_file_changed(dir);
            if (!wanted(path)) continue;
            ChangeKind kind = ChangeKind::Modified;
            if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) kind = ChangeKind::Removed;
            else if (ev->mask & (IN_CREATE | IN_MOVED_TO)) kind = ChangeKind::Created;
            // IN_MODIFY alone (a write still in progress) is reported too: the debouncer waits for quiet.
            changes.push_back(Change{std::move(path), kind});
        }
    }
    if (!changes.empty()) on_changes_(std::move(changes));
}

}  // namespace hotswap
