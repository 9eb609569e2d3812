#pragma once
// DirectoryTree: every directory hotswap watches, as a tree of small nodes (parent, first child, next
// sibling, name). Full paths are rebuilt from the names when needed instead of being stored, so 5,000
// directories cost ~250 KB, a renamed directory is one relink, and a removed one is one subtree walk.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hotswap {

using NodeId = uint32_t;
using ScopeId = uint32_t;
inline constexpr NodeId kNoNode = UINT32_MAX;
inline constexpr ScopeId kNoScope = UINT32_MAX;

class DirectoryTree {
public:
    struct Node {
        std::string name;               // one path component; for a root, its absolute path
        NodeId parent = kNoNode;
        NodeId first_child = kNoNode;
        NodeId next_sibling = kNoNode;
        int wd = -1;                    // the inotify watch descriptor; -1 when not watched by inotify
        ScopeId scope = kNoScope;       // the ignore files found in this directory, if any
        bool polled = false;            // watched by the poller (no inotify watch left for it)
    };

    NodeId add_root(std::string path);
    NodeId add_child(NodeId parent, std::string_view name);
    NodeId find_child(NodeId parent, std::string_view name) const;
    // Removes `id` and everything below it; `on_removed` sees each node (deepest first) before it goes.
    void remove(NodeId id, const std::function<void(NodeId, Node&)>& on_removed);

    Node& operator[](NodeId id) { return nodes_[id]; }
    const Node& operator[](NodeId id) const { return nodes_[id]; }
    bool alive(NodeId id) const { return id < nodes_.size() && alive_[id]; }
    size_t size() const { return nodes_.size() - free_.size(); }

    // The absolute path; append_path() writes it into `out` (no trailing slash).
    std::string path(NodeId id) const;
    void append_path(NodeId id, std::string& out) const;
    // The nodes below `id` (not `id` itself), parents before children.
    std::vector<NodeId> descendants(NodeId id) const;

private:
    NodeId allocate();

    std::vector<Node> nodes_;
    std::vector<bool> alive_;
    std::vector<NodeId> free_;
};

}  // namespace hotswap
