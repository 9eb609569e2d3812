#pragma once
// The head of one HTTP/1.x request, parsed from the bytes received so far.

#include <cstddef>
#include <string>
#include <string_view>

struct HttpRequest {
    std::string method;
    std::string target;
    bool keep_alive = true;      // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive"
    size_t body_length = 0;      // Content-Length: the body follows the head and is skipped
    size_t head_length = 0;      // bytes of the head, blank line included
};

enum class ParseStatus { complete, incomplete, bad_request, unsupported };

struct ParseResult {
    ParseStatus status;
    HttpRequest request;
};

// Parses the request at the start of `bytes`. `incomplete` until its blank line has arrived.
ParseResult parse_http_request(std::string_view bytes);

// Heads bigger than this are refused: nothing this server answers needs more.
inline constexpr size_t kMaxHeadBytes = 16 * 1024;
