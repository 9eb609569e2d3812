#pragma once
// FrontOptions: what the HTTP front (DESIGN.md §4a) is configured with, and the hooks through which it
// reports to the rest of hotswap without depending on it (the console's access lines and warnings).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/duration.hpp"
#include "front/http_limits.hpp"
#include "front/shift_policy.hpp"

namespace hotswap {

// How the front reads a client connection ([proxy] protocol).
enum class FrontProtocol {
    Auto,  // HTTP/1.x per request when it starts with a request line, anything else as a byte stream
    Http,  // always HTTP/1.x: anything else gets 400
    Tcp,   // always a byte stream (the front is not used: net/proxy.hpp is)
};

// One request through the front, for the verbose access line.
struct AccessRecord {
    std::string_view method;
    std::string_view target;
    int status = 0;  // what the client got; 502/503/504 for the front's own answers
    double elapsed_ms = 0;  // from the head's first parse to the end of the answer
    int generation = 0;  // 0: no generation answered (the front did)
    int retries = 0;
};

struct FrontOptions {
    FrontProtocol protocol = FrontProtocol::Auto;
    HttpLimits limits;
    // A request head must be complete this long after its first byte: else 408 (slowloris).
    Duration header_timeout{10'000};
    // A client connection with no request under way is closed after this (silently, as servers do).
    Duration client_idle_timeout{60'000};
    // An idle upstream connection is closed after this: below common servers' keep-alive timeouts (Node 5 s,
    // gunicorn 2 s), so the front, not the app, closes it, and never races the app sending on it.
    Duration upstream_idle_timeout{1'000};
    // A request waits this long for a generation to serve (none yet, or the serving one crashed): then 503.
    Duration max_wait{30'000};
    // Client connections open at once; more wait in the kernel's backlog.
    size_t max_connections = 10'000;
    // Bytes buffered per direction before the front stops reading the side that sends them.
    size_t buffer_limit = 64 * 1024;
    // A request is kept for a retry while it is at most this big (head and body as sent).
    size_t retry_limit = 64 * 1024;
    // X-Forwarded-For, -Proto and -Host on every request.
    bool forwarded_headers = true;
    // During a gradual shift, whether a client stays with one version ([shift] sticky).
    ShiftSticky sticky = ShiftSticky::None;
    // Shadow verification ([check] shadow): the last this many distinct GET/HEAD requests are kept for a
    // replay against a new version; 0: none kept.
    size_t shadow_requests = 0;
    // Live reload ([proxy] live_reload): the front answers /__hotswap/ itself (the script and the event
    // stream) and injects the script into the pages browsers navigate to.
    bool live_reload = false;
    std::function<void(const AccessRecord&)> on_access;  // unset: no access lines (not verbose)
    std::function<void(std::string_view)> on_warning;
};

}  // namespace hotswap
