#pragma once
// Whether a client connection speaks HTTP/1.x, from its first bytes ([proxy] protocol = "auto"). A request
// line begins with a method, an upper-case token, and a space; the HTTP/2 preface ("PRI * HTTP/2.0"), a TLS
// handshake (0x16…) and other protocols do not.

#include <string_view>

namespace hotswap {

enum class ProtocolGuess { NeedMore, Http, Other };

// Decided within the first 24 bytes; empty lines before a request line are allowed (RFC 9112 §2.2).
ProtocolGuess guess_protocol(std::string_view first_bytes);
constexpr size_t kProtocolGuessBytes = 24;

}  // namespace hotswap
