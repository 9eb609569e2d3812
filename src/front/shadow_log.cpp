#include "front/shadow_log.hpp"

namespace hotswap {

namespace {

std::string key_of(std::string_view method, std::string_view target) {
    std::string key(method);
    key += ' ';
    key += target;
    return key;
}

}  // namespace

bool shadow_replayable(std::string_view method, bool has_body) {
    return !has_body && (method == "GET" || method == "HEAD");
}

void ShadowLog::record(std::string_view method, std::string_view target, std::string_view head, int status,
                       int generation, bool has_body) {
    if (capacity_ == 0 || !shadow_replayable(method, has_body) || head.size() > kMaxHead || head.empty()) return;
    std::string key = key_of(method, target);
    if (auto found = by_key_.find(key); found != by_key_.end()) {
        entries_.erase(found->second);
        by_key_.erase(found);
    }
    entries_.push_front(ShadowRequest{.method = std::string(method), .target = std::string(target),
                                      .head = std::string(head), .status = status, .generation = generation});
    by_key_.emplace(std::move(key), entries_.begin());
    if (entries_.size() > capacity_) {
        by_key_.erase(key_of(entries_.back().method, entries_.back().target));
        entries_.pop_back();
    }
}

std::vector<ShadowRequest> ShadowLog::latest() const { return {entries_.begin(), entries_.end()}; }

}  // namespace hotswap
