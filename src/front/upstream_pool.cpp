#include "front/upstream_pool.hpp"

namespace hotswap {

UpstreamPool::UpstreamPool(EventLoop& loop, int generation, std::vector<SocketAddress> addresses, Duration idle_timeout)
    : loop_(loop), generation_(generation), addresses_(std::move(addresses)), idle_timeout_(idle_timeout) {}

UpstreamPool::~UpstreamPool() = default;

std::unique_ptr<UpstreamConnection> UpstreamPool::take(bool& fresh) {
    while (!idle_.empty()) {
        auto c = std::move(idle_.back().connection);
        idle_.pop_back();
        if (!c->still_idle_usable()) continue;  // the app closed it meanwhile
        c->set_on_event(nullptr);
        fresh = false;
        ++busy_;
        return c;
    }
    fresh = true;
    return open_new();
}

std::unique_ptr<UpstreamConnection> UpstreamPool::open_new() {
    auto c = UpstreamConnection::open(loop_, generation_, addresses_);
    if (c) {
        ++busy_;
        ++opened_;
    }
    return c;
}

void UpstreamPool::give_back(std::unique_ptr<UpstreamConnection> c, bool reusable) {
    forget_busy();
    if (!c || !reusable || !keeping_) return;  // destroyed: closed
    // It may have become readable (closed by the app) before it came back.
    if (!c->still_idle_usable()) return;
    c->set_response_handler(nullptr);
    c->mark_reused();
    UpstreamConnection* raw = c.get();
    c->set_on_event([this, raw] { on_idle_event(raw); });
    idle_.push_back({std::move(c), loop_.now()});
    arm_expiry();
}

void UpstreamPool::on_idle_event(UpstreamConnection* c) {
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
        if (it->connection.get() != c) continue;
        if (!c->still_idle_usable()) idle_.erase(it);
        return;
    }
}

void UpstreamPool::close_idle() {
    idle_.clear();
    expiry_.cancel();
}

void UpstreamPool::arm_expiry() {
    if (expiry_.armed() || idle_.empty()) return;
    const auto due = idle_.front().since + idle_timeout_;
    const auto now = loop_.now();
    expiry_ = loop_.after(due > now ? std::chrono::ceil<Duration>(due - now) : Duration(0), [this] { expire(); });
}

void UpstreamPool::expire() {
    const auto now = loop_.now();
    while (!idle_.empty() && idle_.front().since + idle_timeout_ <= now) idle_.pop_front();
    arm_expiry();
}

}  // namespace hotswap
