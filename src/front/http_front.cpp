#include "front/http_front.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "front/client_connection.hpp"
#include "front/live_reload_hub.hpp"

namespace hotswap {

namespace {

constexpr int kAcceptBatch = 64;
constexpr Duration kAcceptPause{100};

// The client's address as X-Forwarded-For gives it: "203.0.113.7", "2001:db8::1"; "unix" for a unix socket.
std::string peer_text(const sockaddr_storage& peer) {
    char text[INET6_ADDRSTRLEN] = {};
    if (peer.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&peer);
        ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        return text;
    }
    if (peer.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&peer);
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            ::inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof text);
            return text;
        }
        ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        return text;
    }
    return "unix";
}

const char* protocol_name(FrontProtocol p) {
    switch (p) {
    case FrontProtocol::Auto: return "auto";
    case FrontProtocol::Http: return "http";
    case FrontProtocol::Tcp: return "tcp";
    }
    return "auto";
}

}  // namespace

Result<std::unique_ptr<HttpFront>> HttpFront::create(EventLoop& loop, Listener listener, FrontOptions options) {
    HS_TRY_VOID(set_nonblocking(listener.fd()));
    ProxyOptions byte_options;
    byte_options.max_wait = options.max_wait;
    byte_options.on_warning = options.on_warning;
    auto bytes = std::make_unique<Proxy>(loop, Listener(), std::move(byte_options));
    return std::make_unique<HttpFront>(loop, std::move(listener), std::move(options), std::move(bytes));
}

HttpFront::HttpFront(EventLoop& loop, Listener listener, FrontOptions options, std::unique_ptr<Proxy> bytes)
    : loop_(loop),
      listener_(std::move(listener)),
      options_(std::move(options)),
      shadow_log_(options_.shadow_requests),
      bytes_(std::move(bytes)) {
    if (options_.live_reload) live_reload_ = std::make_unique<LiveReloadHub>(loop_);
    const ListenAddress& a = listener_.address();
    host_ = a.kind == ListenAddress::Kind::Tcp ? fmt::format("{}:{}", a.host.empty() ? "localhost" : a.host, a.port)
                                               : std::string("localhost");
}

HttpFront::~HttpFront() {
    watch_listener(false);
    draining_.clear();
    clients_.clear();  // each gives its upstream connection back, to pools still here
    retired_.clear();
    pools_.clear();
}

// ---- the supervisor's side

void HttpFront::serve_only(int generation, uint16_t port) {
    if (closing_) return;
    if (!pools_.count(generation)) {
        pools_[generation] = std::make_unique<UpstreamPool>(loop_, generation, loopback_addresses(port),
                                                            options_.upstream_idle_timeout);
    }
    router_.serve_only(generation);
    bytes_->set_upstream(port);
    ports_[generation] = port;
    serving_port_ = port;
    resume_waiting();
    watch_listener(true);
}

void HttpFront::split(int generation, uint16_t port, unsigned weight) {
    if (closing_) return;
    if (!pools_.count(generation)) {
        pools_[generation] = std::make_unique<UpstreamPool>(loop_, generation, loopback_addresses(port),
                                                            options_.upstream_idle_timeout);
    }
    router_.split(generation, weight);
    ports_[generation] = port;
    resume_waiting();
    watch_listener(true);
}

uint16_t HttpFront::port_of(int generation) const {
    auto it = ports_.find(generation);
    return it == ports_.end() ? 0 : it->second;
}

void HttpFront::drain(int generation, Duration timeout, std::function<void(const DrainReport&)> done) {
    if (draining_.count(generation)) return;
    if (auto p = ports_.find(generation); p != ports_.end() && bytes_->upstream() == p->second) bytes_->clear_upstream();
    if (UpstreamPool* p = pool(generation)) p->stop_keeping();  // idle connections close now, busy ones on return
    Draining& d = draining_[generation];
    d.done = std::move(done);
    d.since = loop_.now();
    const bool known = router_.drain(generation, [this, generation] {
        post([this, generation] {
            drained(generation, false, 0);
            if (forget_when_drained_.erase(generation)) router_.forget(generation);
        });
    });
    if (!known) {
        // Never routed (superseded, or not ready in time): nothing of it is in the front.
        drained(generation, false, 0);
        return;
    }
    d.timeout = loop_.after(timeout, [this, generation] { drain_timed_out(generation); });
}

void HttpFront::drain_timed_out(int generation) {
    uint64_t cut = 0;
    std::vector<ClientConnection*> on_it;
    for (auto& [id, c] : clients_)
        if (c->generation() == generation) on_it.push_back(c.get());
    for (ClientConnection* c : on_it) {
        c->abort();
        ++cut;
    }
    drained(generation, true, cut);
}

void HttpFront::drained(int generation, bool timed_out, uint64_t cut_off) {
    auto it = draining_.find(generation);
    if (it == draining_.end()) return;
    Draining d = std::move(it->second);
    draining_.erase(it);
    d.timeout.cancel();
    if (UpstreamPool* p = pool(generation)) p->close_idle();
    DrainReport report;
    report.generation = generation;
    report.stats = router_.stats(generation).value_or(RouteStats{});
    report.timed_out = timed_out;
    report.cut_off = cut_off;
    report.waited = std::chrono::duration_cast<Duration>(loop_.now() - d.since);
    if (d.done) d.done(report);
}

