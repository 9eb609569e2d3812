#pragma once
// DirectoryTree: every directory hotswap watches, as a tree of 28-byte nodes (parent, first child, next
// sibling, watch, ignore scope, name). Names sit in one shared buffer and full paths are rebuilt from them
// when needed instead of being stored, so 5,500 directories cost ~200 KB, and a removed directory is one
// subtree walk. Nodes live in fixed-size chunks: the table grows without ever holding two copies of itself.

#include <cstdint>
#include <functional>
#include <memory>
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
        NodeId parent = kNoNode;
        NodeId first_child = kNoNode;
        NodeId next_sibling = kNoNode;
        int wd = -1;               // the inotify watch descriptor; -1 when not watched by inotify
        ScopeId scope = kNoScope;  // the ignore files found in this directory, if any
        uint32_t name_at = 0;      // in the names buffer
        uint16_t name_size = 0;    // NAME_MAX is 255, PATH_MAX (a root) 4096
        bool polled = false;       // watched by the poller (no inotify watch left for it)
        bool alive = false;
    };

    NodeId add_root(std::string_view path);
    NodeId add_child(NodeId parent, std::string_view name);
    NodeId find_child(NodeId parent, std::string_view name) const;
    // Removes `id` and everything below it; `on_removed` sees each node (deepest first) before it goes.
    void remove(NodeId id, const std::function<void(NodeId, Node&)>& on_removed);

    Node& operator[](NodeId id) { return chunks_[id / kChunk][id % kChunk]; }
    const Node& operator[](NodeId id) const { return chunks_[id / kChunk][id % kChunk]; }
    bool alive(NodeId id) const { return id < allocated_ && (*this)[id].alive; }
    size_t size() const { return allocated_ - free_.size(); }

    // One path component; for a root, its absolute path. Valid until the next add_*().
    std::string_view name(NodeId id) const;
    // The absolute path; append_path() writes it into `out` (no trailing slash).
    std::string path(NodeId id) const;
    void append_path(NodeId id, std::string& out) const;
    // The nodes below `id` (not `id` itself), parents before children.
    std::vector<NodeId> descendants(NodeId id) const;

private:
    static constexpr size_t kChunk = 256;
    NodeId allocate();
    void store_name(Node& node, std::string_view name);
    void compact_names();

    std::vector<std::unique_ptr<Node[]>> chunks_;
    size_t allocated_ = 0;
    std::vector<NodeId> free_;
    std::string names_;        // every live node's name, back to back
    size_t dead_bytes_ = 0;    // names of removed nodes still in names_
};

}  // namespace hotswap
