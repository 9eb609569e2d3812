#pragma once
// Promotion: what a ready generation goes through before it takes over, in order; each pass may end it.
//   1. check   the user's command against it alone, on its private port (PreSwitchCheck)
//   2. shadow  the last distinct GET/HEAD requests of live traffic replayed against it and compared with
//              what the serving generation answered (front/shadow_replay.hpp); a regression blocks the
//              switch in serve (and with on_regression = "block"), and is warned about in the dev loop
//   3. shift   new requests moved to it step by step, judged on real traffic (Traffic::shift)
// and then the switch, which is the supervisor's. No user request reaches the generation before the
// shift; none at all when a pass fails. With nothing serving (the first start, a crash restart) or a
// rollback, only the check applies: there is nothing to compare with, and a rollback must restore service.
// Whatever ends first (the generation exits, a newer build supersedes it, hotswap stops) cancels it.

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "core/event_loop.hpp"
#include "events/lifecycle_events.hpp"
#include "front/shadow_replay.hpp"
#include "supervise/generation.hpp"
#include "supervise/pre_switch_check.hpp"
#include "supervise/traffic.hpp"

namespace hotswap {

class Promotion {
public:
    // ok: switch now; else `why` is the one sentence the user reads, and the generation must not serve.
    using Done = std::function<void(bool ok, std::string why)>;
    Promotion(EventLoop& loop, const Config& config, Traffic& traffic, const EventSink& events);
    ~Promotion();

    // `serving`: the generation serving now (null: none). `done` may run before start() returns (nothing to do).
    void start(const Generation& g, const Generation* serving, Done done);
    // The generation under way (0: none).
    int generation() const { return generation_; }
    int serving_id() const { return serving_id_; }
    // Where it is, for the user: "check", "shadow", "shift" (empty: none under way).
    const char* pass() const;
    // Ends it without calling done (the shift's weight goes back to 0).
    void cancel();
    nlohmann::json status_json() const;

private:
    enum class Pass { None, Check, Shadow, Shift };
    void next();
    void run_check();
    void run_shadow();
    void run_shift();
    void end(bool ok, std::string why);

    EventLoop& loop_;
    const Config& config_;
    Traffic& traffic_;
    const EventSink& events_;
    Pass pass_ = Pass::None;
    int generation_ = 0;
    int serving_id_ = 0;
    uint16_t port_ = 0;
    const Generation* g_ = nullptr;        // valid while the promotion runs (the supervisor cancels it first)
    const Generation* serving_ = nullptr;
    bool rollback_ = false;
    Done done_;
    std::unique_ptr<PreSwitchCheck> check_;
    std::unique_ptr<ShadowReplay> shadow_;
};

}  // namespace hotswap
