#pragma once
// HttpError: why a message was refused, and the status the front answers for it. A client's bad request
// gets the 4xx/5xx that names the problem; an upstream's bad response is the front's 502 whatever it was.

#include <string>

#include "front/http_message.hpp"

namespace hotswap {

enum class HttpErrorKind {
    Malformed,                // 400: not HTTP/1.x syntax (tokens, target, chunk framing, Host)
    Smuggling,                // 400: framing two parsers could read differently: Content-Length with
                              //      Transfer-Encoding, duplicate or invalid Content-Length, Transfer-Encoding
                              //      not ending in chunked, a lone CR or LF as line end, obs-fold
    DataAfterClose,           // 400: bytes after a message that closes the connection
    Truncated,                // 400: the connection ended inside a message
    StartLineTooLong,         // 414
    FieldsTooLarge,           // 431: header (or trailer) section bytes or field count
    ChunkExtensionsTooLarge,  // 413
    UnknownMethod,            // 501
    UnsupportedCoding,        // 501: a transfer coding besides chunked
    UnsupportedVersion,       // 505: anything but HTTP/1.0 and HTTP/1.1, the HTTP/2 preface included
    HandlerFailed,            // 500: the code handling the message threw
};

struct HttpError {
    HttpErrorKind kind = HttpErrorKind::Malformed;
    int status = 400;    // what the front answers
    std::string reason;  // one line, for the log and the answer's body
};

HttpError http_error(HttpErrorKind kind, HttpDirection direction, std::string reason);

}  // namespace hotswap
