#pragma once
// What the watcher reports: one path and what happened to it. A ChangeSet is one settled burst.
// In core/ because the builder and the artifact store carry it too, not only the watcher.

#include <string>
#include <vector>

namespace hotswap {

enum class ChangeKind { Created, Modified, Removed, Rescan };

struct Change {
    std::string path;  // absolute; for Rescan, the root that was rescanned
    ChangeKind kind;
    // The file may still be open for writing (created or modified, not yet closed). The debouncer waits
    // the full settle window for such a change instead of its short one.
    bool writing = false;
};

struct ChangeSet {
    std::vector<Change> changes;  // one entry per path, in the order first seen

    bool empty() const { return changes.empty(); }
};

const char* to_string(ChangeKind kind);

}  // namespace hotswap
