#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "front/http_parser.hpp"
#include "front/http_rules.hpp"

using namespace hotswap;
using Status = HttpParser::Status;

namespace {

struct Message {
    MessageHead head;
    std::string body;
    HeaderFields trailers;
    bool complete = false;
};

// Records what the parser reports; pauses after each message when asked to.
class Recorder : public HttpParser::Handler {
public:
    void on_head(const MessageHead& head) override { messages.push_back({head, {}, {}, false}); }
    void on_body(std::string_view bytes) override { messages.back().body.append(bytes); }
    HttpParser::Flow on_message_end(const HeaderFields& trailers) override {
        messages.back().trailers = trailers;
        messages.back().complete = true;
        return flow;
    }

    std::vector<Message> messages;
    HttpParser::Flow flow = HttpParser::Flow::Continue;
};

struct Session {
    explicit Session(HttpDirection direction = HttpDirection::Request, HttpLimits limits = {})
        : parser(direction, recorder, limits) {}

    HttpParser::FeedResult feed(std::string_view bytes) { return parser.feed(bytes); }
    // One byte a feed, as a slow client sends them; stops at the first result that is not Consumed.
    HttpParser::FeedResult feed_bytewise(std::string_view bytes) {
        for (size_t i = 0; i < bytes.size(); ++i) {
            auto result = parser.feed(bytes.substr(i, 1));
            if (result.status != Status::Consumed) return result;
        }
        return {};
    }
    const Message& message(size_t i) const { return recorder.messages.at(i); }

    Recorder recorder;
    HttpParser parser;
};

// The error for bytes that must be refused, fed whole and byte by byte: both ways refuse it alike.
HttpError refused(std::string_view bytes, HttpDirection direction = HttpDirection::Request, HttpLimits limits = {}) {
    Session whole(direction, limits);
    auto result = whole.feed(bytes);
    if (result.status == Status::Consumed) result = whole.parser.finish();
    EXPECT_EQ(result.status, Status::Failed) << bytes;
    Session bytewise(direction, limits);
    result = bytewise.feed_bytewise(bytes);
    if (result.status == Status::Consumed) result = bytewise.parser.finish();
    EXPECT_EQ(result.status, Status::Failed) << bytes;
    if (!whole.parser.error() || !bytewise.parser.error()) return {};
    EXPECT_EQ(whole.parser.error()->status, bytewise.parser.error()->status) << bytes;
    EXPECT_FALSE(whole.parser.error()->reason.empty());
    return *whole.parser.error();
}

void expect_refused(std::string_view bytes, int status, HttpErrorKind kind,
                    HttpDirection direction = HttpDirection::Request) {
    auto error = refused(bytes, direction);
    EXPECT_EQ(error.status, status) << bytes << "\n  " << error.reason;
    EXPECT_EQ(error.kind, kind) << bytes << "\n  " << error.reason;
}

std::string request_with_fields(std::string_view fields) {
    return "GET / HTTP/1.1\r\nHost: a\r\n" + std::string(fields) + "\r\n";
}

}  // namespace

// --- Requests that parse ------------------------------------------------------------------------------

TEST(FrontHttpParser, SimpleGet) {
    Session s;
    auto result = s.feed("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t/1\r\n\r\n");
    EXPECT_EQ(result.status, Status::Consumed);
    ASSERT_EQ(s.recorder.messages.size(), 1u);
    const auto& head = s.message(0).head;
    EXPECT_EQ(head.method, "GET");
    EXPECT_EQ(head.target, "/index.html?q=1");
    EXPECT_EQ(head.version, (HttpVersion{1, 1}));
    ASSERT_EQ(head.fields.size(), 2u);
    EXPECT_EQ(head.fields[0].name, "Host");
    EXPECT_EQ(head.fields[0].value, "example.com");
    EXPECT_FALSE(head.content_length);
    EXPECT_FALSE(head.chunked);
    EXPECT_TRUE(head.keep_alive);
    EXPECT_FALSE(head.upgrade);
    EXPECT_TRUE(s.message(0).complete);
    EXPECT_EQ(s.message(0).body, "");
    EXPECT_FALSE(s.parser.error());
    EXPECT_EQ(s.parser.finish().status, Status::Consumed);  // closed between messages: clean
}

