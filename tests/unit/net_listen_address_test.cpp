#include <gtest/gtest.h>

#include "net/listen_address.hpp"

using namespace hotswap;

namespace {
ListenAddress parse_ok(std::string_view spec) {
    auto r = parse_listen_address(spec);
    EXPECT_TRUE(r.ok()) << spec << ": " << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? r.value() : ListenAddress{};
}
std::string parse_error(std::string_view spec) {
    auto r = parse_listen_address(spec);
    EXPECT_FALSE(r.ok()) << spec;
    return r.ok() ? "" : r.error().to_string();
}
}  // namespace

TEST(NetListenAddress, TcpForms) {
    auto a = parse_ok("tcp://127.0.0.1:8080");
    EXPECT_EQ(a.kind, ListenAddress::Kind::Tcp);
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, 8080);
    EXPECT_EQ(a.name, "default");
    EXPECT_EQ(a.display(), "tcp://127.0.0.1:8080");

    EXPECT_EQ(parse_ok("127.0.0.1:8080").display(), "tcp://127.0.0.1:8080");
    EXPECT_EQ(parse_ok("localhost:9").host, "localhost");

    auto any = parse_ok(":8080");
    EXPECT_EQ(any.host, "");
    EXPECT_EQ(any.port, 8080);
    EXPECT_EQ(any.display(), "tcp://*:8080");
    EXPECT_EQ(any.host_port(), ":8080");
    EXPECT_EQ(parse_ok("*:8080").host, "");
    EXPECT_EQ(parse_ok("8080").host, "");
    EXPECT_EQ(parse_ok("8080").port, 8080);
    EXPECT_EQ(parse_ok("127.0.0.1:0").port, 0);
}

TEST(NetListenAddress, Ipv6NeedsBrackets) {
    auto a = parse_ok("[::1]:8080");
    EXPECT_EQ(a.host, "::1");
    EXPECT_EQ(a.port, 8080);
    EXPECT_EQ(a.display(), "tcp://[::1]:8080");
    EXPECT_EQ(a.host_port(), "[::1]:8080");
    EXPECT_EQ(parse_ok("tcp://[::]:80").host, "::");
    EXPECT_NE(parse_error("::1:8080").find("brackets"), std::string::npos);
    EXPECT_NE(parse_error("[::1:8080").find("']'"), std::string::npos);
    EXPECT_NE(parse_error("[::1]8080").find(":PORT"), std::string::npos);
}

TEST(NetListenAddress, Names) {
    auto a = parse_ok("api=127.0.0.1:8080");
    EXPECT_EQ(a.name, "api");
    EXPECT_EQ(a.port, 8080);
    auto u = parse_ok("admin=unix:///run/app/admin.sock");
    EXPECT_EQ(u.name, "admin");
    EXPECT_EQ(u.path, "/run/app/admin.sock");
    // An '=' inside the path is part of the path, not a name.
    auto p = parse_ok("unix:///tmp/a=b.sock");
    EXPECT_EQ(p.name, "default");
    EXPECT_EQ(p.path, "/tmp/a=b.sock");
    EXPECT_FALSE(parse_listen_address("=127.0.0.1:80").ok());
    EXPECT_FALSE(valid_listener_name("a:b"));
    EXPECT_FALSE(valid_listener_name("a b"));
    EXPECT_TRUE(valid_listener_name("http-2_x.y"));
}

TEST(NetListenAddress, UnixForms) {
    auto a = parse_ok("unix:///tmp/x.sock");
    EXPECT_EQ(a.kind, ListenAddress::Kind::Unix);
    EXPECT_EQ(a.path, "/tmp/x.sock");
    EXPECT_EQ(a.display(), "unix:///tmp/x.sock");
    EXPECT_EQ(parse_ok("unix:rel.sock").path, "rel.sock");
    EXPECT_EQ(parse_ok("unix:@abstract").path, "@abstract");
    EXPECT_EQ(parse_ok("unix:@abstract").display(), "unix:@abstract");
    EXPECT_NE(parse_error("unix://").find("empty"), std::string::npos);
    EXPECT_NE(parse_error("unix:///" + std::string(200, 'x')).find("shorter"), std::string::npos);
}

TEST(NetListenAddress, ErrorsSayWhatToWrite) {
    for (auto bad : {"", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "127.0.0.1:-1", "http://x:80",
                     "host name:80", "tcp://"}) {
        auto msg = parse_error(bad);
        EXPECT_NE(msg.find("use tcp://127.0.0.1:8080"), std::string::npos) << bad << ": " << msg;
    }
    EXPECT_NE(parse_error("http://x:80").find("unknown scheme \"http\""), std::string::npos);
    EXPECT_NE(parse_error("1.2.3.4:99999").find("\"99999\" is not a port"), std::string::npos);
}
