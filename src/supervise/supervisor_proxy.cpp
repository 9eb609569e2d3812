// Proxy mode (DESIGN.md §4, last paragraph): hotswap listens on the public address, each generation binds
// a private loopback port given in $PORT, and the proxy sends new connections to the serving generation's
// port. The switch is the moment the route changes; the old generation drains the connections it has.

#include <fmt/core.h>

#include "ready/http_url.hpp"
#include "supervise/supervisor.hpp"
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

}  // namespace

Result<void> Supervisor::open_proxy() {
    if (config_.proxy.empty()) return {};
    auto address = parse_listen_address(config_.proxy);
    if (!address) return address.error().with_context("--proxy");
    const bool from_systemd = adopted_proxy_.has_value();
    auto listener = from_systemd ? Result<Listener>(std::move(*adopted_proxy_)) : Listener::bind(*address, "--proxy");
    adopted_proxy_.reset();
    if (!listener) return listener.error().with_context("--proxy");
    ProxyOptions options;
    options.on_warning = [](std::string_view text) { Console::get().warn(text); };
    // A connection refused by a crashing generation waits for its restart, which may take a whole start.
    options.max_wait = std::max(options.max_wait, config_.ready_timeout);
    HS_TRY(proxy, Proxy::create(loop_, std::move(*listener), std::move(options)));
    proxy_ = std::move(proxy);
    Console::get().info(fmt::format("proxying {}{} to each generation's $PORT", proxy_->listener().address().display(),
                                    from_systemd ? " (socket from systemd)" : ""));
    return {};
}

Result<void> Supervisor::choose_proxy_readiness() {
    // {port} stands for each generation's private port: checked now with a stand-in, filled in at each spawn.
    ready_template_ = config_.ready.empty() ? std::string(kDefaultProxyReady) : config_.ready;
    const bool templated = ready_template_.find(kPortPlaceholder) != std::string::npos;
    auto spec = parse_ready_spec(with_port(ready_template_, 1));
    if (!spec) return spec.error().with_context("--ready");
    ready_ = *spec;
    if (!templated) ready_template_.clear();
    // A probe of the public port is answered by the generation serving now, through the proxy.
    std::optional<uint16_t> port;
    if (ready_.kind == ReadyKind::Http) {
        if (auto url = parse_http_url(ready_.url)) port = url->port;
    } else if (auto address = parse_listen_address(ready_.address); address && ready_.kind == ReadyKind::Tcp) {
        port = address->port;
    }
    const ListenAddress& public_address = proxy_->listener().address();
    if (!templated && port && public_address.kind == ListenAddress::Kind::Tcp && public_address.port == *port)
        Console::get().warn(fmt::format(
            "--ready {}: port {} is the proxy's public port, where the serving generation answers for the new one; "
            "probe the private port instead, e.g. --ready 'http:http://127.0.0.1:{{port}}/health'",
            to_string(ready_), *port));
    return {};
}

Result<void> Supervisor::give_private_port(Generation& g) {
    if (!proxy_) return {};
    HS_TRY(port, pick_private_port());
    g.private_port = port;
    return {};
}

ReadySpec Supervisor::readiness_for(const Generation& g) const {
    if (ready_template_.empty() || g.private_port == 0) return ready_;
    auto spec = parse_ready_spec(with_port(ready_template_, g.private_port));
    return spec ? *spec : ready_;  // checked at start with a stand-in port, so it parses
}

void Supervisor::route_to(const Generation& g) {
    if (!proxy_ || g.private_port == 0) return;
    proxy_->set_upstream(g.private_port);
    Console::get().debug(fmt::format("proxy: new connections go to {} on port {}", g.label(), g.private_port));
}

void Supervisor::unroute(const Generation& g) {
    if (!proxy_ || g.private_port == 0 || proxy_->upstream() != g.private_port) return;
    // Nothing serves: new connections wait in the backlog until a restart or rollback is ready.
    proxy_->clear_upstream();
    Console::get().debug(fmt::format("proxy: {} is gone; new connections wait", g.label()));
}

nlohmann::json Supervisor::proxy_status_json() const {
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

}  // namespace hotswap
