// The heads the front writes on each side, and the first-bytes guess of protocol "auto".

#include <gtest/gtest.h>

#include "front/forwarding.hpp"
#include "front/protocol_guess.hpp"

using namespace hotswap;

namespace {

MessageHead request(std::string method, std::string target, HttpVersion version,
                    std::initializer_list<std::pair<std::string, std::string>> list) {
    MessageHead h;
    h.method = std::move(method);
    h.target = std::move(target);
    h.version = version;
    for (const auto& [name, value] : list) h.fields.add(name, value);
    return h;
}

MessageHead response(int status, std::initializer_list<std::pair<std::string, std::string>> list) {
    MessageHead h;
    h.status = status;
    h.reason = "OK";
    for (const auto& [name, value] : list) h.fields.add(name, value);
    return h;
}

const RequestContext kContext{.client_address = "203.0.113.7", .front_host = "127.0.0.1:8080", .forwarded_headers = true};

}  // namespace

TEST(FrontForwarding, TheRequestHeadLosesHopByHopFieldsAndGainsForwardedOnes) {
    auto h = request("GET", "/a?b=1", {1, 1},
                     {{"Host", "example.test"}, {"Connection", "keep-alive, X-Trace"}, {"X-Trace", "1"},
                      {"Keep-Alive", "timeout=5"}, {"TE", "trailers"}, {"Accept", "*/*"},
                      {"X-Forwarded-For", "198.51.100.1"}});
    EXPECT_EQ(upstream_request_head(h, kContext),
              "GET /a?b=1 HTTP/1.1\r\n"
              "Host: example.test\r\n"
              "Accept: */*\r\n"
              "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n"
              "X-Forwarded-Proto: http\r\n"
              "X-Forwarded-Host: example.test\r\n"
              "\r\n");
}

