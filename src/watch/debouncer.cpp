#include "watch/debouncer.hpp"

#include <algorithm>

namespace hotswap {

bool parse_debounce_strategy(std::string_view text, DebounceStrategy& out) {
    if (text == "trailing") out = DebounceStrategy::Trailing;
    else if (text == "adaptive") out = DebounceStrategy::Adaptive;
    else if (text == "leading") out = DebounceStrategy::Leading;
    else return false;
    return true;
}

Debouncer::Debouncer(EventLoop& loop, DebounceOptions options, SettledCallback on_settled)
    : loop_(loop), options_(options), on_settled_(std::move(on_settled)) {
    options_.quick = std::min(options_.quick, options_.settle);
    options_.max_wait = std::max(options_.max_wait, options_.settle);
}

Debouncer::~Debouncer() = default;

void Debouncer::merge(Change c) {
    auto it = index_.find(c.path);
    // IN_CREATE comes as Created while writing; a rename into place as Created, complete.
    bool born = c.kind == ChangeKind::Created && c.writing;
    if (it == index_.end()) {
        index_.emplace(c.path, entries_.size());
        ChangeKind first = c.kind;
        entries_.push_back(Entry{std::move(c), first, born});
        ++live_;
        return;
    }
    Entry& e = entries_[it->second];
    if (e.dropped) {  // a temporary that comes back: a new change from here on
        ChangeKind first = c.kind;
        e = Entry{std::move(c), first, born};
        ++live_;
        return;
    }
    e.change.writing = c.writing;
    ChangeKind& kind = e.change.kind;
    if (kind == ChangeKind::Rescan || c.kind == ChangeKind::Rescan) {
        kind = ChangeKind::Rescan;
    } else if (c.kind == ChangeKind::Removed) {
        if (e.first == ChangeKind::Created) {  // created and removed within the burst: a temporary file
            e.dropped = true;
            --live_;
        } else {
            kind = ChangeKind::Removed;
        }
    } else if (kind == ChangeKind::Removed) {
        kind = ChangeKind::Modified;  // removed then back (rename over it, or delete and write): modified
    }
    // Created then modified stays created; modified then created (moved over) stays modified.
}

Duration Debouncer::window() const {
    if (options_.strategy != DebounceStrategy::Adaptive || live_ != 1) return options_.settle;
    for (const auto& e : entries_) {
        if (e.dropped) continue;
        bool complete = !e.change.writing && !e.born &&
                        (e.change.kind == ChangeKind::Created || e.change.kind == ChangeKind::Modified);
        return complete ? options_.quick : options_.settle;
    }
    return options_.settle;
}

void Debouncer::add(std::vector<Change> changes) {
    if (changes.empty()) return;
    bool new_burst = entries_.empty();
    for (auto& c : changes) merge(std::move(c));
    if (live_ == 0) {  // only temporaries so far: nothing to report, nothing to wait for
        settle_timer_.cancel();
        max_timer_.cancel();
        entries_.clear();
        index_.clear();
        return;
    }
    auto now = Clock::now();
    if (options_.strategy == DebounceStrategy::Leading) {
        bool starts_burst = now >= quiet_until_;
        quiet_until_ = now + options_.settle;
        if (starts_burst) {
            arm(Duration(0));
            return;
        }
    }
    if (new_burst || !max_timer_.armed()) {
        max_timer_ = loop_.after(options_.max_wait, [this] {
            flush();
        });
    }
    arm(window());
}

void Debouncer::arm(Duration after) {
    settle_timer_ = loop_.after(after, [this] {
        flush();
    });
}

void Debouncer::flush() {
    settle_timer_.cancel();
    max_timer_.cancel();
    ChangeSet settled;
    settled.changes.reserve(live_);
    // A rescan says "anything may have changed": it leads the set, before the paths that happen to be known.
    for (auto& e : entries_)
        if (!e.dropped && e.change.kind == ChangeKind::Rescan) settled.changes.push_back(std::move(e.change));
    for (auto& e : entries_)
        if (!e.dropped && e.change.kind != ChangeKind::Rescan) settled.changes.push_back(std::move(e.change));
    entries_.clear();
    index_.clear();
    live_ = 0;
    if (!settled.empty()) on_settled_(std::move(settled));
}

}  // namespace hotswap
