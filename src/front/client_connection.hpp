#pragma once
// ClientConnection: one client's connection to the front, read as HTTP/1.x request by request (DESIGN.md
// §4a). Each request is routed on its own: the router picks the generation when its head is complete, so
// the next request on a keep-alive connection goes to the version serving *then*, and a reload never closes
// a client connection. Requests are handled one at a time in the order they came, which answers pipelined
// requests in order; the next one stays unread in the buffer until the current response is complete.
//
// A request's way through:
//   head read (header_timeout: 408)  →  route (none serving: wait, up to max_wait: 503)
//   →  upstream connection (idle one of the generation's pool, or a new one)  →  head and body sent,
//   response streamed back, both ways with back-pressure  →  connection back to the pool  →  next request.
// A connect failure is always routed again. A failure before any response byte is retried once on a new
// connection when the request is idempotent and was kept whole (≤ retry_limit); else the client gets 502.
// A 101 answer to an Upgrade request turns the connection into a tunnel to that generation.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/event_loop.hpp"
#include "core/file_descriptor.hpp"
#include "front/forwarding.hpp"
#include "front/http_parser.hpp"
#include "front/router.hpp"
#include "front/upstream_connection.hpp"

namespace hotswap {

class HttpFront;

class ClientConnection final : private HttpParser::Handler {
public:
    // `sniff`: protocol "auto": the first bytes decide whether this is HTTP or a byte stream.
    ClientConnection(HttpFront& front, uint64_t id, FileDescriptor fd, std::string peer, bool sniff);
    ~ClientConnection() override;
    ClientConnection(const ClientConnection&) = delete;
    ClientConnection& operator=(const ClientConnection&) = delete;

    void start();
    uint64_t id() const { return id_; }
    // A request waiting for a generation: routed again now (the routes changed).
    void route_again();
    // The generation its request or tunnel is on; 0 when none.
    int generation() const { return ticket_ ? ticket_->generation() : 0; }
    // hotswap stops: an idle connection closes now, a busy one after its response.
    void close_when_idle();
    // Its generation's drain timed out: the request or tunnel on it is cut off.
    void abort();

private:
    enum class Phase {
        Sniff,       // auto: waiting for the first bytes to tell HTTP from anything else
        Idle,        // between requests
        Head,        // a request head is coming in
        Waiting,     // the head is in; waiting for a generation (or a moment before trying again)
        Connecting,  // an upstream connection is being opened
        Exchange,    // the request goes up, the response comes down
        Tunnel,      // after 101: bytes both ways
        Closing,     // the last bytes go out, then the connection closes
        Done,
    };

    // The passes of one wake-up, repeated until nothing moves.
    void pump();
    bool read_client();
    bool feed_requests();
    bool move_upstream();
    bool read_response();
    bool move_tunnel();
    bool write_client();
    void settle();

    void sniff();
    void on_client_event(uint32_t events);
    void on_upstream_event();

    // Routing and the upstream connection.
    void route();
    // A sticky shift's choice: the generation this client went to before, while it still takes new requests.
    std::optional<int> sticky_choice() const;
    void remember_choice(int generation);
    // `pause`: try again after it (else after the growing backoff); a change of routes ends it early.
    void wait_for_route(std::optional<Duration> pause = std::nullopt);
    void connect_failed();
    void upstream_failed(std::string_view why);
    bool can_retry() const;
    void append_upstream(std::string_view bytes);
    void maybe_complete();

    void start_tunnel();
    void end_ticket_failed();

    // Live reload: the front's own answers under /__hotswap/, and a page held while its script goes in.
    void serve_local();
    void release_held(bool with_script);

    // Answers of the front's own, and the end.
    void answer_error(int status, std::string_view reason);
    void close_after_output();
    void close_now();
    void enter_head();
    void enter_idle();
    void watch_deadlines();
    void on_deadline();
    void log_access(int status);

