// Live reload's pure parts: which requests and responses get the script, where it goes, the CSP nonce it
// carries, and the event stream's framing.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"

#include <nlohmann/json.hpp>

#include "front/html_injection.hpp"
#include "front/live_reload_assets.hpp"
#include "front/live_reload_hub.hpp"

using namespace hotswap;

namespace {

MessageHead request(std::string method, std::initializer_list<std::pair<const char*, const char*>> fields) {
    MessageHead h;
    h.method = std::move(method);
    h.target = "/";
    for (auto [n, v] : fields) h.fields.add(n, v);
    return h;
}

MessageHead response(int status, std::initializer_list<std::pair<const char*, const char*>> fields) {
    MessageHead h;
    h.status = status;
    for (auto [n, v] : fields) h.fields.add(n, v);
    return h;
}

constexpr const char* kNavigation = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

}  // namespace

TEST(FrontLiveReload, OnlyAPageNavigationWantsTheScript) {
    EXPECT_TRUE(wants_injection(request("GET", {{"Accept", kNavigation}})));
    EXPECT_TRUE(wants_injection(request("GET", {{"Accept", kNavigation}, {"Sec-Fetch-Dest", "document"}})));
    EXPECT_TRUE(wants_injection(request("GET", {{"Accept", kNavigation}, {"Sec-Fetch-Dest", "iframe"}})));
    EXPECT_FALSE(wants_injection(request("HEAD", {{"Accept", kNavigation}})));
    EXPECT_FALSE(wants_injection(request("POST", {{"Accept", kNavigation}})));
    EXPECT_FALSE(wants_injection(request("GET", {{"Accept", "*/*"}})));
    EXPECT_FALSE(wants_injection(request("GET", {})));
    EXPECT_FALSE(wants_injection(request("GET", {{"Accept", kNavigation}, {"HX-Request", "true"}})));
    EXPECT_FALSE(wants_injection(request("GET", {{"Accept", kNavigation}, {"Turbo-Frame", "main"}})));
    EXPECT_FALSE(wants_injection(request("GET", {{"Accept", kNavigation}, {"Range", "bytes=0-9"}})));
    EXPECT_FALSE(wants_injection(request("GET", {{"Accept", kNavigation}, {"Sec-Fetch-Dest", "empty"}})));
}

TEST(FrontLiveReload, APageIsAskedForUncompressed) {
    MessageHead r = request("GET", {{"Accept", kNavigation}, {"Accept-Encoding", "gzip, br"}, {"Host", "x"}});
    ask_for_identity(r);
    EXPECT_FALSE(r.fields.find("Accept-Encoding"));
    EXPECT_TRUE(r.fields.find("Host"));
}

TEST(FrontLiveReload, OnlyAnUncompressedHtmlAnswerGetsTheScript) {
    EXPECT_TRUE(injectable_response(response(200, {{"Content-Type", "text/html; charset=utf-8"}})));
    EXPECT_TRUE(injectable_response(response(200, {{"Content-Type", "TEXT/HTML"}, {"Content-Encoding", "identity"}})));
    EXPECT_FALSE(injectable_response(response(200, {{"Content-Type", "application/json"}})));
    EXPECT_FALSE(injectable_response(response(200, {})));
    EXPECT_FALSE(injectable_response(response(304, {{"Content-Type", "text/html"}})));
    EXPECT_FALSE(injectable_response(response(204, {{"Content-Type", "text/html"}})));
    EXPECT_FALSE(injectable_response(response(206, {{"Content-Type", "text/html"}})));
    EXPECT_FALSE(injectable_response(response(404, {{"Content-Type", "text/html"}})));
    EXPECT_FALSE(injectable_response(response(200, {{"Content-Type", "text/html"}, {"Content-Encoding", "gzip"}})));
    EXPECT_FALSE(injectable_response(
        response(200, {{"Content-Type", "text/html"}, {"Content-Disposition", "attachment; filename=a.html"}})));
    EXPECT_FALSE(injectable_response(response(200, {{"Content-Type", "text/htmlx"}})));
}

