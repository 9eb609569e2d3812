#pragma once
// EventStream: --events FILE|-, every lifecycle event as one JSON line, for editors, CI and dashboards:
//   {"time": "2026-11-25T06:40:01.123Z", "event": "build_end", "ok": true, "duration_ms": 312, ...}

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/file_descriptor.hpp"
#include "core/result.hpp"

namespace hotswap {

class EventStream {
public:
    // "-" is stdout; anything else a file, appended to.
    static Result<EventStream> open(std::string_view target);
    EventStream() = default;

    bool enabled() const { return fd_ >= 0; }
    void emit(std::string_view event, nlohmann::json fields = nlohmann::json::object());

private:
    FileDescriptor owned_;
    int fd_ = -1;
};

}  // namespace hotswap
