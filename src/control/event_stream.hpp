#pragma once
// EventStream: --events FILE|-, every lifecycle event as one JSON line, for editors, CI and dashboards:
//   {"seq": 7, "time": "2026-11-25T06:40:01.123456Z", "event": "build_end", "ok": true, "duration_ms": 312}
// A file is appended to. "-" is hotswap's original stdout (main moves the human output to stderr). A pipe
// or socket is written without blocking: events queue (up to kMaxQueued bytes, then the oldest whole
// lines are dropped and counted in the next line's "dropped") and go out when the reader catches up, so a
// stalled consumer never stalls the supervisor.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "core/result.hpp"

namespace hotswap {

class EventStream {
public:
    static constexpr size_t kMaxQueued = 1 << 20;

    // "-" is a duplicate of the current stdout; anything else a file, created 0644 or appended to.
    static Result<std::unique_ptr<EventStream>> open(EventLoop& loop, std::string_view target);
    EventStream(EventLoop& loop, FileDescriptor fd, bool nonblocking);
    ~EventStream();
    EventStream(const EventStream&) = delete;
    EventStream& operator=(const EventStream&) = delete;

    void emit(std::string_view event, const nlohmann::json& fields = nlohmann::json::object());

private:
    void flush();
    void watch_writable(bool on);

    EventLoop& loop_;
    FileDescriptor fd_;
    bool nonblocking_ = false;
    bool watching_ = false;
    bool broken_ = false;  // the reader went away: stop writing
    uint64_t seq_ = 0;
    uint64_t dropped_ = 0;
    size_t queued_bytes_ = 0;
    struct Line {
        std::string text;
        uint64_t reports_dropped = 0;  // the "dropped" count this line carries, lost with it if it is dropped
    };
    std::deque<Line> queue_;
    size_t head_written_ = 0;  // bytes of queue_.front() already written
};

// The "time" field: UTC with microseconds, "2026-11-25T06:40:01.123456Z".
std::string event_timestamp();

}  // namespace hotswap
