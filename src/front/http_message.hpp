#pragma once
// MessageHead: what an HTTP/1.x message says before its body (start line and header fields), and what the
// parser derived from it: how the body is framed, whether the connection persists, whether it switches
// protocols.

#include <cstdint>
#include <optional>
#include <string>

#include "front/header_fields.hpp"

namespace hotswap {

// Which way a parser reads: requests from a client, or responses from an upstream.
enum class HttpDirection { Request, Response };

struct HttpVersion {
    int major = 1;
    int minor = 1;
    friend bool operator==(const HttpVersion&, const HttpVersion&) = default;
};

struct MessageHead {
    // Requests: the request line, as sent (methods are case-sensitive, RFC 9110 §9.1; the target is in
    // origin form "/a?b", absolute form, "*", or authority form for CONNECT).
    std::string method;
    std::string target;
    // Responses: the status line.
    int status = 0;
    std::string reason;

    HttpVersion version;
    HeaderFields fields;

    std::optional<uint64_t> content_length;  // the body's length, when a Content-Length gives it
    bool chunked = false;                    // the body is chunked (its size comes with it)
    bool keep_alive = false;                 // another message may follow on the connection
    bool upgrade = false;                    // after this message the connection speaks another protocol
};

}  // namespace hotswap