TEST(FrontLiveReload, TheScriptGoesBeforeTheLastBodyEndElseHtmlEndElseTheEnd) {
    const std::string tag = "<script></script>";
    EXPECT_EQ(inject_tag("<p>a</p></body></html>", tag), "<p>a</p><script></script></body></html>");
    EXPECT_EQ(inject_tag("<!-- </body> --><p></P></BODY>", tag), "<!-- </body> --><p></P><script></script></BODY>");
    EXPECT_EQ(inject_tag("<p>a</p></html>", tag), "<p>a</p><script></script></html>");
    EXPECT_EQ(inject_tag("<p>a</p>", tag), "<p>a</p><script></script>");
    EXPECT_EQ(inject_tag("", tag), "<script></script>");
}

TEST(FrontLiveReload, TheTagCarriesItsGenerationAndThePagesNonce) {
    EXPECT_EQ(live_reload_tag(7, ""), "<script src=\"/__hotswap/live.js\" data-hotswap-generation=\"7\"></script>");
    EXPECT_EQ(live_reload_tag(2, "abc"),
              "<script src=\"/__hotswap/live.js\" data-hotswap-generation=\"2\" nonce=\"abc\"></script>");
    EXPECT_EQ(csp_nonce(response(200, {{"Content-Security-Policy", "default-src 'self'; script-src 'nonce-r4nd0m+/='"}})),
              "r4nd0m+/=");
    EXPECT_EQ(csp_nonce(response(200, {{"Content-Security-Policy", "default-src 'nonce-d'; script-src-elem 'nonce-e'"}})),
              "e");
    EXPECT_EQ(csp_nonce(response(200, {{"Content-Security-Policy", "default-src 'nonce-d'"}})), "d");
    EXPECT_EQ(csp_nonce(response(200, {{"Content-Security-Policy", "script-src 'self'"}})), "");
    EXPECT_EQ(csp_nonce(response(200, {{"Content-Security-Policy", "script-src 'nonce-\"><x'"}})), "")
        << "what could break out of the attribute is not copied";
    EXPECT_EQ(csp_nonce(response(200, {})), "");
}

TEST(FrontLiveReload, EventsAreOneDataLineEach) {
    EXPECT_EQ(LiveReloadHub::format_event("error", {{"text", "a\nb"}}), "event: error\ndata: {\"text\":\"a\\nb\"}\n\n");
}

TEST(FrontLiveReload, TheBrowserScriptsAreCompiledIn) {
    EXPECT_NE(live_reload_script().find("/__hotswap/events"), std::string_view::npos);
    EXPECT_NE(live_reload_worker().find("EventSource"), std::string_view::npos);
}

namespace {

std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) return out;
        out.append(buf, size_t(n));
    }
}

}  // namespace

TEST(FrontLiveReload, AStreamGetsHelloWithTheStateThenEachEvent) {
    auto loop = EventLoop::create_manual().value();
    LiveReloadHub hub(*loop);
    hub.serving(3);
    hub.error({.kind = "build", .title = "Build failed", .text = "main.go:1:1: oops"});
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
    FileDescriptor browser(pair[1]);
    hub.adopt(FileDescriptor(pair[0]));
    EXPECT_EQ(hub.streams(), 1u);
    const std::string first = read_all(browser.get());
    EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n", 0), 0u) << first;
    EXPECT_NE(first.find("retry: 500\n\n"), std::string::npos);
    EXPECT_NE(first.find("event: hello\ndata: {\"error\":{\"kind\":\"build\",\"text\":\"main.go:1:1: oops\",\"title\":"
                         "\"Build failed\"},\"generation\":3}\n\n"),
              std::string::npos)
        << first;
    hub.clear();
    hub.css({"static/a.css"});
    hub.serving(4);
    EXPECT_EQ(read_all(browser.get()),
              "event: clear\ndata: {}\n\nevent: css\ndata: {\"paths\":[\"static/a.css\"]}\n\n"
              "event: serving\ndata: {\"generation\":4}\n\n");
    hub.clear();  // no error: nothing to clear
    EXPECT_EQ(read_all(browser.get()), "");
    EXPECT_EQ(hub.status_json()["streams"], 1);
    hub.close_all();
    EXPECT_EQ(hub.streams(), 0u);
    char c;
    EXPECT_EQ(::recv(browser.get(), &c, 1, MSG_DONTWAIT), 0) << "the stream ended";
}
