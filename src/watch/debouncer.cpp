#include "watch/debouncer.hpp"

#include <unordered_map>

namespace hotswap {

Debouncer::Debouncer(EventLoop& loop, Duration settle, Duration max_wait, SettledCallback on_settled)
    : loop_(loop), settle_(settle), max_wait_(max_wait), on_settled_(std::move(on_settled)) {}

Debouncer::~Debouncer() {
    loop_.cancel_timer(settle_timer_);
    loop_.cancel_timer(max_timer_);
}

void Debouncer::add(std::vector<Change> changes) {
    if (changes.empty()) return;
    // One entry per path: an editor's write-then-rename is one change of the real file.
    std::unordered_map<std::string, size_t> index;  // owning keys: the vector may reallocate
    for (size_t i = 0; i < pending_.changes.size(); ++i) index[pending_.changes[i].path] = i;
    for (auto& c : changes) {
        auto it = index.find(c.path);
        if (it != index.end()) {
            Change& seen = pending_.changes[it->second];
            // Created then modified is still created; removed then created again is a modification.
            if (seen.kind == ChangeKind::Removed && c.kind == ChangeKind::Created) seen.kind = ChangeKind::Modified;
            else if (!(seen.kind == ChangeKind::Created && c.kind == ChangeKind::Modified)) seen.kind = c.kind;
            continue;
        }
        pending_.changes.push_back(std::move(c));
        index[pending_.changes.back().path] = pending_.changes.size() - 1;
    }
    loop_.cancel_timer(settle_timer_);
    settle_timer_ = loop_.add_timer(settle_, [this] {
        settle_timer_ = 0;
        flush();
    });
    if (max_timer_ == 0) {
        max_timer_ = loop_.add_timer(max_wait_, [this] {
            max_timer_ = 0;
            flush();
        });
    }
}

void Debouncer::flush() {
    loop_.cancel_timer(settle_timer_);
    loop_.cancel_timer(max_timer_);
    settle_timer_ = max_timer_ = 0;
    if (pending_.empty()) return;
    ChangeSet settled = std::move(pending_);
    pending_ = ChangeSet{};
    on_settled_(std::move(settled));
}

}  // namespace hotswap
