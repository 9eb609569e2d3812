#pragma once
// HttpParser: HTTP/1.x messages read strictly from bytes that come in any pieces, on llhttp (Node.js's
// parser) in strict mode. One parser reads one direction of one connection: the requests a client sends, or
// the responses an upstream sends back. What llhttp 8.1 lets through and the front does not is refused on
// top of it (HeadScanner for line ends, obs-fold and sizes; the checks in http_parser.cpp for versions,
// Host, transfer codings and the rest), each refusal with the status to answer (HttpError).
//
// feed() reports each message to a Handler as it goes: its head, its body bytes (chunked framing removed),
// its end. Several messages may come in one piece (pipelining): the handler pauses after one, feed()
// returns the bytes it did not read, and the caller feeds them again once it has answered. A message that
// switches protocols (Upgrade, CONNECT) stops the parser the same way, with the other protocol's bytes.

#include <memory>
#include <optional>
#include <string_view>

#include "front/header_fields.hpp"
#include "front/http_error.hpp"
#include "front/http_limits.hpp"
#include "front/http_message.hpp"

namespace hotswap {

class HttpParser {
public:
    enum class Flow { Continue, Pause };

    // Called from inside feed() and finish(). If it throws, the exception leaves feed() and the parser fails.
    class Handler {
    public:
        virtual ~Handler() = default;
        // The start line and the header fields, before any of the body. `head` stays valid until the next
        // message begins.
        virtual void on_head(const MessageHead& head) = 0;
        // The body's next bytes, any number of times; decoded when chunked.
        virtual void on_body(std::string_view bytes) = 0;
        // The message is complete. `trailers` are a chunked body's trailer fields (mostly none). Pause:
        // feed() stops right after this message.
        virtual Flow on_message_end(const HeaderFields& trailers) = 0;
    };

    enum class Status {
        Consumed,  // every byte was read; the parser waits for more, inside a message or between two
        Paused,    // the handler paused after a message; `rest` is unread: feed it again to go on
        Upgraded,  // the message switched protocols; `rest` is the other protocol's (fed again: the upgrade
                   // was refused, and HTTP goes on)
        Failed,    // refused: error() says why and what to answer; the connection cannot be read further
    };
    struct FeedResult {
        Status status = Status::Consumed;
        std::string_view rest;  // the bytes of the data fed that were not read
    };

    HttpParser(HttpDirection direction, Handler& handler, HttpLimits limits = {});
    ~HttpParser();
    HttpParser(const HttpParser&) = delete;
    HttpParser& operator=(const HttpParser&) = delete;

    FeedResult feed(std::string_view bytes);
    // The peer closed its side. That ends a response whose body runs until the close; inside any other
    // message it is an error (Truncated). Consumed when the connection ended cleanly.
    FeedResult finish();

    // Responses: the method of the request the next response answers, which the response's own fields do
    // not tell: to HEAD it has no body whatever they say, to CONNECT a 2xx makes the connection a tunnel.
    // Interim (1xx) responses keep it for the final one.
    void expect_response_to(std::string_view method);

    const std::optional<HttpError>& error() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hotswap
