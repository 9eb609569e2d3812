#include "watch/directory_tree.hpp"

#include <algorithm>

namespace hotswap {

NodeId DirectoryTree::allocate() {
    NodeId id;
    if (!free_.empty()) {
        id = free_.back();
        free_.pop_back();
    } else {
        if (allocated_ % kChunk == 0) chunks_.push_back(std::make_unique<Node[]>(kChunk));
        id = NodeId(allocated_++);
    }
    Node& node = (*this)[id];
    node = Node{};
    node.alive = true;
    return id;
}

void DirectoryTree::store_name(Node& node, std::string_view name) {
    // Names of removed nodes are reclaimed once they are most of the buffer.
    if (dead_bytes_ > 64 * 1024 && dead_bytes_ * 2 > names_.size()) compact_names();
    node.name_at = uint32_t(names_.size());
    node.name_size = uint16_t(std::min<size_t>(name.size(), UINT16_MAX));
    names_.append(name.substr(0, node.name_size));
}

void DirectoryTree::compact_names() {
    std::string kept;
    kept.reserve(names_.size() - dead_bytes_);
    for (size_t id = 0; id < allocated_; ++id) {
        Node& node = (*this)[NodeId(id)];
        if (!node.alive) continue;
        uint32_t at = uint32_t(kept.size());
        kept.append(names_, node.name_at, node.name_size);
        node.name_at = at;
    }
    names_.swap(kept);
    dead_bytes_ = 0;
}

std::string_view DirectoryTree::name(NodeId id) const {
    const Node& node = (*this)[id];
    return std::string_view(names_).substr(node.name_at, node.name_size);
}

NodeId DirectoryTree::add_root(std::string_view path) {
    NodeId id = allocate();
    store_name((*this)[id], path);
    return id;
}

NodeId DirectoryTree::add_child(NodeId parent, std::string_view name) {
    NodeId id = allocate();
    Node& node = (*this)[id];
    store_name(node, name);
    node.parent = parent;
    node.next_sibling = (*this)[parent].first_child;
    (*this)[parent].first_child = id;
    return id;
}

NodeId DirectoryTree::find_child(NodeId parent, std::string_view name) const {
    for (NodeId c = (*this)[parent].first_child; c != kNoNode; c = (*this)[c].next_sibling)
        if (this->name(c) == name) return c;
    return kNoNode;
}

std::vector<NodeId> DirectoryTree::descendants(NodeId id) const {
    std::vector<NodeId> out;
    for (NodeId c = (*this)[id].first_child; c != kNoNode; c = (*this)[c].next_sibling) out.push_back(c);
    for (size_t i = 0; i < out.size(); ++i)
        for (NodeId c = (*this)[out[i]].first_child; c != kNoNode; c = (*this)[c].next_sibling) out.push_back(c);
    return out;
}

void DirectoryTree::remove(NodeId id, const std::function<void(NodeId, Node&)>& on_removed) {
    // Unlink from the parent first, then free the subtree, children before parents.
    NodeId parent = (*this)[id].parent;
    if (parent != kNoNode) {
        NodeId* link = &(*this)[parent].first_child;
        while (*link != kNoNode && *link != id) link = &(*this)[*link].next_sibling;
        if (*link == id) *link = (*this)[id].next_sibling;
    }
    std::vector<NodeId> doomed = descendants(id);
    doomed.insert(doomed.begin(), id);
    for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) {
        Node& node = (*this)[*it];
        if (on_removed) on_removed(*it, node);
        dead_bytes_ += node.name_size;
        node = Node{};
        free_.push_back(*it);
    }
    if (size() == 0) {  // nothing left: start the names afresh
        names_.clear();
        dead_bytes_ = 0;
    }
}

void DirectoryTree::append_path(NodeId id, std::string& out) const {
    // Collect the chain up to the root, then write it root first.
    NodeId chain[256];
    size_t depth = 0;
    for (NodeId n = id; n != kNoNode && depth < 256; n = (*this)[n].parent) chain[depth++] = n;
    if (depth == 256 && (*this)[chain[255]].parent != kNoNode) {  // deeper than 256: the rest first
        append_path((*this)[chain[255]].parent, out);
        out += '/';
    }
    for (size_t i = depth; i-- > 0;) {
        std::string_view component = name(chain[i]);
        out += component;
        if (i > 0 && component != "/") out += '/';
    }
}

std::string DirectoryTree::path(NodeId id) const {
    std::string out;
    append_path(id, out);
    return out;
}

}  // namespace hotswap
