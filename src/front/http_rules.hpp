#pragma once
// What HTTP says about a message beyond its syntax, for a proxy: which fields belong to one connection and
// are not forwarded, which requests may be sent again, whether a client waits before sending its body.
// Whether a connection persists after a message is llhttp's rule: MessageHead::keep_alive.

#include <string_view>

#include "front/header_fields.hpp"
#include "front/http_message.hpp"

namespace hotswap {

// Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade (RFC 9110 §7.6.1), in
// any case.
bool is_hop_by_hop(std::string_view name);
// Those, and every field the message's Connection header names ("Connection: close, X-Trace" makes X-Trace
// hop-by-hop).
bool is_hop_by_hop(std::string_view name, const HeaderFields& fields);

// Whether sending the request twice has the effect of sending it once (RFC 9110 §9.2.2: GET, HEAD, OPTIONS,
// TRACE, PUT, DELETE), or the client made it so with an Idempotency-Key: then it may be retried on another
// connection when the first failed before any response byte.
bool is_idempotent(std::string_view method, const HeaderFields& fields);

// The client sent the head alone and waits for "100 Continue" before its body (RFC 9110 §10.1.1).
bool expects_continue(const MessageHead& request);

}  // namespace hotswap
