#pragma once
// What the front writes on each side of a request: the head it sends the app for a client's request, the
// head it sends the client for the app's response, and the body framing of each. Pure functions: each
// side's connection-level fields (hop-by-hop) stay on that side, and framing is chosen for the receiver.

#include <cstdint>
#include <string>
#include <string_view>

#include "front/header_fields.hpp"
#include "front/http_message.hpp"

namespace hotswap {

enum class BodyFraming {
    None,        // no body
    Length,      // Content-Length bytes
    Chunked,     // chunked coding
    UntilClose,  // a response body that ends when the connection closes (HTTP/1.0 style)
};

struct RequestContext {
    std::string_view client_address;  // the peer's IP, for X-Forwarded-For
    std::string_view front_host;      // Host for an HTTP/1.0 request that has none
    bool forwarded_headers = true;
};

// How a request's body reaches the app: as it came (Content-Length), chunked, or none.
BodyFraming request_framing(const MessageHead& request);
// "GET /a HTTP/1.1\r\n…\r\n\r\n" for the app: HTTP/1.1, hop-by-hop fields removed, framing fields for
// request_framing(), X-Forwarded-* added; an upgrade request keeps its Upgrade and Connection: Upgrade.
std::string upstream_request_head(const MessageHead& request, const RequestContext& context);

struct ResponsePlan {
    BodyFraming framing = BodyFraming::None;
    bool keep_alive = true;  // the client connection persists after this response
};
// How the response goes to the client: `bodiless` for HEAD, 1xx, 204 and 304; a body without length goes
// chunked to an HTTP/1.1 client and until the close to an HTTP/1.0 one.
ResponsePlan plan_response(const MessageHead& response, bool bodiless, HttpVersion client_version,
                           bool client_keep_alive);
// The response head for the client, with the plan's framing and connection fields, and `extra_fields`
// (whole "Name: value\r\n" lines of the front's own, such as a sticky shift's Set-Cookie) at the end.
std::string client_response_head(const MessageHead& response, const ResponsePlan& plan, HttpVersion client_version,
                                 std::string_view extra_fields = {});
// A 1xx interim response (100 Continue, 103 Early Hints) or 101 Switching Protocols, fields as they came
// (101 keeps Upgrade and Connection: they are what it says).
std::string interim_response_head(const MessageHead& response);

// The front's own answer (400, 408, 502, …): a one-line reason as its text body.
std::string front_response(int status, std::string_view reason, bool close);

// Chunked coding of one piece of body, and of its end (with trailer fields, if any).
void append_chunk(std::string& out, std::string_view bytes);
void append_last_chunk(std::string& out, const HeaderFields& trailers);

std::string_view status_reason(int status);

}  // namespace hotswap
