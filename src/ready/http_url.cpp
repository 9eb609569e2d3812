#include "ready/http_url.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/core.h>

namespace hotswap {

namespace {
Error bad(std::string_view url, std::string_view why) {
    return Error::message(
        fmt::format("invalid readiness URL \"{}\": {} (use a URL like http://127.0.0.1:8080/health)", url, why));
}
}  // namespace

Result<HttpUrl> parse_http_url(std::string_view url) {
    std::string_view rest = url;
    if (rest.substr(0, 8) == "https://")
        return bad(url, "https is not supported; probe the server's plain http port on loopback");
    if (rest.substr(0, 7) != "http://") return bad(url, "it must start with http://");
    rest.remove_prefix(7);
    auto slash = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, slash);
    std::string_view target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
    if (target.empty() || target[0] != '/') target = "/";
    if (authority.find('@') != std::string_view::npos) return bad(url, "user information is not supported");
    if (std::any_of(target.begin(), target.end(), [](char c) { return c <= ' ' || c == 127; }))
        return bad(url, "the path contains spaces or control characters; percent-encode them");

    HttpUrl out;
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority[0] == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return bad(url, "missing ']' after the IPv6 address");
        host = authority.substr(1, close - 1);
        auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return bad(url, "unexpected text after the IPv6 address");
            port = after.substr(1);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return bad(url, "the host is missing");
    if (host.find(':') != std::string_view::npos && authority[0] != '[')
        return bad(url, "an IPv6 address needs brackets, as in http://[::1]:8080/");
    if (!port.empty()) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
            return bad(url, fmt::format("\"{}\" is not a port number 1-65535", port));
        out.port = uint16_t(value);
    }
    out.host = std::string(host);
    out.target = std::string(target);
    bool v6 = out.host.find(':') != std::string::npos;
    out.host_header = v6 ? fmt::format("[{}]", out.host) : out.host;
    if (out.port != 80) out.host_header += fmt::format(":{}", out.port);
    return out;
}

}  // namespace hotswap
