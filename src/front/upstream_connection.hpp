#pragma once
// UpstreamConnection: one keep-alive connection from the front to one generation's private address. It
// owns the socket (non-blocking, edge-triggered in the event loop), the bytes waiting to be written, and the
// parser of the responses that come back, which lives as long as the connection. Between requests it sits
// idle in its generation's UpstreamPool; during one, the client connection it serves drives it.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "front/http_parser.hpp"
#include "front/socket_io.hpp"
#include "net/socket_address.hpp"

namespace hotswap {

class UpstreamConnection final : private HttpParser::Handler {
public:
    using Io = SocketIo;

    // Starts a non-blocking connect to the first of `addresses` that takes one; null when none can even
    // start (no socket): a connect failure like a refusal.
    static std::unique_ptr<UpstreamConnection> open(EventLoop& loop, int generation,
                                                    std::span<const SocketAddress> addresses);
    UpstreamConnection(EventLoop& loop, int generation, std::vector<SocketAddress> addresses);
    ~UpstreamConnection() override;
    UpstreamConnection(const UpstreamConnection&) = delete;
    UpstreamConnection& operator=(const UpstreamConnection&) = delete;

    int generation() const { return generation_; }
    // Whoever holds it now is told of each event (the pool while idle, a client connection while busy).
    void set_on_event(std::function<void()> on_event) { on_event_ = std::move(on_event); }
    // The parser's handler while a response is read.
    void set_response_handler(HttpParser::Handler* handler) { handler_ = handler; }

    // Connecting: call after each event until it is done. Moved: connected; Blocked: still connecting;
    // Failed: no address took it.
    Io finish_connect();
    bool connecting() const { return connecting_; }
    // Has carried a whole exchange before: a failure on it may be the app closing an idle connection.
    bool reused() const { return reused_; }
    void mark_reused() { reused_ = true; }

    // Writing: `bytes` are queued, flush() sends what it can.
    void queue(std::string_view bytes) { out_.append(bytes); }
    std::string& out_buffer() { return out_; }
    size_t pending() const { return out_.size() - out_sent_; }
    Io flush();
    void shutdown_write();

    // Reading: bytes go to the response parser (and so to the handler). `result` is the parser's word on
    // the last piece read (Paused: a response ended; Upgraded: the rest is the tunnel's).
    Io read(HttpParser::FeedResult& result, size_t max_bytes);
    // Reading raw bytes (a tunnel), into `to`.
    Io read_raw(std::string& to, size_t max_bytes);
    HttpParser& parser() { return parser_; }
    // Unread bytes that came after the last parsed message (a tunnel's first bytes after a 101).
    std::string take_leftover() { return std::move(leftover_); }

    // An idle connection is readable: the app closed it (or sent what it must not). Drains what is there;
    // true when it is still usable.
    bool still_idle_usable();

private:
    bool start_connect();
    void on_epoll(uint32_t events);
    // HttpParser::Handler, forwarded to the response handler.
    void on_head(const MessageHead& head) override;
    void on_body(std::string_view bytes) override;
    HttpParser::Flow on_message_end(const HeaderFields& trailers) override;

    EventLoop& loop_;
    int generation_;
    std::vector<SocketAddress> addresses_;
    size_t address_index_ = 0;
    FileDescriptor fd_;
    bool registered_ = false;
    bool connecting_ = false;
    bool readable_ = false, writable_ = false;
    bool reused_ = false;
    bool hangup_seen_ = false;  // the app's FIN (or an error) was reported: read until it shows
    std::string out_;
    size_t out_sent_ = 0;
    std::string leftover_;
    HttpParser parser_;
    HttpParser::Handler* handler_ = nullptr;
    std::function<void()> on_event_;
};

}  // namespace hotswap