TEST(FrontHttpParser, FieldsKeepOrderAndCaseAndLookUpIgnoringCase) {
    Session s;
    ASSERT_EQ(s.feed("GET / HTTP/1.1\r\nhost: a\r\nX-Tag:one\r\nCONNECTION: keep-alive, X-Trace\r\n"
                     "x-tag:   two  \r\nEmpty:\r\nX-Trace: 1\r\n\r\n").status,
              Status::Consumed);
    const auto& fields = s.message(0).head.fields;
    std::vector<std::pair<std::string, std::string>> seen;
    for (const auto& f : fields) seen.emplace_back(f.name, f.value);
    EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                        {"host", "a"}, {"X-Tag", "one"}, {"CONNECTION", "keep-alive, X-Trace"},
                        {"x-tag", "two"}, {"Empty", ""}, {"X-Trace", "1"}}));
    EXPECT_EQ(fields.find("HOST"), "a");
    EXPECT_EQ(fields.find("x-TAG"), "one");  // the first of two
    EXPECT_EQ(fields.count("X-Tag"), 2u);
    EXPECT_EQ(fields.find("Empty"), "");
    EXPECT_FALSE(fields.find("Missing"));
    EXPECT_EQ(fields.list("x-tag"), (std::vector<std::string_view>{"one", "two"}));
    EXPECT_TRUE(fields.has_token("Connection", "x-trace"));
    EXPECT_FALSE(fields.has_token("Connection", "close"));
}

TEST(FrontHttpParser, HeadSplitByteByByte) {
    std::string request = "POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\n"
                          "Content-Length: 11\r\n\r\nhello world";
    Session s;
    EXPECT_EQ(s.feed_bytewise(request).status, Status::Consumed);
    ASSERT_EQ(s.recorder.messages.size(), 1u);
    const auto& m = s.message(0);
    EXPECT_EQ(m.head.method, "POST");
    EXPECT_EQ(m.head.target, "/upload");
    EXPECT_EQ(m.head.fields.find("content-type"), "text/plain");
    EXPECT_EQ(m.head.content_length, 11u);
    EXPECT_EQ(m.body, "hello world");
    EXPECT_TRUE(m.complete);
}

TEST(FrontHttpParser, ContentLengthBodyAcrossFeeds) {
    Session s;
    EXPECT_EQ(s.feed("PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello").status, Status::Consumed);
    ASSERT_EQ(s.recorder.messages.size(), 1u);
    EXPECT_FALSE(s.message(0).complete);
    EXPECT_EQ(s.feed(" world").status, Status::Consumed);
    EXPECT_EQ(s.message(0).body, "hello world");
    EXPECT_TRUE(s.message(0).complete);
    // A body cut short by the close.
    Session cut;
    cut.feed("PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello");
    EXPECT_EQ(cut.parser.finish().status, Status::Failed);
    EXPECT_EQ(cut.parser.error()->kind, HttpErrorKind::Truncated);
}