TEST(FrontForwarding, ForwardedFieldsCanBeLeftOutAndAnHttp10RequestGetsAHost) {
    RequestContext plain = kContext;
    plain.forwarded_headers = false;
    auto h = request("GET", "/", {1, 0}, {{"X-Forwarded-For", "198.51.100.1"}});
    EXPECT_EQ(upstream_request_head(h, plain),
              "GET / HTTP/1.1\r\nX-Forwarded-For: 198.51.100.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
}

TEST(FrontForwarding, AChunkedBodyGoesUpChunkedAndAnUpgradeKeepsItsFields) {
    auto post = request("POST", "/up", {1, 1}, {{"Host", "h"}, {"Transfer-Encoding", "chunked"}});
    post.chunked = true;
    EXPECT_EQ(request_framing(post), BodyFraming::Chunked);
    EXPECT_NE(upstream_request_head(post, kContext).find("\r\nTransfer-Encoding: chunked\r\n"), std::string::npos);

    auto ws = request("GET", "/ws", {1, 1}, {{"Host", "h"}, {"Connection", "Upgrade"}, {"Upgrade", "websocket"},
                                            {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}});
    ws.upgrade = true;
    const std::string head = upstream_request_head(ws, kContext);
    EXPECT_NE(head.find("\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"), std::string::npos) << head;
    EXPECT_NE(head.find("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), std::string::npos);
}

TEST(FrontForwarding, AResponseIsFramedForItsClient) {
    auto sized = response(200, {{"Content-Length", "5"}, {"Connection", "keep-alive"}, {"Keep-Alive", "timeout=5"}});
    sized.content_length = 5;
    auto plan = plan_response(sized, false, {1, 1}, true);
    EXPECT_EQ(plan.framing, BodyFraming::Length);
    EXPECT_EQ(client_response_head(sized, plan, {1, 1}), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    // To an HTTP/1.0 client that keeps its connection, the front says so.
    EXPECT_EQ(client_response_head(sized, plan_response(sized, false, {1, 0}, true), {1, 0}),
              "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n");

    // A body that runs until the app closes goes chunked to HTTP/1.1, until the close to HTTP/1.0.
    auto open_ended = response(200, {});
    EXPECT_EQ(plan_response(open_ended, false, {1, 1}, true).framing, BodyFraming::Chunked);
    auto to_old = plan_response(open_ended, false, {1, 0}, true);
    EXPECT_EQ(to_old.framing, BodyFraming::UntilClose);
    EXPECT_FALSE(to_old.keep_alive);
    EXPECT_EQ(client_response_head(open_ended, to_old, {1, 0}), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");

    // HEAD, 204 and 304 have none, whatever their fields say.
    EXPECT_EQ(plan_response(sized, true, {1, 1}, true).framing, BodyFraming::None);
}

TEST(FrontForwarding, A101KeepsItsUpgradeFields) {
    auto switching = response(101, {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Accept", "x"}});
    switching.reason = "Switching Protocols";
    EXPECT_EQ(interim_response_head(switching),
              "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: x\r\n\r\n");
}

TEST(FrontForwarding, ChunksAndTheFrontsOwnAnswers) {
    std::string out;
    append_chunk(out, "hello");
    append_chunk(out, "");  // would end the body: never written
    HeaderFields trailers;
    trailers.add("Digest", "x");
    append_last_chunk(out, trailers);
    EXPECT_EQ(out, "5\r\nhello\r\n0\r\nDigest: x\r\n\r\n");
    const std::string answer = front_response(502, "the app reset the connection", true);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 502 Bad Gateway\r\n")) << answer;
    EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos);
    EXPECT_TRUE(answer.ends_with("\r\n\r\n502 Bad Gateway: the app reset the connection\n")) << answer;
}

TEST(FrontProtocolGuess, RequestLinesAreHttpAndTheRestIsBytes) {
    EXPECT_EQ(guess_protocol("GET / HTTP/1.1\r\n"), ProtocolGuess::Http);
    EXPECT_EQ(guess_protocol("\r\nPOST /x HTTP/1.1"), ProtocolGuess::Http);
    EXPECT_EQ(guess_protocol("M-SEARCH * HTTP/1.1"), ProtocolGuess::Http);
    EXPECT_EQ(guess_protocol(""), ProtocolGuess::NeedMore);
    EXPECT_EQ(guess_protocol("GE"), ProtocolGuess::NeedMore);
    EXPECT_EQ(guess_protocol("\r"), ProtocolGuess::NeedMore);
    EXPECT_EQ(guess_protocol("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), ProtocolGuess::Other);  // HTTP/2 prior knowledge
    EXPECT_EQ(guess_protocol("\x16\x03\x01\x02"), ProtocolGuess::Other);                 // TLS
    EXPECT_EQ(guess_protocol("get / HTTP/1.1"), ProtocolGuess::Other);
    EXPECT_EQ(guess_protocol(" GET"), ProtocolGuess::Other);
    EXPECT_EQ(guess_protocol("SSH-2.0-OpenSSH_9.2"), ProtocolGuess::Other);
    EXPECT_EQ(guess_protocol("ABCDEFGHIJKLMNOPQRSTUVWX"), ProtocolGuess::Other);  // no method is that long
}

TEST(FrontForwarding, AConnectionFieldCannotTakeAwayTheFramingOrTheHost) {
    auto post = request("POST", "/", {1, 1}, {{"Host", "h"}, {"Connection", "Content-Length, Host"}, {"Content-Length", "4"}});
    post.content_length = 4;
    EXPECT_EQ(upstream_request_head(post, RequestContext{.client_address = "a", .front_host = "f", .forwarded_headers = false}),
              "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n");
}

TEST(FrontForwarding, AnUpgradeOverSeveralLinesGoesUpAsOneList) {
    auto ws = request("GET", "/ws", {1, 1}, {{"Host", "h"}, {"Upgrade", ""}, {"Upgrade", "websocket"},
                                            {"Connection", "Upgrade"}});
    ws.upgrade = true;
    const std::string head = upstream_request_head(ws, kContext);
    EXPECT_NE(head.find("\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"), std::string::npos) << head;
    EXPECT_EQ(head.find("Upgrade: \r\n"), std::string::npos) << head;
}
