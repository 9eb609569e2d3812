#pragma once
// WatchTable: inotify watch descriptor → directory node, as one flat open-addressing array (8 bytes a
// slot, at most three quarters full), so 5,000 watches cost ~64 KB instead of ~220 KB in
// std::unordered_map nodes. Watch descriptors are positive ints; 0 marks a free slot.

#include <cstdint>
#include <vector>

#include "watch/directory_tree.hpp"

namespace hotswap {

class WatchTable {
public:
    // The node watched through `wd`, or kNoNode.
    NodeId find(int wd) const {
        if (slots_.empty()) return kNoNode;
        for (size_t i = home(wd);; i = next(i)) {
            if (slots_[i].wd == wd) return slots_[i].node;
            if (slots_[i].wd == 0) return kNoNode;
        }
    }
    bool contains(int wd) const { return find(wd) != kNoNode; }
    // Maps `wd` to `node`, replacing what it mapped to.
    void set(int wd, NodeId node) {
        if ((size_ + 1) * 4 > slots_.size() * 3) grow();
        size_t i = home(wd);
        while (slots_[i].wd != 0 && slots_[i].wd != wd) i = next(i);
        if (slots_[i].wd == 0) ++size_;
        slots_[i] = Slot{wd, node};
    }
    void erase(int wd) {
        if (slots_.empty()) return;
        size_t i = home(wd);
        while (slots_[i].wd != wd) {
            if (slots_[i].wd == 0) return;
            i = next(i);
        }
        // Backward-shift deletion: later entries of the same probe run move up, so no tombstones.
        for (size_t j = next(i);; j = next(j)) {
            if (slots_[j].wd == 0) break;
            size_t h = home(slots_[j].wd);
            bool movable = (i <= j) ? (h <= i || h > j) : (h <= i && h > j);
            if (movable) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = Slot{};
        --size_;
    }
    size_t size() const { return size_; }

private:
    struct Slot {
        int wd = 0;
        NodeId node = kNoNode;
    };
    size_t home(int wd) const { return (uint32_t(wd) * 2654435761u) & (slots_.size() - 1); }
    size_t next(size_t i) const { return (i + 1) & (slots_.size() - 1); }
    void grow() {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
        size_ = 0;
        for (const auto& s : old)
            if (s.wd != 0) set(s.wd, s.node);
    }

    std::vector<Slot> slots_;  // size a power of two
    size_t size_ = 0;
};

}  // namespace hotswap
