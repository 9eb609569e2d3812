#include <gtest/gtest.h>

#include "front/http_rules.hpp"

using namespace hotswap;

namespace {
HeaderFields fields(std::initializer_list<std::pair<std::string, std::string>> list) {
    HeaderFields f;
    for (const auto& [name, value] : list) f.add(name, value);
    return f;
}
}  // namespace

TEST(FrontHttpRules, HopByHopFixedSetInAnyCase) {
    for (auto name : {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
                      "connection", "KEEP-ALIVE", "te", "transfer-encoding"}) {
        EXPECT_TRUE(is_hop_by_hop(name)) << name;
    }
    for (auto name : {"Host", "Content-Length", "Trailers", "Upgrade-Insecure-Requests", "X-Connection", ""}) {
        EXPECT_FALSE(is_hop_by_hop(name)) << name;
    }
}

TEST(FrontHttpRules, HopByHopNamedInConnection) {
    auto f = fields({{"Connection", "keep-alive, X-Trace"}, {"connection", " x-debug ,"}, {"X-Trace", "1"}});
    EXPECT_TRUE(is_hop_by_hop("X-Trace", f));
    EXPECT_TRUE(is_hop_by_hop("x-trace", f));
    EXPECT_TRUE(is_hop_by_hop("X-Debug", f));  // from the second Connection line
    EXPECT_TRUE(is_hop_by_hop("Keep-Alive", f));
    EXPECT_TRUE(is_hop_by_hop("TE", f));
    EXPECT_FALSE(is_hop_by_hop("X-Other", f));
    EXPECT_FALSE(is_hop_by_hop("X-Trace", fields({{"X-Trace", "1"}})));
}

TEST(FrontHttpRules, Idempotent) {
    HeaderFields none;
    for (auto method : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) EXPECT_TRUE(is_idempotent(method, none));
    for (auto method : {"POST", "PATCH", "CONNECT", "get", ""}) EXPECT_FALSE(is_idempotent(method, none)) << method;
    EXPECT_TRUE(is_idempotent("POST", fields({{"idempotency-key", "8e03978e-40d5-43e8-bc93-6894a57f9324"}})));
}

TEST(FrontHttpRules, ExpectsContinue) {
    MessageHead head;
    head.fields = fields({{"Expect", "100-Continue"}});
    EXPECT_TRUE(expects_continue(head));
    head.version = {1, 0};
    EXPECT_FALSE(expects_continue(head));
    head.version = {1, 1};
    head.fields = fields({{"Expect", "something-else"}});
    EXPECT_FALSE(expects_continue(head));
}

TEST(FrontHeaderFields, ListsAcrossLines) {
    auto f = fields({{"Accept", "text/html, ,application/json"}, {"X", "1"}, {"ACCEPT", "*/*"}});
    EXPECT_EQ(f.list("accept"), (std::vector<std::string_view>{"text/html", "application/json", "*/*"}));
    EXPECT_TRUE(f.list("Missing").empty());
    EXPECT_TRUE(f.has_token("Accept", "TEXT/HTML"));
    EXPECT_FALSE(f.has_token("Accept", "text"));
    EXPECT_TRUE(equals_ignoring_case("Content-Length", "content-LENGTH"));
    EXPECT_FALSE(equals_ignoring_case("Content-Length", "Content-Lengths"));
}