void HttpFront::remove(int generation) {
    // Its process is gone: a drain still waiting for it is over, and so is its pool.
    if (draining_.count(generation)) drained(generation, false, 0);
    if (auto p = ports_.find(generation); p != ports_.end()) {
        if (bytes_->upstream() == p->second) bytes_->clear_upstream();
        if (serving_port_ == p->second) serving_port_ = 0;
        ports_.erase(p);
    }
    pools_.erase(generation);
    if (router_.forget(generation)) return;
    // Still routable (it crashed while serving), or draining with requests on it: they fail over as they
    // end, and then it is forgotten.
    const bool drains_now = router_.drain(generation, [this, generation] {
        post([this, generation] { router_.forget(generation); });
    });
    if (!drains_now) forget_when_drained_.insert(generation);
}

void HttpFront::stop_accepting() {
    closing_ = true;
    watch_listener(false);
    if (live_reload_) live_reload_->close_all();
    std::vector<ClientConnection*> all;
    for (auto& [id, c] : clients_) all.push_back(c.get());
    for (ClientConnection* c : all) c->close_when_idle();
}

nlohmann::json HttpFront::status_json() const {
    // The router's figures for each generation, and its upstream connections.
    nlohmann::json generations = router_.stats_json();
    for (auto& g : generations) {
        const UpstreamPool* p = nullptr;
        if (auto it = pools_.find(g["generation"].get<int>()); it != pools_.end()) p = it->second.get();
        g["upstream_connections"] = p ? p->idle() + p->busy() : 0;
        g["upstream_idle"] = p ? p->idle() : 0;
        g["upstream_opened"] = p ? p->opened() : 0;
    }
    ProxyStats bytes = bytes_->stats();
    return {{"address", listener_.address().display()},
            {"protocol", protocol_name(options_.protocol)},
            {"upstream_port", serving_port_},
            {"connections_open", clients_.size()},
            {"connections_accepted", accepted_},
            {"requests_waiting", waiting_.size()},
            {"bad_requests", bad_requests_},
            {"requests_failed", failed_requests_},
            {"byte_streams_accepted", byte_streams_},
            {"byte_streams_open", bytes.open},
            {"live_reload", live_reload_ ? live_reload_->status_json() : nlohmann::json(nullptr)},
            {"generations", std::move(generations)}};
}

// ---- the client connections' side

void HttpFront::post(std::function<void()> callback) {
    // Run later only if the front still exists then (it may be destroyed with callbacks still queued).
    loop_.post([alive = std::weak_ptr<int>(alive_), callback = std::move(callback)] {
        if (!alive.expired()) callback();
    });
}

UpstreamPool* HttpFront::pool(int generation) {
    auto it = pools_.find(generation);
    return it == pools_.end() ? nullptr : it->second.get();
}

void HttpFront::give_back(std::unique_ptr<UpstreamConnection> c, bool reusable) {
    if (!c) return;
    if (UpstreamPool* p = pool(c->generation())) p->give_back(std::move(c), reusable);
}

void HttpFront::retire(uint64_t id) {
    waiting_.erase(id);
    auto it = clients_.find(id);
    if (it == clients_.end()) return;
    if (retired_.empty()) post([this] { retired_.clear(); });
    retired_.push_back(std::move(it->second));
    clients_.erase(it);
    if (at_cap_ && clients_.size() < options_.max_connections && !closing_) {
        at_cap_ = false;
        watch_listener(true);
    }
}

void HttpFront::to_live_stream(uint64_t id, FileDescriptor fd) {
    if (live_reload_ && !closing_) live_reload_->adopt(std::move(fd));
    retire(id);
}

void HttpFront::to_byte_stream(uint64_t id, FileDescriptor fd) {
    ++byte_streams_;
    bytes_->adopt(std::move(fd));
    retire(id);
}

void HttpFront::resume_waiting() {
    if (waiting_.empty()) return;
    post([this] {
        std::vector<uint64_t> ids(waiting_.begin(), waiting_.end());  // oldest first
        for (uint64_t id : ids)
            if (auto it = clients_.find(id); it != clients_.end()) it->second->route_again();
    });
}

void HttpFront::watch_listener(bool on) {
    if (on == listening_) return;
    if (on) {
        if (accept_pause_.armed() || at_cap_ || closing_) return;
        if (!loop_.add_fd(listener_.fd(), EPOLLIN, [this](uint32_t) { accept_pending(); }).ok()) return;
    } else {
        loop_.remove_fd(listener_.fd());
    }
    listening_ = on;
}

void HttpFront::accept_pending() {
    for (int i = 0; i < kAcceptBatch; ++i) {
        if (clients_.size() >= options_.max_connections) {
            at_cap_ = true;
            watch_listener(false);
            if (options_.on_warning)
                options_.on_warning(fmt::format("front: {} client connections are open, the limit ([proxy] "
                                                "max_connections); new ones wait in the backlog until one closes",
                                                clients_.size()));
            return;
        }
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        int fd = ::accept4(listener_.fd(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (options_.on_warning)
                options_.on_warning(fmt::format("front: cannot accept connections on {}: {} (pausing for {} ms; raise "
                                                "the open-files limit, ulimit -n, if this repeats)",
                                                listener_.address().display(), std::strerror(errno), kAcceptPause.count()));
            watch_listener(false);
            accept_pause_ = loop_.after(kAcceptPause, [this] { watch_listener(true); });
            return;
        }
        ++accepted_;
        const uint64_t id = next_id_++;
        auto c = std::make_unique<ClientConnection>(*this, id, FileDescriptor(fd), peer_text(peer),
                                                    options_.protocol == FrontProtocol::Auto);
        ClientConnection* raw = c.get();
        clients_.emplace(id, std::move(c));
        raw->start();
    }
}

}  // namespace hotswap