TEST(FrontHttpParser, PipelinedRequestsInOneBuffer) {
    std::string first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
    std::string second = "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz";
    std::string third = "GET /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
    std::string all = first + second + third;

    Session together;
    EXPECT_EQ(together.feed(all).status, Status::Consumed);
    ASSERT_EQ(together.recorder.messages.size(), 3u);
    EXPECT_EQ(together.message(1).body, "xyz");
    EXPECT_EQ(together.message(2).body, "hi");

    // Pausing after each message: the rest comes back, to be fed once the message is answered.
    Session paused;
    paused.recorder.flow = HttpParser::Flow::Pause;
    auto result = paused.feed(all);
    EXPECT_EQ(result.status, Status::Paused);
    EXPECT_EQ(result.rest, second + third);
    ASSERT_EQ(paused.recorder.messages.size(), 1u);
    EXPECT_EQ(paused.message(0).head.target, "/a");
    result = paused.feed(result.rest);
    EXPECT_EQ(result.status, Status::Paused);
    EXPECT_EQ(result.rest, third);
    EXPECT_EQ(paused.message(1).head.target, "/b");
    result = paused.feed(result.rest);
    EXPECT_EQ(result.status, Status::Paused);
    EXPECT_EQ(result.rest, "");
    EXPECT_EQ(paused.message(2).head.target, "/c");
    EXPECT_EQ(paused.recorder.messages.size(), 3u);
}

TEST(FrontHttpParser, PausedBeforeAPartialNextRequest) {
    Session s;
    s.recorder.flow = HttpParser::Flow::Pause;
    auto result = s.feed("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTT");
    EXPECT_EQ(result.status, Status::Paused);
    EXPECT_EQ(result.rest, "GET /b HTT");
    // The caller keeps the rest and feeds it with what arrives next.
    std::string next = std::string(result.rest) + "P/1.1\r\nHost: a\r\n\r\n";
    result = s.feed(next);
    EXPECT_EQ(result.status, Status::Paused);
    ASSERT_EQ(s.recorder.messages.size(), 2u);
    EXPECT_EQ(s.message(1).head.target, "/b");
}

TEST(FrontHttpParser, ChunkedBodyWithExtensionsAndTrailers) {
    std::string request = "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                          "5;name=\"a b\";flag\r\nhello\r\n6;x\r\n world\r\n0;last\r\n"
                          "X-Checksum: abc\r\nx-other:  1 \r\n\r\n";
    for (bool bytewise : {false, true}) {
        Session s;
        auto result = bytewise ? s.feed_bytewise(request) : s.feed(request);
        EXPECT_EQ(result.status, Status::Consumed);
        ASSERT_EQ(s.recorder.messages.size(), 1u);
        const auto& m = s.message(0);
        EXPECT_TRUE(m.head.chunked);
        EXPECT_FALSE(m.head.content_length);
        EXPECT_EQ(m.body, "hello world");
        EXPECT_TRUE(m.complete);
        ASSERT_EQ(m.trailers.size(), 2u);
        EXPECT_EQ(m.trailers.find("x-checksum"), "abc");
        EXPECT_EQ(m.trailers[1].name, "x-other");
        EXPECT_EQ(m.trailers[1].value, "1");
        EXPECT_FALSE(m.head.fields.find("X-Checksum"));  // trailers are not header fields
    }
}

TEST(FrontHttpParser, ChunkedThenPipelined) {
    Session s;
    EXPECT_EQ(s.feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                     "GET /next HTTP/1.1\r\nHost: a\r\n\r\n").status,
              Status::Consumed);
    ASSERT_EQ(s.recorder.messages.size(), 2u);
    EXPECT_EQ(s.message(0).body, "abc");
    EXPECT_TRUE(s.message(0).trailers.empty());
    EXPECT_EQ(s.message(1).head.target, "/next");
}

