#include "watch/directory_poller.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "watch/join_path.hpp"

namespace hotswap {

namespace {
int64_t nanoseconds(const struct timespec& t) { return int64_t(t.tv_sec) * 1'000'000'000 + t.tv_nsec; }
}  // namespace

DirectoryPoller::DirectoryPoller(EventLoop& loop, WatchedTree& tree, Duration interval,
                                 Watcher::ChangeCallback on_changes)
    : loop_(loop), tree_(tree), interval_(interval), on_changes_(std::move(on_changes)) {}

DirectoryPoller::~DirectoryPoller() = default;

void DirectoryPoller::forget(NodeId node, std::vector<Change>* report) {
    auto it = dirs_.find(node);
    if (it == dirs_.end()) return;
    if (report && it->second.listed) {
        std::string dir = tree_.path(node);
        for (const auto& f : it->second.files) report->push_back(Change{join_path(dir, f.name), ChangeKind::Removed});
    }
    dirs_.erase(it);
}

size_t DirectoryPoller::files() const {
    size_t n = 0;
    for (const auto& [id, state] : dirs_) n += state.files.size();
    return n;
}

void DirectoryPoller::keep_polling(bool on) {
    keep_polling_ = on;
    arm();
}

void DirectoryPoller::arm() {
    if (timer_.armed() || (dirs_.empty() && !keep_polling_)) return;
    timer_ = loop_.after(interval_, [this] {
        poll();
        arm();
    });
}

WalkHooks DirectoryPoller::hooks(std::vector<Change>* report, bool recurse_existing) {
    WalkHooks h;
    h.recurse_existing = recurse_existing;
    h.enter = [this](NodeId node, const std::string&) {
        if (!dirs_.count(node)) {  // a directory met for the first time: polled from now on
            tree_.tree()[node].polled = true;
            dirs_.emplace(node, DirState{});
        }
        looked_.clear();
        return DirAction::Descend;
    };
    h.on_file = [this](NodeId, std::string_view, std::string_view name, int dir_fd) {
        struct stat st;
        if (::fstatat(dir_fd, std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;  // just went
        looked_.push_back(Stamp{std::string(name), nanoseconds(st.st_mtim), nanoseconds(st.st_ctim),
                                uint64_t(st.st_size), uint64_t(st.st_ino)});
    };
    h.on_listed = [this, report](NodeId node) { compare(node, report); };
    h.on_removed = [this, report](NodeId node, DirectoryTree::Node&) { forget(node, report); };
    h.on_root_lost = [this, report](size_t root) {
        std::vector<Change> ignored;
        if (on_root_lost) on_root_lost(root, report ? *report : ignored);
    };
    return h;
}

void DirectoryPoller::compare(NodeId node, std::vector<Change>* report) {
    auto it = dirs_.find(node);
    if (it == dirs_.end()) return;
    DirState& state = it->second;
    std::sort(looked_.begin(), looked_.end(), [](const Stamp& a, const Stamp& b) { return a.name < b.name; });
    if (report) {
        // Both lists are sorted by name: one merge pass finds what was created, modified and removed.
        std::string dir = tree_.path(node);
        const auto& before = state.files;
        size_t i = 0, j = 0;
        while (i < before.size() || j < looked_.size()) {
            if (j == looked_.size() || (i < before.size() && before[i].name < looked_[j].name)) {
                if (state.listed) report->push_back(Change{join_path(dir, before[i].name), ChangeKind::Removed});
                ++i;
            } else if (i == before.size() || looked_[j].name < before[i].name) {
                report->push_back(Change{join_path(dir, looked_[j].name), ChangeKind::Created});
                ++j;
            } else {
                if (!(before[i] == looked_[j])) report->push_back(Change{join_path(dir, looked_[j].name), ChangeKind::Modified});
                ++i;
                ++j;
            }
        }
    }
    state.files.swap(looked_);
    state.listed = true;
    looked_.clear();
}

void DirectoryPoller::adopt(NodeId node, std::vector<Change>* found) {
    tree_.walk(node, hooks(found, true));
    arm();
}

void DirectoryPoller::poll() {
    std::vector<Change> changes;
    if (before_poll) before_poll(changes);
    std::vector<NodeId> ids;
    ids.reserve(dirs_.size());
    for (const auto& [id, state] : dirs_) ids.push_back(id);
    // Parents before children is not needed: each directory is compared with its own previous look, and
    // a new subdirectory is adopted (and looked at) by the walk of its parent.
    WalkHooks h = hooks(&changes, false);
    for (NodeId id : ids)
        if (dirs_.count(id) && tree_.tree().alive(id)) tree_.walk(id, h);
    if (!changes.empty()) on_changes_(std::move(changes));
}

}  // namespace hotswap
