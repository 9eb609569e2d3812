#include "watch/watched_tree.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <filesystem>

#include <fmt/core.h>

#include "watch/join_path.hpp"

namespace hotswap {

void report_root_removed(const WatchRoot& root, std::vector<Change>& changes) {
    if (!root.is_file_root()) {
        changes.push_back(Change{root.path, ChangeKind::Removed});
        return;
    }
    for (const auto& f : root.files) changes.push_back(Change{join_path(root.path, f), ChangeKind::Removed});
}

namespace {

// Absolute and lexically normal, without a trailing slash ("/" stays "/").
std::string normalize(std::string_view path) {
    std::filesystem::path p(path);
    if (p.is_relative()) {
        std::error_code ec;
        auto cwd = std::filesystem::current_path(ec);
        p = cwd / p;
    }
    std::string s = p.lexically_normal().string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

std::string parent_of(std::string_view path) {
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return "/";
    return std::string(path.substr(0, slash));
}

bool inside(std::string_view path, std::string_view dir) {
    if (dir == "/") return true;
    return path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

bool exists_here(const std::string& dir, std::string_view name) {
    std::string p = dir == "/" ? "/" : dir + "/";
    p += name;
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0;
}

IgnoreFilesPresent present_in(const DirListing& listing) {
    IgnoreFilesPresent present;
    for (const auto& e : listing.entries()) {
        if (e.name.size() < 4 || e.name[0] != '.') continue;
        if (e.name == ".gitignore") present.gitignore = true;
        else if (e.name == ".ignore") present.dot_ignore = true;
        else if (e.name == ".git") present.git = true;
    }
    return present;
}

}  // namespace

WatchedTree::WatchedTree(const WatchOptions& options)
    : options_(options),
      filter_(options.extensions, options.ignore, normalize(options.roots.empty() ? "." : options.roots.front()),
              options.ignore_paths) {}

void WatchedTree::warn(std::string_view message) const {
    if (options_.on_warning) options_.on_warning(message);
}

Result<void> WatchedTree::resolve_roots() {
    std::vector<std::string> dirs, files;
    for (const auto& given : options_.roots) {
        std::string root = normalize(given);
        struct stat st;
        if (::stat(root.c_str(), &st) != 0) return Error::from_errno("stat", root, errno).with_context("--watch");
        (S_ISDIR(st.st_mode) ? dirs : files).push_back(std::move(root));
    }
    // A root inside another adds nothing but a second watch on the same directories.
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
    for (const auto& d : dirs) {
        bool covered = std::any_of(roots_.begin(), roots_.end(), [&](const WatchRoot& r) { return inside(d, r.path); });
        if (!covered) roots_.push_back(WatchRoot{d, {}, kNoNode, {}, kNoScope});
    }
    size_t directory_roots = roots_.size();
    for (const auto& f : files) {
        bool covered = std::any_of(roots_.begin(), roots_.begin() + long(directory_roots),
                                   [&](const WatchRoot& r) { return inside(f, r.path); });
        if (covered) continue;
        std::string dir = parent_of(f);
        std::string name = f.substr(dir == "/" ? 1 : dir.size() + 1);
        auto same_dir = std::find_if(roots_.begin() + long(directory_roots), roots_.end(),
                                     [&](const WatchRoot& r) { return r.path == dir; });
        if (same_dir != roots_.end()) same_dir->files.push_back(std::move(name));
        else roots_.push_back(WatchRoot{dir, {std::move(name)}, kNoNode, {}, kNoScope});
    }
    // The ignore files between a directory root and its repository's top apply inside it too.
    for (auto& root : roots_) {
        if (root.is_file_root() || exists_here(root.path, ".git")) continue;
        std::vector<std::pair<std::string, IgnoreFilesPresent>> above;
        bool found_top = false;
        for (std::string d = parent_of(root.path);; d = parent_of(d)) {
            IgnoreFilesPresent present{exists_here(d, ".ignore"), exists_here(d, ".gitignore"), exists_here(d, ".git")};
            above.emplace_back(d, present);
            if (present.git) {
                found_top = true;
                break;
            }
            if (d == "/") break;
        }
        if (!found_top) continue;  // not in a repository: the ignore files of unrelated parents do not count
        for (const auto& [dir, present] : above) {
            if (!present.any()) continue;
            ScopeId id = filter_.add_scope(load_scope(dir, present));
            root.outer.push_back(id);
            if (present.git) root.outer_top = id;
        }
    }
    return {};
}

bool WatchedTree::attach_root(size_t i) {
    WatchRoot& root = roots_[i];
    struct stat st;
    if (::stat(root.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    if (root.node == kNoNode) root.node = tree_.add_root(root.path);
    return true;
}

size_t WatchedTree::root_of_node(NodeId id) const {
    for (size_t i = 0; i < roots_.size(); ++i)
        if (roots_[i].node == id) return i;
    return SIZE_MAX;
}

size_t WatchedTree::chain_for(NodeId dir, RuleChain& chain) {
    filter_.begin_chain(chain);
    ScopeId top = kNoScope;
    NodeId n = dir;
    for (;;) {
        const auto& node = tree_[n];
        if (node.scope != kNoScope) {
            filter_.add_to_chain(chain, node.scope);
            if (filter_.scope(node.scope).repository_top) {
                top = node.scope;
                break;
            }
        }
        if (node.parent == kNoNode) break;
        n = node.parent;
    }
    // Climb to the root even when a nested repository's top stopped the rules: the root is needed.
    NodeId r = n;
    while (tree_[r].parent != kNoNode) r = tree_[r].parent;
    size_t root = root_of_node(r);
    if (top == kNoScope && root != SIZE_MAX) {
        for (ScopeId id : roots_[root].outer) filter_.add_to_chain(chain, id);
        top = roots_[root].outer_top;
    }
    filter_.end_chain(chain, top);
    return root;
}

bool WatchedTree::wants_file(NodeId dir, std::string_view name) {
    size_t root = chain_for(dir, scratch_chain_);
    if (root != SIZE_MAX && roots_[root].is_file_root()) {
        const auto& files = roots_[root].files;
        return std::find(files.begin(), files.end(), name) != files.end();
    }
    scratch_dir_.clear();
    tree_.append_path(dir, scratch_dir_);
    if (scratch_dir_.back() != '/') scratch_dir_ += '/';
    return filter_.wants_file(scratch_chain_, scratch_dir_, name);
}

bool WatchedTree::skips_directory(NodeId dir, std::string_view name) {
    size_t root = chain_for(dir, scratch_chain_);
    if (root != SIZE_MAX && roots_[root].is_file_root()) return true;  // a file root's directory is not recursive
    scratch_dir_.clear();
    tree_.append_path(dir, scratch_dir_);
    if (scratch_dir_.back() != '/') scratch_dir_ += '/';
    return filter_.skip_directory(scratch_chain_, scratch_dir_, name);
}

void WatchedTree::refresh_scope(NodeId id, std::string_view path, const DirListing& listing) {
    IgnoreFilesPresent present = present_in(listing);
    ScopeId current = tree_[id].scope;
    if (!present.any()) {
        if (current != kNoScope) {
            filter_.drop_scope(current);
            tree_[id].scope = kNoScope;
        }
        return;
    }
    IgnoreScope scope = load_scope(path, present);
    if (current != kNoScope) filter_.replace_scope(current, std::move(scope));
    else tree_[id].scope = filter_.add_scope(std::move(scope));
}

void WatchedTree::warn_unreadable(const std::string& path, const Error& error) {
    if (!unreadable_.insert(path).second) return;
    warn(fmt::format("cannot read {} ({}): changes inside it are not seen until it is readable again", path,
                     error.to_string()));
}

void WatchedTree::remove(NodeId id, const WalkHooks& hooks) {
    size_t root = tree_[id].parent == kNoNode ? root_of_node(id) : SIZE_MAX;
    tree_.remove(id, [&](NodeId n, DirectoryTree::Node& node) {
        if (node.scope != kNoScope) filter_.drop_scope(node.scope);
        if (hooks.on_removed) hooks.on_removed(n, node);
    });
    if (root != SIZE_MAX) roots_[root].node = kNoNode;
}

void WatchedTree::walk(NodeId start, const WalkHooks& hooks) {
    DirListing listing;
    RuleChain chain;
    std::string path, dir;
    std::vector<NodeId> pending{start}, known, stale;
    std::vector<char> seen;
    auto by_name = [this](NodeId a, NodeId b) { return tree_.name(a) < tree_.name(b); };
    while (!pending.empty()) {
        NodeId n = pending.back();
        pending.pop_back();
        if (!tree_.alive(n)) continue;  // a hook removed it meanwhile
        bool is_root = tree_[n].parent == kNoNode;
        path.clear();
        tree_.append_path(n, path);

        // 1. The watch, before the listing.
        DirAction action = hooks.enter ? hooks.enter(n, path) : DirAction::Descend;
        if (action == DirAction::Elsewhere) continue;
        if (action == DirAction::Gone) {
            if (is_root) {
                if (hooks.on_root_lost) hooks.on_root_lost(root_of_node(n));
            } else {
                remove(n, hooks);
            }
            continue;
        }
        // 2. The listing; a directory that vanished meanwhile is dropped, an unreadable one reported.
        if (auto r = listing.read(path, is_root); !r) {
            int err = r.error().errnum();
            if (err == EACCES || err == EPERM) {
                warn_unreadable(path, r.error());
            } else if (is_root) {
                if (hooks.on_root_lost) hooks.on_root_lost(root_of_node(n));
            } else {
                remove(n, hooks);
            }
            continue;
        }
        if (!unreadable_.empty()) unreadable_.erase(path);
        // 3. The rules this directory adds, then the chain of all rules in force in it.
        refresh_scope(n, path, listing);
        size_t root = chain_for(n, chain);
        dir = path;
        if (dir.back() != '/') dir += '/';
        if (root != SIZE_MAX && roots_[root].is_file_root()) {
            // The directory of file roots: only those names count, whatever the rules say; no recursion.
            const auto& files = roots_[root].files;
            for (const auto& e : listing.entries())
                if (hooks.on_file && e.type != EntryType::Directory &&
                    std::find(files.begin(), files.end(), e.name) != files.end())
                    hooks.on_file(n, dir, e.name, listing.fd());
            if (hooks.on_listed) hooks.on_listed(n);
            continue;
        }
        // 4. The entries: known child directories are matched by name, new ones added, files reported.
        known.clear();
        for (NodeId c = tree_[n].first_child; c != kNoNode; c = tree_[c].next_sibling) known.push_back(c);
        std::sort(known.begin(), known.end(), by_name);
        seen.assign(known.size(), 0);
        stale.clear();
        for (const auto& e : listing.entries()) {
            if (e.type != EntryType::Directory) {
                if (hooks.on_file && filter_.wants_file(chain, dir, e.name)) hooks.on_file(n, dir, e.name, listing.fd());
                continue;
            }
            bool skip = filter_.skip_directory(chain, dir, e.name);
            if (!known.empty()) {
                auto it = std::lower_bound(known.begin(), known.end(), e.name,
                                           [this](NodeId a, std::string_view name) { return tree_.name(a) < name; });
                if (it != known.end() && tree_.name(*it) == e.name) {
                    seen[size_t(it - known.begin())] = 1;
                    if (skip) stale.push_back(*it);
                    else if (hooks.recurse_existing) pending.push_back(*it);
                    continue;
                }
            }
            if (!skip) pending.push_back(tree_.add_child(n, e.name));
        }
        // 5. Known directories that are gone or now ignored leave the tree.
        for (size_t i = 0; i < known.size(); ++i)
            if (!seen[i]) stale.push_back(known[i]);
        for (NodeId s : stale) {
            if (hooks.on_vanished) hooks.on_vanished(s, tree_.path(s));
            remove(s, hooks);
        }
        if (hooks.on_listed) hooks.on_listed(n);
    }
}

}  // namespace hotswap