TEST(FrontHttpParser, KeepAliveRules) {
    struct Case {
        std::string request;
        bool keep_alive;
    };
    for (const auto& c : std::vector<Case>{
             {"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
             {"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false},
             {"GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n", false},
             {"GET / HTTP/1.0\r\n\r\n", false},
             {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
             {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
             {"GET / HTTP/1.0\r\nHost: a\r\nConnection: close\r\n\r\n", false},
         }) {
        Session s;
        ASSERT_EQ(s.feed(c.request).status, Status::Consumed) << c.request;
        EXPECT_EQ(s.message(0).head.keep_alive, c.keep_alive) << c.request;
    }
    // HTTP/1.0 keep-alive: the next request is read.
    Session ten;
    EXPECT_EQ(ten.feed("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n").status,
              Status::Consumed);
    EXPECT_EQ(ten.recorder.messages.size(), 2u);
    EXPECT_EQ(ten.message(1).head.version, (HttpVersion{1, 0}));
    // After a message that closes the connection, nothing more is read.
    expect_refused("GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n", 400,
                   HttpErrorKind::DataAfterClose);
    expect_refused("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n", 400, HttpErrorKind::DataAfterClose);
}

TEST(FrontHttpParser, ExpectContinueIsVisibleBeforeTheBody) {
    Session s;
    EXPECT_EQ(s.feed("PUT /big HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n").status,
              Status::Consumed);
    ASSERT_EQ(s.recorder.messages.size(), 1u);
    EXPECT_FALSE(s.message(0).complete);
    EXPECT_TRUE(expects_continue(s.message(0).head));
    EXPECT_EQ(s.feed("data").status, Status::Consumed);
    EXPECT_TRUE(s.message(0).complete);
    EXPECT_EQ(s.message(0).body, "data");

    Session old;
    ASSERT_EQ(old.feed("PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n").status, Status::Consumed);
    EXPECT_FALSE(expects_continue(old.message(0).head));  // an HTTP/1.0 client does not wait for it
}

TEST(FrontHttpParser, UpgradeHandsBackTheRest) {
    std::string frames = "\x81\x05hello";
    Session s;
    std::string bytes = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n" + frames;
    auto result = s.feed(bytes);  // `rest` is a view into it
    EXPECT_EQ(result.status, Status::Upgraded);
    EXPECT_EQ(result.rest, frames);
    ASSERT_EQ(s.recorder.messages.size(), 1u);
    EXPECT_TRUE(s.message(0).head.upgrade);
    EXPECT_TRUE(s.message(0).complete);
    EXPECT_EQ(s.message(0).head.fields.find("upgrade"), "websocket");

    // Refused upgrade (the upstream answered without 101): feeding on reads HTTP again.
    Session refused_upgrade;
    result = refused_upgrade.feed("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                                  "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(result.status, Status::Upgraded);
    EXPECT_EQ(refused_upgrade.feed(result.rest).status, Status::Consumed);
    ASSERT_EQ(refused_upgrade.recorder.messages.size(), 2u);
    EXPECT_EQ(refused_upgrade.message(1).head.target, "/next");

    // Upgrade without "Connection: upgrade" is only a field.
    Session plain;
    EXPECT_EQ(plain.feed("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").status, Status::Consumed);
    EXPECT_FALSE(plain.message(0).head.upgrade);

    // CONNECT: the bytes after the head are the tunnel's.
    Session connect;
    result = connect.feed("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01");
    EXPECT_EQ(result.status, Status::Upgraded);
    EXPECT_EQ(result.rest, "\x16\x03\x01");
    EXPECT_EQ(connect.message(0).head.target, "example.com:443");
}

TEST(FrontHttpParser, AHandlerThatThrowsFailsTheParser) {
    struct Thrower : Recorder {
        void on_head(const MessageHead&) override { throw std::runtime_error("no"); }
    } thrower;
    HttpParser parser(HttpDirection::Request, thrower);
    EXPECT_THROW(parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), std::runtime_error);
    ASSERT_TRUE(parser.error());
    EXPECT_EQ(parser.error()->kind, HttpErrorKind::HandlerFailed);
    EXPECT_EQ(parser.error()->status, 500);
    EXPECT_EQ(parser.feed("GET / HTTP/1.1\r\n").status, Status::Failed);
}

// --- Responses ----------------------------------------------------------------------------------------

TEST(FrontHttpParser, ResponseWithBody) {
    Session s(HttpDirection::Response);
    EXPECT_EQ(s.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello").status,
              Status::Consumed);
    ASSERT_EQ(s.recorder.messages.size(), 1u);
    const auto& m = s.message(0);
    EXPECT_EQ(m.head.status, 200);
    EXPECT_EQ(m.head.reason, "OK");
    EXPECT_EQ(m.head.version, (HttpVersion{1, 1}));
    EXPECT_EQ(m.head.content_length, 5u);
    EXPECT_TRUE(m.head.keep_alive);
    EXPECT_EQ(m.body, "hello");
    EXPECT_TRUE(m.complete);
}

TEST(FrontHttpParser, ResponseToHeadHasNoBody) {
    Session s(HttpDirection::Response);
    s.recorder.flow = HttpParser::Flow::Pause;
    s.parser.expect_response_to("HEAD");
    // Content-Length tells the size of what GET would have sent; no body follows.
    auto result = s.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    EXPECT_EQ(result.status, Status::Paused);
    const auto& head = s.message(0).head;
    EXPECT_TRUE(s.message(0).complete);
    EXPECT_EQ(s.message(0).body, "");
    EXPECT_EQ(head.content_length, 5u);
    EXPECT_TRUE(head.keep_alive);
    // The next response answers a GET.
    s.parser.expect_response_to("GET");
    EXPECT_EQ(s.feed(result.rest).status, Status::Paused);
    EXPECT_EQ(s.message(1).body, "ok");

    // Without Content-Length either: a HEAD response does not run until the close.
    Session bare(HttpDirection::Response);
    bare.parser.expect_response_to("HEAD");
    EXPECT_EQ(bare.feed("HTTP/1.1 200 OK\r\n\r\n").status, Status::Consumed);
    EXPECT_TRUE(bare.message(0).complete);
    EXPECT_TRUE(bare.message(0).head.keep_alive);
}

TEST(FrontHttpParser, NoBodyFor204And304) {
    for (std::string status : {"204 No Content", "304 Not Modified"}) {
        Session s(HttpDirection::Response);
        std::string response = "HTTP/1.1 " + status + "\r\nContent-Length: 5\r\n\r\n";
        EXPECT_EQ(s.feed(response + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").status, Status::Consumed);
        ASSERT_EQ(s.recorder.messages.size(), 2u) << status;
        EXPECT_EQ(s.message(0).body, "") << status;
        EXPECT_TRUE(s.message(0).complete);
        EXPECT_TRUE(s.message(0).head.keep_alive);
        EXPECT_EQ(s.message(1).body, "ok");
    }
}

TEST(FrontHttpParser, InterimResponsesComeFirst) {
    Session s(HttpDirection::Response);
    s.parser.expect_response_to("HEAD");
    EXPECT_EQ(s.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                     "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").status,
              Status::Consumed);
    ASSERT_EQ(s.recorder.messages.size(), 3u);
    EXPECT_EQ(s.message(0).head.status, 100);
    EXPECT_EQ(s.message(1).head.status, 103);
    EXPECT_EQ(s.message(1).head.fields.find("Link"), "</style.css>; rel=preload");
    EXPECT_EQ(s.message(2).head.status, 200);
    EXPECT_TRUE(s.message(2).complete);  // the HEAD request's answer: no body, though 1xx came first
}

TEST(FrontHttpParser, SwitchingProtocolsResponse) {
    Session s(HttpDirection::Response);
    auto result = s.feed("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi");
    EXPECT_EQ(result.status, Status::Upgraded);
    EXPECT_EQ(result.rest, "\x81\x02hi");
    EXPECT_TRUE(s.message(0).head.upgrade);
}

TEST(FrontHttpParser, ResponseToConnect) {
    Session s(HttpDirection::Response);
    s.parser.expect_response_to("CONNECT");
    auto result = s.feed("HTTP/1.1 200 Connection Established\r\n\r\ntunnel bytes");
    EXPECT_EQ(result.status, Status::Upgraded);
    EXPECT_EQ(result.rest, "tunnel bytes");
    EXPECT_TRUE(s.message(0).head.upgrade);
    EXPECT_EQ(s.parser.finish().status, Status::Consumed);

    // Refused: an ordinary response with a body.
    Session no(HttpDirection::Response);
    no.parser.expect_response_to("CONNECT");
    EXPECT_EQ(no.feed("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno").status,
              Status::Consumed);
    EXPECT_FALSE(no.message(0).head.upgrade);
    EXPECT_EQ(no.message(0).body, "no");
}

TEST(FrontHttpParser, ResponseBodyUntilTheClose) {
    Session s(HttpDirection::Response);
    EXPECT_EQ(s.feed("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nabc").status, Status::Consumed);
    EXPECT_EQ(s.feed("def").status, Status::Consumed);
    EXPECT_FALSE(s.message(0).complete);
    EXPECT_FALSE(s.message(0).head.keep_alive);
    EXPECT_EQ(s.parser.finish().status, Status::Consumed);
    EXPECT_TRUE(s.message(0).complete);
    EXPECT_EQ(s.message(0).body, "abcdef");

    Session cut(HttpDirection::Response);
    cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    EXPECT_EQ(cut.parser.finish().status, Status::Failed);
    EXPECT_EQ(cut.parser.error()->kind, HttpErrorKind::Truncated);
    EXPECT_EQ(cut.parser.error()->status, 502);
}

// --- Bad input, and the status the front answers -------------------------------------------------------

TEST(FrontHttpParser, SmugglingShapesAre400) {
    auto smuggling = [](std::string_view bytes) { expect_refused(bytes, 400, HttpErrorKind::Smuggling); };
    // Two ways to tell the body's length.
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n");
    // Content-Length twice (even the same), as a list, or not a number.
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n");
    // Transfer-Encoding not ending in chunked, or chunked twice.
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
    smuggling("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    // A CONNECT's next bytes are the tunnel's, not a body.
    smuggling("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 3\r\n\r\nabc");
    smuggling("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    // Line ends other than CRLF: lone LF after the request line, a field, or as the empty line; lone CR.
    smuggling("GET / HTTP/1.1\nHost: a\r\n\r\n");
    smuggling("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n");
    smuggling("GET / HTTP/1.1\r\nHost: a\r\n\n");
    smuggling("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n");
    smuggling("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n");
    smuggling("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n");
    smuggling("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    // obs-fold, and whitespace before the first field.
    smuggling("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n");
    smuggling("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n");
    smuggling("GET / HTTP/1.1\r\n Host: a\r\n\r\n");
    // The same in the trailers.
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n\n");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n");
    smuggling("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n y\r\n\r\n");
}

TEST(FrontHttpParser, InvalidCharactersAre400) {
    auto malformed = [](std::string_view bytes) { expect_refused(bytes, 400, HttpErrorKind::Malformed); };
    using namespace std::string_literals;
    malformed(request_with_fields("X: a\0b\r\n"s));
    malformed(request_with_fields("X: a\x7f" "b\r\n"));
    malformed(request_with_fields("X: a\x01\r\n"));
    malformed(request_with_fields("X: a\x0b" "b\r\n"));
    malformed(request_with_fields("Bad Name: a\r\n"));
    malformed(request_with_fields("X-Name : a\r\n"));
    malformed(request_with_fields("X(y): a\r\n"));
    malformed(request_with_fields(": a\r\n"));
    malformed(request_with_fields("NoColon\r\n"));
    malformed("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n");
    malformed("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n");
    malformed("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n");
    malformed("GET / HTTP/1.1 \r\nHost: a\r\n\r\n");
    malformed("GET / HTTP/1.10\r\nHost: a\r\n\r\n");
    malformed("GET / HTTX/1.1\r\nHost: a\r\n\r\n");
    // Host: one, and only one.
    malformed("GET / HTTP/1.1\r\n\r\n");
    malformed("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    malformed("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n");
    // Chunk framing.
    malformed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n");
    malformed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n");
    malformed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n");
    malformed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n");
    malformed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=\x01\r\nabc\r\n0\r\n\r\n");
    // Truncated at the close.
    expect_refused("GET / HTTP/1.1\r\nHost:", 400, HttpErrorKind::Truncated);
}

TEST(FrontHttpParser, RequestLineOverTheLimitIs414) {
    // "GET " + target + " HTTP/1.1" is the request line: 8192 bytes pass, 8193 do not.
    std::string at_limit = "/" + std::string(8192 - 14, 'a');
    Session s;
    EXPECT_EQ(s.feed("GET " + at_limit + " HTTP/1.1\r\nHost: a\r\n\r\n").status, Status::Consumed);
    EXPECT_EQ(s.message(0).head.target.size(), 8192u - 13);
    auto error = refused("GET " + at_limit + "a HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(error.status, 414);
    EXPECT_EQ(error.kind, HttpErrorKind::StartLineTooLong);
    // Refused before the line ends: a request line that never ends is not kept growing.
    Session endless;
    EXPECT_EQ(endless.feed("GET /" + std::string(9000, 'a')).status, Status::Failed);
    EXPECT_EQ(endless.parser.error()->status, 414);
}

TEST(FrontHttpParser, HeadersOverTheLimitsAre431) {
    // 32 KiB of field lines, CRLFs included, pass: "Host: a\r\n" and one field of the rest.
    size_t fill = 32 * 1024 - 9 - std::string_view("X-Fill: \r\n").size();
    Session s;
    EXPECT_EQ(s.feed(request_with_fields("X-Fill: " + std::string(fill, 'v') + "\r\n")).status, Status::Consumed);
    auto error = refused(request_with_fields("X-Fill: " + std::string(fill + 1, 'v') + "\r\n"));
    EXPECT_EQ(error.status, 431);
    EXPECT_EQ(error.kind, HttpErrorKind::FieldsTooLarge);
    // Whitespace counts, though llhttp skips it.
    EXPECT_EQ(refused(request_with_fields("X-Fill:" + std::string(40000, ' ') + "v\r\n")).status, 431);

    // 100 fields pass, 101 do not.
    std::string fields;
    for (int i = 1; i < 100; ++i) fields += "X-" + std::to_string(i) + ": v\r\n";
    Session hundred;
    EXPECT_EQ(hundred.feed(request_with_fields(fields)).status, Status::Consumed);
    EXPECT_EQ(hundred.message(0).head.fields.size(), 100u);
    error = refused(request_with_fields(fields + "X-101: v\r\n"));
    EXPECT_EQ(error.status, 431);
    EXPECT_EQ(error.kind, HttpErrorKind::FieldsTooLarge);

    // Trailers are held to the same limits.
    std::string trailers;
    for (int i = 0; i < 101; ++i) trailers += "T-" + std::to_string(i) + ": v\r\n";
    EXPECT_EQ(refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + trailers + "\r\n").status,
              431);
}

TEST(FrontHttpParser, LimitsAreConfigurable) {
    HttpLimits small{.max_start_line = 20, .max_field_bytes = 30, .max_field_count = 2, .max_chunk_extension_bytes = 8};
    auto status = [&](std::string_view bytes) {
        Session s(HttpDirection::Request, small);
        auto result = s.feed(bytes);
        return result.status == Status::Failed ? s.parser.error()->status : 0;
    };
    EXPECT_EQ(status("GET /123456 HTTP/1.1\r\nHost: a\r\n\r\n"), 0);  // 20 bytes
    EXPECT_EQ(status("GET /1234567 HTTP/1.1\r\nHost: a\r\n\r\n"), 414);
    EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n"), 0);
    EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nY: 2\r\n\r\n"), 431);
    EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: a\r\nX: 12345678901234567\r\n\r\n"), 431);
    // Extensions count their ';' and '=': 8 bytes pass, 9 do not.
    small.max_field_bytes = 40;  // room for "Host: a" and "Transfer-Encoding: chunked"
    std::string chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(status(chunked + "1;abcdefg\r\nx\r\n0\r\n\r\n"), 0);
    EXPECT_EQ(status(chunked + "1;abcdefgh\r\nx\r\n0\r\n\r\n"), 413);
    EXPECT_EQ(status(chunked + "1;a=bc\r\nx\r\n1;de\r\ny\r\n0\r\n\r\n"), 0);  // across chunks
    EXPECT_EQ(status(chunked + "1;a=bc\r\nx\r\n1;def\r\ny\r\n0\r\n\r\n"), 413);
}

TEST(FrontHttpParser, ChunkExtensionsOverTheLimitAre413) {
    // 16 KiB of ";" alone: extensions with empty names, which llhttp skips without a word.
    std::string chunks;
    for (int i = 0; i < 1100; ++i) chunks += "1" + std::string(15, ';') + "a\r\nx\r\n";
    auto error = refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n");
    EXPECT_EQ(error.status, 413);
    EXPECT_EQ(error.kind, HttpErrorKind::ChunkExtensionsTooLarge);
}

TEST(FrontHttpParser, UnsupportedVersionsAre505) {
    auto unsupported = [](std::string_view bytes) { expect_refused(bytes, 505, HttpErrorKind::UnsupportedVersion); };
    unsupported("GET / HTTP/1.2\r\nHost: a\r\n\r\n");
    unsupported("GET / HTTP/2.0\r\nHost: a\r\n\r\n");
    unsupported("GET / HTTP/3.0\r\nHost: a\r\n\r\n");
    unsupported("GET / HTTP/0.9\r\n\r\n");
    unsupported("GET /\r\n\r\n");  // HTTP/0.9's request line, without a version
    unsupported("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
}

TEST(FrontHttpParser, UnknownMethodsAndCodingsAre501) {
    expect_refused("FOO / HTTP/1.1\r\nHost: a\r\n\r\n", 501, HttpErrorKind::UnknownMethod);
    expect_refused("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501, HttpErrorKind::UnknownMethod);  // methods have case
    expect_refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501,
                   HttpErrorKind::UnsupportedCoding);
    expect_refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                   501, HttpErrorKind::UnsupportedCoding);
}

TEST(FrontHttpParser, BadResponsesAre502) {
    auto bad = [](std::string_view bytes, HttpErrorKind kind) {
        expect_refused(bytes, 502, kind, HttpDirection::Response);
    };
    bad("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", HttpErrorKind::Smuggling);
    bad("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", HttpErrorKind::Smuggling);
    bad("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", HttpErrorKind::Smuggling);
    bad("HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", HttpErrorKind::Smuggling);
    bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz", HttpErrorKind::UnsupportedCoding);
    bad("HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", HttpErrorKind::UnsupportedVersion);
    bad("HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n", HttpErrorKind::Malformed);
    bad("HTTP/1.1 600 High\r\nContent-Length: 0\r\n\r\n", HttpErrorKind::Malformed);
    bad("HTTP/1.1 2000 OK\r\n\r\n", HttpErrorKind::Malformed);
    bad("HTTP/1.1 200 OK\r\n" + std::string(40000, 'X') + ": v\r\n\r\n", HttpErrorKind::FieldsTooLarge);
    bad("HTTP/1.1 200 " + std::string(9000, 'K') + "\r\n\r\n", HttpErrorKind::StartLineTooLong);
}

TEST(FrontHttpParser, AFailedParserStaysFailed) {
    Session s;
    EXPECT_EQ(s.feed("GET / HTTP/1.1\nHost: a\r\n\r\n").status, Status::Failed);
    auto reason = s.parser.error()->reason;
    EXPECT_NE(reason.find("LF"), std::string::npos) << reason;
    EXPECT_EQ(s.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n").status, Status::Failed);
    EXPECT_EQ(s.parser.finish().status, Status::Failed);
    EXPECT_TRUE(s.recorder.messages.empty());
}
