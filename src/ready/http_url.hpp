#pragma once
// HttpUrl: the parts of an http:// URL a readiness probe needs. Plain HTTP only: a probe talks to the
// generation on loopback, where TLS buys nothing.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace hotswap {

struct HttpUrl {
    std::string host;         // without brackets: "127.0.0.1", "::1", "localhost"
    uint16_t port = 80;
    std::string target = "/";  // path and query, as sent in the request line
    std::string host_header;  // "127.0.0.1:8080", "[::1]:8080"
};

Result<HttpUrl> parse_http_url(std::string_view url);

}  // namespace hotswap
