#pragma once
// LiveReloadHub: the browsers' side of live reload. Each page's script (or the one SharedWorker a browser
// shares between its tabs) holds one server-sent event stream, GET /__hotswap/events, which the front hands
// here once its request is read. The hub tells every stream, as it happens:
//   serving {generation}   a new version serves now: a page of another generation reloads
//   css {paths}            only stylesheets changed (no build): the pages swap those links in place
//   error {kind,title,text}  a build failed, a version crashed at start, or was rolled back: an overlay
//   clear {}               a build succeeded: the overlay goes
// and each new stream first gets `hello` with the current state, so a page that reconnects (hotswap
// restarted, a laptop woke up) reloads only if it missed a version. A stream is write-only: a client that
// stops reading is dropped once 1 MiB waits for it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"

namespace hotswap {

struct LiveReloadError {
    std::string kind;   // build, start, rollback
    std::string title;  // "Build failed"
    std::string text;   // the compiler's output (ANSI colours and all)
};

class LiveReloadHub {
public:
    explicit LiveReloadHub(EventLoop& loop);
    ~LiveReloadHub();
    LiveReloadHub(const LiveReloadHub&) = delete;
    LiveReloadHub& operator=(const LiveReloadHub&) = delete;

    // A client connection whose request for the event stream was read: its response starts now.
    void adopt(FileDescriptor fd);
    // `keep_error`: the overlay stays (a rollback serves: the pages show the old version and why).
    void serving(int generation, bool keep_error = false);
    void css(const std::vector<std::string>& paths);
    void error(LiveReloadError e);
    void clear();
    // hotswap stops: every stream ends (the pages reconnect to the next hotswap).
    void close_all();

    size_t streams() const { return streams_.size(); }
    int generation() const { return generation_; }
    // {"streams": N, "generation": G, "error": kind or null, "events": N}
    nlohmann::json status_json() const;

    // One server-sent event: "event: NAME\ndata: JSON\n\n".
    static std::string format_event(std::string_view name, const nlohmann::json& data);

private:
    struct Stream {
        FileDescriptor fd;
        std::string out;
        size_t sent = 0;
        bool want_write = false;
    };
    nlohmann::json hello() const;
    void broadcast(std::string_view name, const nlohmann::json& data);
    void send(Stream& s, std::string_view bytes);
    void on_epoll(int fd, uint32_t events);
    void drop(int fd);
    void heartbeat();

    EventLoop& loop_;
    std::unordered_map<int, std::unique_ptr<Stream>> streams_;
    int generation_ = 0;
    std::optional<LiveReloadError> error_;
    uint64_t events_sent_ = 0;
    EventLoop::Timer heartbeat_;
};

}  // namespace hotswap
