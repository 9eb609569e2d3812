#include "http_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "Connection: keep-alive, Upgrade" holds `token`?
bool has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        size_t comma = list.find(',');
        if (equals_ignoring_case(trim(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

ParseResult parse_http_request(std::string_view bytes) {
    size_t end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos)
        return {bytes.size() > kMaxHeadBytes ? ParseStatus::bad_request : ParseStatus::incomplete, {}};
    HttpRequest request;
    request.head_length = end + 4;
    std::string_view head = bytes.substr(0, end);

    // Request line: METHOD SP target SP HTTP/1.x
    size_t line_end = std::min(head.find("\r\n"), head.size());
    std::string_view line = head.substr(0, line_end);
    size_t first = line.find(' '), last = line.rfind(' ');
    if (first == std::string_view::npos || first == last) return {ParseStatus::bad_request, {}};
    request.method = std::string(line.substr(0, first));
    request.target = std::string(line.substr(first + 1, last - first - 1));
    std::string_view version = line.substr(last + 1);
    if (version == "HTTP/1.0") request.keep_alive = false;
    else if (version != "HTTP/1.1") return {ParseStatus::bad_request, {}};

    // Header fields: only the ones that decide how the connection goes on.
    std::string_view rest = line_end < head.size() ? head.substr(line_end + 2) : std::string_view();
    while (!rest.empty()) {
        size_t next = rest.find("\r\n");
        std::string_view field = rest.substr(0, next);
        rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 2);
        size_t colon = field.find(':');
        if (colon == std::string_view::npos) return {ParseStatus::bad_request, {}};
        std::string_view name = field.substr(0, colon), value = trim(field.substr(colon + 1));
        if (equals_ignoring_case(name, "Connection")) {
            if (has_token(value, "close")) request.keep_alive = false;
            else if (has_token(value, "keep-alive")) request.keep_alive = true;
        } else if (equals_ignoring_case(name, "Content-Length")) {
            auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), request.body_length);
            if (ec != std::errc() || ptr != value.data() + value.size()) return {ParseStatus::bad_request, {}};
        } else if (equals_ignoring_case(name, "Transfer-Encoding")) {
            return {ParseStatus::unsupported, {}};  // chunked request bodies: not needed by this example
        }
    }
    return {ParseStatus::complete, std::move(request)};
}
