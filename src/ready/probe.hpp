#pragma once
// ReadinessProbe: decides when a starting generation is ready (DESIGN.md §5). The supervisor starts one
// probe per generation, feeds it what only the supervisor sees (output lines, READY=1 datagrams) and
// destroys it when the generation is ready, failed or timed out: the timeout is the supervisor's, a probe
// simply keeps trying.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/event_loop.hpp"
#include "ready/ready_spec.hpp"

namespace hotswap {

struct ProbeTarget {
    pid_t pgid = -1;  // the generation's process group (== its leader's pid)
};

class ReadinessProbe {
public:
    virtual ~ReadinessProbe() = default;

    // Begins probing. `on_ready` is called at most once, from the event loop (never from inside start() or
    // the on_… calls below), and may destroy the probe.
    virtual void start(std::function<void()> on_ready) = 0;
    // Each line the generation prints (stdout and stderr), without the newline. Used by the log probe.
    virtual void on_output_line(std::string_view line) { (void)line; }
    // READY=1 from the generation's process group, forwarded by the supervisor. Used by the notify probe.
    virtual void on_notify_ready() {}
    // What the probe waits for and, when known, why the last attempt failed, for the "not ready within
    // 30 s" message: "GET http://127.0.0.1:8080/health answering 2xx (last attempt: HTTP 503)".
    virtual std::string describe() const = 0;
};

std::unique_ptr<ReadinessProbe> make_probe(EventLoop& loop, const ReadySpec& spec, ProbeTarget target);

}  // namespace hotswap
