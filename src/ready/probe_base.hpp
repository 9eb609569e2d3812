#pragma once
// ProbeBase: what every probe shares: it reports ready exactly once, always from the event loop, and a
// report still pending when the probe is destroyed is dropped.

#include <functional>
#include <memory>

#include "core/event_loop.hpp"
#include "ready/probe.hpp"

namespace hotswap {

class ProbeBase : public ReadinessProbe {
public:
    explicit ProbeBase(EventLoop& loop) : loop_(loop) {}

    void start(std::function<void()> on_ready) final {
        on_ready_ = std::move(on_ready);
        started_ = true;
        begin();
    }

protected:
    virtual void begin() = 0;
    bool started() const { return started_; }
    bool reported() const { return reported_; }

    // Posted rather than called: the caller may be start() or an on_… call made by the supervisor, which
    // must not see the probe (or itself) destroyed underneath it.
    void report_ready() {
        if (reported_ || !started_) return;
        reported_ = true;
        std::weak_ptr<bool> alive = alive_;
        loop_.post([this, alive] {
            if (alive.expired()) return;
            auto callback = std::move(on_ready_);
            on_ready_ = nullptr;
            if (callback) callback();  // last statement: the callback may destroy *this
        });
    }

    EventLoop& loop_;

private:
    std::function<void()> on_ready_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    bool started_ = false;
    bool reported_ = false;
};

}  // namespace hotswap
