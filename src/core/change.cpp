#include "core/change.hpp"

namespace hotswap {

const char* to_string(ChangeKind kind) {
    switch (kind) {
        case ChangeKind::Created: return "created";
        case ChangeKind::Modified: return "modified";
        case ChangeKind::Removed: return "removed";
        case ChangeKind::Rescan: return "rescan";
    }
    return "unknown";
}

}  // namespace hotswap
