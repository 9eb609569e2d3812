// Traffic without generations running: readiness per generation in proxy mode, and the refusal of {port}
// outside it.

#include <gtest/gtest.h>

#include <fmt/core.h>

#include "core/event_loop.hpp"
#include "ready/probe.hpp"
#include "supervise/traffic.hpp"

using namespace hotswap;

TEST(Traffic, ProxyModeFillsInEachGenerationsPrivatePort) {
    auto loop = EventLoop::create({}).value();
    Config config;
    config.proxy = "127.0.0.1:0";
    config.proxy_protocol = ProxyProtocol::Tcp;
    config.ready = "tcp:127.0.0.1:{port}";
    EventSink events;
    Traffic traffic(*loop, config, events);
    ASSERT_TRUE(traffic.open_listeners().ok());
    ASSERT_TRUE(traffic.open_proxy().ok());
    ASSERT_TRUE(traffic.choose_readiness().ok());
    EXPECT_TRUE(traffic.proxy_mode());
    EXPECT_FALSE(traffic.fd_mode());
    EXPECT_TRUE(traffic.overlapping());
    Generation g;
    g.id = 1;
    ASSERT_TRUE(traffic.give_private_port(g).ok());
    ASSERT_NE(g.private_port, 0);
    EXPECT_EQ(traffic.readiness_for(g).address, fmt::format("127.0.0.1:{}", g.private_port));
    traffic.route_to(g);
    EXPECT_EQ(traffic.proxy_status_json()["upstream_port"], g.private_port);
    traffic.unroute(g);
    EXPECT_EQ(traffic.proxy_status_json()["upstream_port"], 0);
}

TEST(Traffic, APortPlaceholderOutsideProxyModeIsRefused) {
    auto loop = EventLoop::create({}).value();
    Config config;
    config.ready = "tcp:127.0.0.1:{port}";
    EventSink events;
    Traffic traffic(*loop, config, events);
    ASSERT_TRUE(traffic.open_listeners().ok());
    auto chosen = traffic.choose_readiness();
    ASSERT_FALSE(chosen.ok());
    EXPECT_NE(chosen.error().to_string().find("only in proxy mode"), std::string::npos);
    EXPECT_FALSE(traffic.overlapping());
    EXPECT_TRUE(traffic.proxy_status_json().is_null());
}

TEST(Traffic, TheFrontRoutesEachGenerationAndGivesAnFdAppItsOwnSocket) {
    auto loop = EventLoop::create_manual().value();
    Config config;
    config.proxy = "127.0.0.1:0";
    config.app_socket = AppSocket::Fd;
    EventSink events;
    Traffic traffic(*loop, config, events);
    ASSERT_TRUE(traffic.open_listeners().ok());
    ASSERT_TRUE(traffic.open_proxy().ok());
    ASSERT_TRUE(traffic.choose_readiness().ok());
    EXPECT_TRUE(traffic.front_mode());
    EXPECT_TRUE(traffic.proxy_mode());
    EXPECT_TRUE(traffic.readiness().is_default);  // a socket hotswap binds answers a TCP probe at once
    Generation g;
    g.id = 3;
    ASSERT_TRUE(traffic.give_private_port(g).ok());
    ASSERT_TRUE(g.private_listener.has_value());
    EXPECT_EQ(traffic.listen_fds(g), std::vector<int>{g.private_listener->fd()});
    EXPECT_EQ(traffic.listen_names(g), std::vector<std::string>{"http"});
    EXPECT_TRUE(traffic.sets_listen_pid(g));
    traffic.spawned(g);
    EXPECT_FALSE(g.private_listener.has_value());
    traffic.route_to(g);
    auto front = traffic.front_status_json();
    ASSERT_EQ(front["generations"].size(), 1u);
    EXPECT_EQ(front["generations"][0]["generation"], 3);
    EXPECT_EQ(front["generations"][0]["weight"], 100);
    bool drained = false;
    traffic.drain(g, Duration(1000), [&] { drained = true; });
    loop->advance(Duration(0));
    EXPECT_TRUE(drained);  // no request was in flight on it
}
