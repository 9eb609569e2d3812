#pragma once
// ShadowReplay: the requests of a ShadowLog sent again, to a new generation alone (its private port), and
// each answer compared with what the serving generation gave. A request the old one answered 2xx or 3xx
// and the new one answers 5xx, or not at all (refused, reset, closed, no answer in time), is a regression.
// Each replay is its own connection with `Connection: close` and `Hotswap-Shadow: 1` (an app may skip
// side effects it keeps even for a GET, such as counting a visit); only the status line is read.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/duration.hpp"
#include "core/event_loop.hpp"
#include "front/shadow_log.hpp"

namespace hotswap {

struct ShadowResult {
    ShadowRequest request;
    int new_status = 0;    // 0: no answer (see failure)
    std::string failure;   // why there was no answer ("connection refused", "no answer within 5s")

    bool regression() const;
    // "GET /api/users: 200 before, 500 now"; "GET /: 200 before, no answer now (connection reset)"
    std::string describe() const;
};

struct ShadowReport {
    std::vector<ShadowResult> results;  // in the order replayed (newest request first)
    size_t regressions() const;
    // "12 requests replayed: 11 answered as before, 1 regression"
    std::string summary() const;
};

// The head to replay: `head` with `Connection: close` and `Hotswap-Shadow: 1` added before its end, and any
// Connection field it had left out (the replay must end with its one answer).
std::string shadow_request_head(std::string_view head);

class ShadowReplay {
public:
    using Done = std::function<void(const ShadowReport&)>;
    // At most `parallel` requests at once; each one may take `timeout`. `done` is called once, from the loop,
    // after the last answer; destroying the replay before cancels it.
    ShadowReplay(EventLoop& loop, uint16_t port, std::vector<ShadowRequest> requests, Duration timeout,
                 size_t parallel, Done done);
    ~ShadowReplay();
    ShadowReplay(const ShadowReplay&) = delete;
    ShadowReplay& operator=(const ShadowReplay&) = delete;

    void start();

private:
    struct Attempt;
    void launch_more();
    void on_event(Attempt& a);
    void finish(Attempt& a, int status, std::string failure);

    EventLoop& loop_;
    uint16_t port_;
    Duration timeout_;
    size_t parallel_;
    Done done_;
    ShadowReport report_;
    size_t next_ = 0;       // the next request to send
    size_t finished_ = 0;
    std::vector<std::unique_ptr<Attempt>> running_;
    EventLoop::Timer empty_done_;  // an empty log still ends from the loop, not from start()
};

}  // namespace hotswap
