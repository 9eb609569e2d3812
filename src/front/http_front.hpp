#pragma once
// HttpFront: the HTTP front of DESIGN.md §4a. It owns the public listening socket and every client
// connection, reads each as HTTP/1.x (or, with protocol "auto", hands what is not HTTP to the byte proxy),
// and sends each request to the generation the Router picks at that moment, over that generation's pool of
// keep-alive upstream connections. The supervisor's interface is narrow:
//   serve_only(N, port)  every new request goes to N from now on (requests in flight finish where they are)
//   drain(M, timeout, done)  M gets no new request; `done` runs once its requests through the front ended
//                        and its idle upstream connections are closed (or `timeout` passed: then what is
//                        left on M, tunnels and long responses, is cut off) — only then may M be signalled
//   remove(M)            M is gone (exited): its pool is dropped
//   stop_accepting()     hotswap stops: no new connection; idle ones close, busy ones after their answer
//   status_json()        connections and per-generation figures
// All of it runs on the one event loop.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "front/front_options.hpp"
#include "front/router.hpp"
#include "front/shadow_log.hpp"
#include "front/upstream_pool.hpp"
#include "net/listener.hpp"
#include "net/proxy.hpp"

namespace hotswap {

class ClientConnection;
class LiveReloadHub;

// How a generation's drain through the front ended, for the event stream.
struct DrainReport {
    int generation = 0;
    RouteStats stats;          // its figures at the end
    bool timed_out = false;    // requests or tunnels were still on it when the timeout came (cut off)
    uint64_t cut_off = 0;      // client connections closed then
    Duration waited{0};        // from drain() to done
};

class HttpFront {
public:
    static Result<std::unique_ptr<HttpFront>> create(EventLoop& loop, Listener listener, FrontOptions options);
    HttpFront(EventLoop& loop, Listener listener, FrontOptions options, std::unique_ptr<Proxy> bytes);
    ~HttpFront();
    HttpFront(const HttpFront&) = delete;
    HttpFront& operator=(const HttpFront&) = delete;

    // ---- the supervisor's side
    void serve_only(int generation, uint16_t port);
    // One step of a gradual shift: N (on `port`) gets `weight` percent of new requests, the generation
    // serving now the rest; the byte streams of protocol auto stay with the serving one until the switch.
    void split(int generation, uint16_t port, unsigned weight);
    // Told of every request's end (the shift's analysis); empty: nobody.
    void set_request_observer(std::function<void(const RequestEnd&)> observer) { router_.set_observer(std::move(observer)); }
    // A generation's private port, 0 when it is not known here.
    uint16_t port_of(int generation) const;
    // The last distinct GET/HEAD requests the apps answered ([check] shadow), for a replay against a new one.
    ShadowLog& shadow_log() { return shadow_log_; }
    const ShadowLog& shadow_log() const { return shadow_log_; }
    // Live reload's event streams ([proxy] live_reload); null when it is off.
    LiveReloadHub* live_reload() { return live_reload_.get(); }
    const LiveReloadHub* live_reload() const { return live_reload_.get(); }
    void drain(int generation, Duration timeout, std::function<void(const DrainReport&)> done);
    void remove(int generation);
    void stop_accepting();
    const Listener& listener() const { return listener_; }
    nlohmann::json status_json() const;

    // ---- the client connections' side
    EventLoop& loop() { return loop_; }
    const FrontOptions& options() const { return options_; }
    Router& router() { return router_; }
    UpstreamPool* pool(int generation);
    void give_back(std::unique_ptr<UpstreamConnection> c, bool reusable);
    bool closing() const { return closing_; }
    std::string_view host() const { return host_; }
    // A request of connection `id` waits for a generation; it is routed again when the routes change.
    void wait(uint64_t id) { waiting_.insert(id); }
    void stop_waiting(uint64_t id) { waiting_.erase(id); }
    // Connection `id` is over: destroyed once the current callback returns.
    void retire(uint64_t id);
    // Connection `id` asked for live reload's event stream: the hub takes its socket.
    void to_live_stream(uint64_t id, FileDescriptor fd);
    // Connection `id` is not HTTP: the byte proxy takes its socket.
    void to_byte_stream(uint64_t id, FileDescriptor fd);
    void count_bad_request() { ++bad_requests_; }
    // The front answered 502, 503 or 504 itself: the app could not.
    void count_failed_request() { ++failed_requests_; }

private:
    struct Draining {
        std::function<void(const DrainReport&)> done;
        Clock::time_point since;
        EventLoop::Timer timeout;
    };
    void post(std::function<void()> callback);
    void watch_listener(bool on);
    void accept_pending();
    void resume_waiting();
    void drained(int generation, bool timed_out, uint64_t cut_off);
    void drain_timed_out(int generation);

    EventLoop& loop_;
    Listener listener_;
    FrontOptions options_;
    std::string host_;
    Router router_;
    ShadowLog shadow_log_;
    std::map<int, std::unique_ptr<UpstreamPool>> pools_;
    std::map<int, Draining> draining_;
    std::map<int, uint16_t> ports_;
    std::set<int> forget_when_drained_;  // gone while its drain waited for requests on it
    uint16_t serving_port_ = 0;  // the last generation routed to, while it lives
    std::unordered_map<uint64_t, std::unique_ptr<ClientConnection>> clients_;
    std::set<uint64_t> waiting_;
    std::vector<std::unique_ptr<ClientConnection>> retired_;
    std::unique_ptr<Proxy> bytes_;  // protocol auto: connections that are not HTTP
    std::unique_ptr<LiveReloadHub> live_reload_;
    bool listening_ = false;
    bool closing_ = false;
    bool at_cap_ = false;
    EventLoop::Timer accept_pause_;
    uint64_t next_id_ = 1;
    uint64_t accepted_ = 0;
    uint64_t bad_requests_ = 0;
    uint64_t failed_requests_ = 0;
    uint64_t byte_streams_ = 0;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // what post()ed callbacks check first
};

}  // namespace hotswap
