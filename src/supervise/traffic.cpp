#include "supervise/traffic.hpp"

#include <filesystem>

#include "front/live_reload_hub.hpp"
#include "supervise/live_reload_feed.hpp"

#include <fmt/core.h>

#include "ready/http_url.hpp"
#include "ui/console.hpp"

namespace hotswap {

namespace {

constexpr std::string_view kPortPlaceholder = "{port}";
// Proxy mode's readiness unless --ready says otherwise: the generation accepts on its private port.
constexpr std::string_view kDefaultProxyReady = "tcp:localhost:{port}";

std::string with_port(std::string_view text, uint16_t port) {
    std::string out(text);
    for (size_t at = out.find(kPortPlaceholder); at != std::string::npos; at = out.find(kPortPlaceholder, at))
        out.replace(at, kPortPlaceholder.size(), std::to_string(port));
    return out;
}

// The TCP port an http or tcp probe connects to, if it names one.
std::optional<uint16_t> probed_port(const ReadySpec& spec) {
    if (spec.kind == ReadyKind::Http) {
        if (auto url = parse_http_url(spec.url)) return url->port;
    } else if (spec.kind == ReadyKind::Tcp) {
        if (auto address = parse_listen_address(spec.address); address && address->kind == ListenAddress::Kind::Tcp)
            return address->port;
    }
    return std::nullopt;
}

}  // namespace

Traffic::Traffic(EventLoop& loop, const Config& config, const EventSink& events)
    : loop_(loop), config_(config), events_(events) {}

Traffic::~Traffic() = default;

Result<void> Traffic::open_listeners() {
    HS_TRY(adopted, adopt_systemd_listeners());
    // Proxy mode: the socket systemd holds for the --proxy address is the one hotswap accepts on itself
    // (open_proxy takes it); it is not passed on, since generations bind their private $PORT.
    if (!config_.proxy.empty()) {
        auto proxy_address = parse_listen_address(config_.proxy);
        for (auto it = adopted.begin(); proxy_address && it != adopted.end(); ++it)
            if (it->address().display() == proxy_address->display()) {
                adopted_proxy_ = std::move(*it);
                adopted.erase(it);
                break;
            }
    }
    if (!adopted.empty()) {
        for (auto& l : adopted) {
            Console::get().info(fmt::format("listening on {} (socket from systemd)", l.address().display()));
            listen_names_.push_back(l.address().name);
            listeners_.push_back(std::move(l));
        }
        return {};
    }
    for (const auto& spec : config_.listen) {
        std::string text = spec.name.empty() ? spec.address : fmt::format("{}={}", spec.name, spec.address);
        auto address = parse_listen_address(text);
        if (!address) return address.error().with_context("--listen");
        HS_TRY(listener, Listener::bind(*address));
        Console::get().info(fmt::format("listening on {}", listener.address().display()));
        listen_names_.push_back(listener.address().name);
        listeners_.push_back(std::move(listener));
    }
    return {};
}

Result<void> Traffic::open_proxy() {
    if (config_.proxy.empty()) {
        if (config_.app_socket == AppSocket::Fd)
            return Error::message("--app-socket fd gives each version a private socket behind the proxy: add --proxy ADDR");
        return {};
    }
    if (config_.app_socket == AppSocket::Fd && !listeners_.empty())
        return Error::message("--app-socket fd passes each version its own socket at fd 3, so --listen sockets cannot "
                              "be passed too: drop --listen (clients connect to --proxy)");
    auto address = parse_listen_address(config_.proxy);
    if (!address) return address.error().with_context("--proxy");
    const bool from_systemd = adopted_proxy_.has_value();
    auto listener = from_systemd ? Result<Listener>(std::move(*adopted_proxy_)) : Listener::bind(*address, "--proxy");
    adopted_proxy_.reset();
    if (!listener) return listener.error().with_context("--proxy");
    const char* where = config_.app_socket == AppSocket::Fd ? "each generation's own socket (fd 3)" : "each generation's $PORT";
    const char* systemd = from_systemd ? " (socket from systemd)" : "";
    if (config_.proxy_protocol != ProxyProtocol::Tcp) {
        HS_TRY(front, HttpFront::create(loop_, std::move(*listener), front_options()));
        front_ = std::move(front);
        Console::get().info(fmt::format("proxying {}{} to {}: HTTP per request, each to the version serving then{}",
                                        front_->listener().address().display(), systemd, where,
                                        config_.proxy_protocol == ProxyProtocol::Auto ? " (other protocols as bytes)" : ""));
        return {};
    }
    ProxyOptions options;
    options.on_warning = [](std::string_view text) { Console::get().warn(text); };
    // A connection refused by a crashing generation waits for its restart, which may take a whole start.
    options.max_wait = std::max(options.max_wait, config_.ready_timeout);
    HS_TRY(proxy, Proxy::create(loop_, std::move(*listener), std::move(options)));
    proxy_ = std::move(proxy);
    Console::get().info(fmt::format("proxying {}{} to {}", proxy_->listener().address().display(), systemd, where));
    return {};
}

FrontOptions Traffic::front_options() const {
    FrontOptions options;
    options.protocol = config_.proxy_protocol == ProxyProtocol::Http ? FrontProtocol::Http : FrontProtocol::Auto;
    options.header_timeout = config_.header_timeout;
    options.max_connections = config_.max_connections;
    options.forwarded_headers = config_.forwarded_headers;
    options.sticky = config_.shift.sticky;
    options.shadow_requests = config_.shadow;
    options.live_reload = live_reload_on(config_);
    // A request that finds no generation serving (a crash, a rollback on its way) waits for the next one,
    // which may take a whole start.
    options.max_wait = std::max(options.max_wait, config_.ready_timeout);
    options.on_warning = [](std::string_view text) { Console::get().warn(text); };
    if (config_.verbosity == Verbosity::Verbose) {
        options.on_access = [](const AccessRecord& r) {
            // What a dev server prints: "GET /api 200 3.1 ms app#4".
            const std::string who = r.generation > 0 ? fmt::format("app#{}", r.generation) : std::string("front");
            Console::get().info(fmt::format("{} {} {} {:.1f} ms {}{}", r.method, r.target, r.status, r.elapsed_ms, who,
                                            r.retries > 0 ? " (retried)" : ""),
                                Tone::Dim);
        };
    }
    return options;
}

Result<void> Traffic::choose_readiness() {
    if (proxy_mode()) {
        HS_TRY_VOID(choose_proxy_readiness());
    } else if (config_.ready.find(kPortPlaceholder) != std::string::npos) {
        return Error::message("--ready: {port} stands for a generation's private port, which exists only in proxy "
                              "mode; add --proxy ADDR or write the port number");
    } else if (!config_.ready.empty()) {
        auto spec = parse_ready_spec(config_.ready);
        if (!spec) return spec.error().with_context("--ready");
        ready_ = *spec;
    }
    if (fd_mode() && ready_.is_default)
        Console::get().info(fmt::format("readiness: waiting {} after start; for an exact signal use --ready notify "
                                        "(sd_notify READY=1), http:URL, tcp:ADDR or log:REGEX",
                                        format_duration(ready_.delay)),
                            Tone::Dim);
    // A probe aimed at a socket every generation shares is answered by the old generation (http) or by the
    // kernel's accept queue (tcp): it would call a new generation ready before it is.
    if (fd_mode()) {
        const auto port = probed_port(ready_);
        for (const auto& l : listeners_)
            if (port && l.address().kind == ListenAddress::Kind::Tcp && l.bound_port() == *port)
                Console::get().warn(fmt::format(
                    "--ready {}: port {} is the shared listener, where the running generation (or the kernel) answers "
                    "for the new one; probe a port only the new generation opens, or use --ready notify",
                    to_string(ready_), *port));
    }
    return {};
}

Result<void> Traffic::choose_proxy_readiness() {
    // A socket hotswap binds for the generation accepts connections before the app does: a TCP probe would
    // pass at once. Without --ready, such a generation is given the default delay, like fd mode.
    if (config_.app_socket == AppSocket::Fd && config_.ready.empty()) {
        Console::get().info(fmt::format("readiness: waiting {} after start; for an exact signal use --ready notify "
                                        "(sd_notify READY=1), 'http:http://127.0.0.1:{{port}}/health' or log:REGEX",
                                        format_duration(ready_.delay)),
                            Tone::Dim);
        return {};
    }
    // {port} stands for each generation's private port: checked now with a stand-in, filled in at each spawn.
    ready_template_ = config_.ready.empty() ? std::string(kDefaultProxyReady) : config_.ready;
    const bool templated = ready_template_.find(kPortPlaceholder) != std::string::npos;
    auto spec = parse_ready_spec(with_port(ready_template_, 1));
    if (!spec) return spec.error().with_context("--ready");
    ready_ = *spec;
    if (!templated) ready_template_.clear();
    // A probe of the public port is answered by the generation serving now, through the proxy.
    const auto port = probed_port(ready_);
    const ListenAddress& public_address = front_ ? front_->listener().address() : proxy_->listener().address();
    if (!templated && port && public_address.kind == ListenAddress::Kind::Tcp && public_address.port == *port)
        Console::get().warn(fmt::format(
            "--ready {}: port {} is the proxy's public port, where the serving generation answers for the new one; "
            "probe the private port instead, e.g. --ready 'http:http://127.0.0.1:{{port}}/health'",
            to_string(ready_), *port));
    return {};
}

std::vector<int> Traffic::listen_fds(const Generation& g) const {
    std::vector<int> fds;
    if (g.private_listener) fds.push_back(g.private_listener->fd());
    for (const auto& l : listeners_) fds.push_back(l.fd());
    return fds;
}

std::vector<std::string> Traffic::listen_names(const Generation& g) const {
    if (g.private_listener) return {std::string(kDefaultListenerName)};
    return listen_names_;
}

bool Traffic::sets_listen_pid(const Generation& g) const {
    return (fd_mode() || g.private_listener) && config_.listen_pid;
}

Result<void> Traffic::give_private_port(Generation& g) {
    if (!proxy_mode()) return {};
    HS_TRY(port, pick_private_port());
    g.private_port = port;
    if (config_.app_socket == AppSocket::Fd) {
        auto address = parse_listen_address(fmt::format("127.0.0.1:{}", port));
        if (!address) return address.error();
        HS_TRY(listener, Listener::bind(*address, "--app-socket"));
        g.private_listener = std::move(listener);
    }
    return {};
}

void Traffic::spawned(Generation& g) { g.private_listener.reset(); }

ReadySpec Traffic::readiness_for(const Generation& g) const {
    if (ready_template_.empty() || g.private_port == 0) return ready_;
    auto spec = parse_ready_spec(with_port(ready_template_, g.private_port));
    return spec ? *spec : ready_;  // checked at start with a stand-in port, so it parses
}

void Traffic::route_to(const Generation& g) {
    if (front_ && g.private_port != 0) {
        front_->serve_only(g.id, g.private_port);
        Console::get().debug(fmt::format("front: new requests go to {} on port {}", g.label(), g.private_port));
        return;
    }
    if (!proxy_ || g.private_port == 0) return;
    proxy_->set_upstream(g.private_port);
    Console::get().debug(fmt::format("proxy: new connections go to {} on port {}", g.label(), g.private_port));
}

void Traffic::unroute(const Generation& g) {
    if (front_) {
        front_->remove(g.id);  // requests waiting for a generation wait for the next one
        return;
    }
    if (!proxy_ || g.private_port == 0 || proxy_->upstream() != g.private_port) return;
    // Nothing serves: new connections wait in the backlog until a restart or rollback is ready.
    proxy_->clear_upstream();
    Console::get().debug(fmt::format("proxy: {} is gone; new connections wait", g.label()));
}

void Traffic::stop_routing() {
    if (proxy_) proxy_->clear_upstream();
    if (front_) front_->stop_accepting();
}

void Traffic::drain(const Generation& g, Duration timeout, std::function<void()> then) {
    if (!front_) {
        then();
        return;
    }
    front_->drain(g.id, timeout, [this, then = std::move(then)](const DrainReport& r) {
        if (r.stats.requests > 0 || r.timed_out)
            emit_event(events_, event::FrontDrained{.generation = r.generation, .requests = r.stats.requests,
                                                    .status_5xx = r.stats.status_5xx,
                                                    .upstream_failures = r.stats.upstream_failures,
                                                    .retries = r.stats.retries, .abandoned = r.stats.abandoned,
                                                    .in_flight = r.cut_off, .timed_out = r.timed_out,
                                                    .waited_ms = r.waited.count()});
        then();
    });
}

std::vector<ShadowRequest> Traffic::shadow_requests() const {
    if (!front_) return {};
    return front_->shadow_log().latest();
}

bool Traffic::can_shift(const Generation& g, const Generation& serving) const {
    return front_ && g.private_port != 0 && serving.private_port != 0 && !shift_steps_for(config_).empty() &&
           shift_steps_for(config_).size() > 1;
}

void Traffic::shift(const Generation& g, const Generation& serving, std::function<void(const ShiftOutcome&)> done) {
    ShiftPolicy policy = config_.shift;
    policy.steps = shift_steps_for(config_);
    const int id = g.id, previous = serving.id;
    const uint16_t port = g.private_port;
    TrafficShift::Hooks hooks;
    hooks.set_weight = [this, id, port](unsigned weight) {
        if (front_) front_->split(id, port, weight);
    };
    hooks.on_step = [this](const ShiftStep& s) {
        emit_event(events_, event::ShiftStep{.generation = s.generation, .previous = s.previous, .step = s.step,
                                             .steps = s.steps, .weight = s.weight});
    };
    hooks.on_decision = [this](const ShiftDecision& d) {
        emit_event(events_, event::ShiftAnalysis{.generation = d.generation, .previous = d.previous, .step = d.step,
                                                 .weight = d.weight, .decision = d.abort ? "abort" : "next",
                                                 .reason = d.reason, .step_requests_new = d.step_new,
                                                 .step_requests_old = d.step_old, .step_ms = d.step_elapsed.count(),
                                                 .window_requests_new = d.new_side.requests,
                                                 .window_errors_new = d.new_side.errors,
                                                 .window_requests_old = d.old_side.requests,
                                                 .window_errors_old = d.old_side.errors,
                                                 .p99_ms_new = d.new_side.p99_ms, .p99_ms_old = d.old_side.p99_ms});
    };
    hooks.on_end = [this, id, previous, done = std::move(done)](const ShiftOutcome& o) {
        emit_event(events_, event::ShiftEnd{.generation = id, .previous = previous, .ok = o.ok, .reason = o.reason,
                                            .duration_ms = o.elapsed.count(), .requests = o.new_requests,
                                            .errors = o.new_errors});
        auto then = done;  // the shift (and this hook with it) goes now
        if (front_) front_->set_request_observer(nullptr);
        shift_.reset();
        then(o);
    };
    shift_ = std::make_unique<TrafficShift>(loop_, std::move(policy), id, previous, std::move(hooks));
    front_->set_request_observer([this](const RequestEnd& end) {
        if (shift_) shift_->on_request_end(end);
    });
    shift_->start();
}

void Traffic::cancel_shift(int generation) {
    if (!shift_ || shift_->generation() != generation) return;
    shift_->cancel();
    if (front_) front_->set_request_observer(nullptr);
    shift_.reset();
}

nlohmann::json Traffic::shift_status_json() const {
    if (!shift_) return nullptr;
    return shift_->status_json();
}

nlohmann::json Traffic::listeners_json() const {
    nlohmann::json listeners = nlohmann::json::array();
    for (const auto& l : listeners_)
        listeners.push_back({{"name", l.address().name}, {"address", l.address().display()}});
    return listeners;
}

nlohmann::json Traffic::front_status_json() const {
    if (!front_) return nullptr;
    return front_->status_json();
}

nlohmann::json Traffic::proxy_status_json() const {
    if (front_) {
        // The fields status had before the front, for scripts that read them.
        nlohmann::json front = front_->status_json();
        return {{"address", front["address"]}, {"upstream_port", front["upstream_port"]},
                {"connections_accepted", front["connections_accepted"]},
                {"connections_open", front["connections_open"]},
                {"connections_failed", front["requests_failed"]}};
    }
    if (!proxy_) return nullptr;
    ProxyStats stats = proxy_->stats();
    return {{"address", proxy_->listener().address().display()},
            {"upstream_port", proxy_->upstream().value_or(0)},
            {"connections_accepted", stats.accepted},
            {"connections_open", stats.open},
            {"connections_failed", stats.failed},
            {"connections_waiting", stats.waiting},
            {"connections_replayed", stats.replayed}};
}

void Traffic::on_event(const Event& e) {
    if (front_ && front_->live_reload()) feed_live_reload(*front_->live_reload(), e);
}

bool Traffic::swap_stylesheets(const ChangeSet& changes) {
    LiveReloadHub* hub = front_ ? front_->live_reload() : nullptr;
    if (!hub || !config_.css_swap || hub->generation() == 0) return false;
    std::vector<std::string> paths;
    for (const Change& c : changes.changes) {
        if (c.kind == ChangeKind::Removed || c.kind == ChangeKind::Rescan || !c.path.ends_with(".css")) return false;
        paths.push_back(std::filesystem::path(c.path).lexically_relative(config_.root).generic_string());
    }
    hub->css(paths);
    Console::get().info(fmt::format("{} changed: swapped in place in the pages ({} open), nothing to build",
                                    paths.size() == 1 ? paths.front() : fmt::format("{} stylesheets", paths.size()),
                                    hub->streams()),
                        Tone::Dim);
    return true;
}

}  // namespace hotswap
