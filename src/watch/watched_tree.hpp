#pragma once
// WatchedTree: the directories below the roots that are not ignored, as a DirectoryTree, the ignore rules
// in force in each, and the one walk that discovers them (at start, for a new directory) or checks them
// again (after a lost event, an ignore file edit, a poll tick). How each directory is then watched, by an
// inotify watch or by polling, is the backend's business, through WalkHooks.

#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "watch/dir_listing.hpp"
#include "watch/directory_tree.hpp"
#include "watch/path_filter.hpp"
#include "watch/watcher.hpp"

namespace hotswap {

struct WatchRoot {
    std::string path;                // absolute and normalized; for file roots, the directory holding them
    std::vector<std::string> files;  // file roots: the names that count in `path`; empty for a directory root
    NodeId node = kNoNode;           // kNoNode while the root's directory is missing
    std::vector<ScopeId> outer;      // ignore scopes of the directories above the root, deepest first
    ScopeId outer_top = kNoScope;    // the repository's top, when it lies above the root
    bool is_file_root() const { return !files.empty(); }
};

// What a root that is gone means to the user: each of its files removed (a file root), or its directory.
void report_root_removed(const WatchRoot& root, std::vector<Change>& changes);

enum class DirAction {
    Descend,    // watched: list it and go on below it
    Elsewhere,  // another mechanism (the poller) took this directory and everything below it
    Gone,       // vanished or unreadable: drop it from the tree
};

struct WalkHooks {
    // Before a directory is listed: install its watch (watch first, list second, so nothing created in
    // between is missed).
    std::function<DirAction(NodeId, const std::string& path)> enter;
    // A file that passes the filters; `dir` ends with '/'; `dir_fd` is open on it, for fstatat().
    std::function<void(NodeId dir_node, std::string_view dir, std::string_view name, int dir_fd)> on_file;
    // All of a directory's entries were seen.
    std::function<void(NodeId)> on_listed;
    // A directory of the tree vanished or became ignored: once per subtree, before on_removed.
    std::function<void(NodeId, const std::string& path)> on_vanished;
    // A node leaves the tree (children first): drop its watch or its stamps.
    std::function<void(NodeId, DirectoryTree::Node&)> on_removed;
    // A root directory that cannot be listed any more.
    std::function<void(size_t root)> on_root_lost;
    // Walk known child directories again (a rescan), or only the new ones (a poll tick).
    bool recurse_existing = true;
};

class WatchedTree {
public:
    explicit WatchedTree(const WatchOptions& options);

    // Makes the roots absolute, drops those inside another, and reads the ignore files above each one,
    // up to its repository's top. A root that does not exist is an error naming it.
    Result<void> resolve_roots();
    std::vector<WatchRoot>& roots() { return roots_; }
    // Creates root `i`'s node if its directory exists now.
    bool attach_root(size_t i);
    // The root whose node is `id`, or SIZE_MAX.
    size_t root_of_node(NodeId id) const;

    void walk(NodeId start, const WalkHooks& hooks);
    // Removes `id` and its subtree (on_removed for each node).
    void remove(NodeId id, const WalkHooks& hooks);

    // For an event in directory `dir`: does a file of this name count; is a directory of this name pruned?
    bool wants_file(NodeId dir, std::string_view name);
    bool skips_directory(NodeId dir, std::string_view name);

    DirectoryTree& tree() { return tree_; }
    const DirectoryTree& tree() const { return tree_; }
    std::string path(NodeId id) const { return tree_.path(id); }
    void warn(std::string_view message) const;

private:
    // Fills `chain` with the rules in force in `dir`; returns the index of the root it belongs to.
    size_t chain_for(NodeId dir, RuleChain& chain);
    void refresh_scope(NodeId id, std::string_view path, const DirListing& listing);
    void warn_unreadable(const std::string& path, const Error& error);

    const WatchOptions& options_;
    PathFilter filter_;
    DirectoryTree tree_;
    std::vector<WatchRoot> roots_;
    std::unordered_set<std::string> unreadable_;  // warned about once each
    RuleChain scratch_chain_;
    std::string scratch_dir_;
};

}  // namespace hotswap
