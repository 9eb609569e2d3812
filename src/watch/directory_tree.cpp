#include "watch/directory_tree.hpp"

namespace hotswap {

NodeId DirectoryTree::allocate() {
    if (!free_.empty()) {
        NodeId id = free_.back();
        free_.pop_back();
        nodes_[id] = Node{};
        alive_[id] = true;
        return id;
    }
    nodes_.emplace_back();
    alive_.push_back(true);
    return NodeId(nodes_.size() - 1);
}

NodeId DirectoryTree::add_root(std::string path) {
    NodeId id = allocate();
    nodes_[id].name = std::move(path);
    return id;
}

NodeId DirectoryTree::add_child(NodeId parent, std::string_view name) {
    NodeId id = allocate();
    Node& node = nodes_[id];
    node.name.assign(name);
    node.parent = parent;
    node.next_sibling = nodes_[parent].first_child;
    nodes_[parent].first_child = id;
    return id;
}

NodeId DirectoryTree::find_child(NodeId parent, std::string_view name) const {
    for (NodeId c = nodes_[parent].first_child; c != kNoNode; c = nodes_[c].next_sibling)
        if (nodes_[c].name == name) return c;
    return kNoNode;
}

std::vector<NodeId> DirectoryTree::descendants(NodeId id) const {
    std::vector<NodeId> out;
    for (NodeId c = nodes_[id].first_child; c != kNoNode; c = nodes_[c].next_sibling) out.push_back(c);
    for (size_t i = 0; i < out.size(); ++i)
        for (NodeId c = nodes_[out[i]].first_child; c != kNoNode; c = nodes_[c].next_sibling) out.push_back(c);
    return out;
}

void DirectoryTree::remove(NodeId id, const std::function<void(NodeId, Node&)>& on_removed) {
    // Unlink from the parent first, then free the subtree, children before parents.
    NodeId parent = nodes_[id].parent;
    if (parent != kNoNode) {
        NodeId* link = &nodes_[parent].first_child;
        while (*link != kNoNode && *link != id) link = &nodes_[*link].next_sibling;
        if (*link == id) *link = nodes_[id].next_sibling;
    }
    std::vector<NodeId> doomed = descendants(id);
    doomed.insert(doomed.begin(), id);
    for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) {
        if (on_removed) on_removed(*it, nodes_[*it]);
        nodes_[*it] = Node{};
        alive_[*it] = false;
        free_.push_back(*it);
    }
}

void DirectoryTree::append_path(NodeId id, std::string& out) const {
    // Collect the chain up to the root, then write it root first.
    NodeId chain[256];
    size_t depth = 0;
    for (NodeId n = id; n != kNoNode && depth < 256; n = nodes_[n].parent) chain[depth++] = n;
    if (depth == 256 && nodes_[chain[255]].parent != kNoNode) {  // deeper than 256: recurse on the rest
        append_path(nodes_[chain[255]].parent, out);
        out += '/';
    }
    for (size_t i = depth; i-- > 0;) {
        out += nodes_[chain[i]].name;
        if (i > 0 && nodes_[chain[i]].name != "/") out += '/';
    }
}

std::string DirectoryTree::path(NodeId id) const {
    std::string out;
    append_path(id, out);
    return out;
}

}  // namespace hotswap