    // HttpParser::Handler: the client's requests.
    void on_head(const MessageHead& head) override;
    void on_body(std::string_view bytes) override;
    HttpParser::Flow on_message_end(const HeaderFields& trailers) override;

    // The upstream's responses.
    struct ResponseSide final : HttpParser::Handler {
        explicit ResponseSide(ClientConnection& c) : c(c) {}
        void on_head(const MessageHead& head) override;
        void on_body(std::string_view bytes) override;
        HttpParser::Flow on_message_end(const HeaderFields& trailers) override;
        ClientConnection& c;
    };

    HttpFront& front_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // what a pump continued later checks first
    uint64_t id_;
    FileDescriptor fd_;
    std::string peer_;
    bool registered_ = false;
    bool readable_ = false, writable_ = false;
    bool client_eof_ = false;
    bool hangup_seen_ = false;  // the client's FIN (or an error) was reported: read until it shows
    bool close_after_ = false;  // no further request on this connection
    Phase phase_;

    std::string in_;  // read from the client, not yet parsed
    size_t in_pos_ = 0;
    std::string out_;  // for the client, not yet written
    size_t out_sent_ = 0;
    HttpParser requests_;
    ResponseSide response_side_{*this};
    EventLoop::Timer deadline_timer_;  // the idle connection's and the slow head's deadlines
    EventLoop::Timer linger_timer_;    // Closing: the end of the lingering close
    Clock::time_point idle_since_{}, head_since_{};
    bool sniff_partial_ = false;       // Sniff: some bytes came, not enough to tell
    EventLoop::Timer retry_timer_;  // Waiting: the next try

    // The request under way.
    std::string method_, target_;
    HttpVersion version_;
    bool request_keep_alive_ = true;
    bool request_upgrade_ = false;
    bool request_done_ = false;     // the whole request was read
    bool idempotent_ = false;
    std::string to_upstream_;       // framed bytes for the app, not yet handed to the connection
    std::string replay_;            // everything sent for this request, while it may be retried
    bool replayable_ = false;
    bool sent_any_ = false;         // bytes of it reached the current upstream connection
    bool retried_ = false;
    int attempts_ = 0;
    int avoid_generation_ = 0;  // the generation a retry does not go back to before avoid_until_
    Clock::time_point avoid_until_{};
    bool chunked_up_ = false;       // its body goes up chunked
    bool has_body_ = false;         // it has a body (Content-Length or chunked)
    Clock::time_point started_{};
    Clock::time_point waiting_since_{};
    Duration backoff_{0};
    std::optional<Router::Ticket> ticket_;
    Clock::time_point routed_at_{};  // when the current ticket began: the start of its latency
    double head_latency_ms_ = -1;    // to the final response head; < 0: none yet
    int sticky_generation_ = 0;      // [shift] sticky: where this connection's requests went during the shift
    int cookie_generation_ = 0;      // the generation the request's sticky cookie names (0: none)
    std::string set_cookie_;         // a Set-Cookie line for the response, when the client must learn its version
    std::unique_ptr<UpstreamConnection> upstream_;

    // Its response.
    bool response_started_ = false;  // a byte came back: never sent anywhere again
    bool head_sent_ = false;
    bool last_head_interim_ = false;
    bool response_done_ = false;
    bool tunnel_ = false;            // a 101 came back
    int status_ = 0;
    ResponsePlan plan_;
    bool upstream_keep_alive_ = false;
    int last_generation_ = 0;        // for the access line, once the ticket ended
    std::string refusal_;            // a request the front answers itself (501), once the parser returns
    enum class Local { None, Script, Worker, Events, Unknown };
    Local local_ = Local::None;      // live reload: a request under /__hotswap/, answered once it is read
    bool inject_ = false;            // live reload: a page request, whose HTML answer gets the script
    bool injecting_ = false;         // that answer is held until its end, then sent with the script
    MessageHead held_head_;
    std::string held_body_;
    bool upstream_eof_ = false;      // Tunnel: the app closed its side
    bool upstream_shut_ = false, client_shut_ = false;
};

}  // namespace hotswap
