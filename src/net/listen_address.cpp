#include "net/listen_address.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/core.h>

namespace hotswap {

namespace {

constexpr std::string_view kForms =
    "use tcp://127.0.0.1:8080, 127.0.0.1:8080, :8080, [::1]:8080 or unix:///path/to/socket";

Error bad(std::string_view spec, std::string_view why) {
    return Error::message(fmt::format("invalid listen address \"{}\": {} ({})", spec, why, kForms));
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

Result<uint16_t> parse_port(std::string_view spec, std::string_view text) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535)
        return bad(spec, fmt::format("\"{}\" is not a port number 0-65535", text));
    return uint16_t(value);
}

Result<ListenAddress> parse_unix(std::string_view spec, std::string_view rest) {
    // "unix:///abs" carries an empty authority; "unix:rel" and "unix:/abs" are accepted as written.
    if (starts_with(rest, "//")) rest.remove_prefix(2);
    if (rest.empty() || rest == "@") return bad(spec, "the socket path is empty");
    // sun_path holds 108 bytes including the terminating NUL (or the leading NUL of an abstract name).
    if (rest.size() > 107) return bad(spec, "the socket path is longer than 107 bytes; use a shorter path");
    if (rest.find('\0') != std::string_view::npos) return bad(spec, "the socket path contains a NUL byte");
    ListenAddress a;
    a.kind = ListenAddress::Kind::Unix;
    a.path = std::string(rest);
    return a;
}

Result<ListenAddress> parse_tcp(std::string_view spec, std::string_view rest) {
    ListenAddress a;
    a.kind = ListenAddress::Kind::Tcp;
    std::string_view host;
    std::string_view port;
    if (starts_with(rest, "[")) {
        auto close = rest.find(']');
        if (close == std::string_view::npos) return bad(spec, "missing ']' after the IPv6 address");
        host = rest.substr(1, close - 1);
        if (host.empty()) return bad(spec, "empty IPv6 address between [ and ]");
        auto after = rest.substr(close + 1);
        if (!starts_with(after, ":")) return bad(spec, "missing :PORT after the IPv6 address");
        port = after.substr(1);
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) {
            // A bare port ("8080") means every interface, as systemd's ListenStream=8080 does.
            port = rest;
        } else {
            host = rest.substr(0, colon);
            port = rest.substr(colon + 1);
            if (host.find(':') != std::string_view::npos)
                return bad(spec, "an IPv6 address needs brackets, as in [::1]:8080");
        }
        if (host == "*") host = {};
    }
    if (port.empty()) return bad(spec, "missing port");
    HS_TRY(number, parse_port(spec, port));
    a.port = number;
    bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
               c == ':' || c == '_' || c == '%';
    });
    if (!host_ok) return bad(spec, fmt::format("\"{}\" is not a host name or IP address", host));
    a.host = std::string(host);
    return a;
}

}  // namespace

bool valid_listener_name(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127 && c != ':'; });
}

Result<ListenAddress> parse_listen_address(std::string_view spec) {
    std::string_view rest = spec;
    std::string name{kDefaultListenerName};
    // "NAME=ADDR": the name part is recognised only before any ':' or '/', so an address holding '='
    // (a unix path) is never mistaken for a name.
    auto eq = rest.find('=');
    if (eq != std::string_view::npos && rest.substr(0, eq).find_first_of(":/[") == std::string_view::npos) {
        auto candidate = rest.substr(0, eq);
        if (!valid_listener_name(candidate))
            return bad(spec, fmt::format("\"{}\" is not a valid name (letters, digits, '-', '_', no ':')", candidate));
        name = std::string(candidate);
        rest.remove_prefix(eq + 1);
    }
    if (rest.empty()) return bad(spec, "the address is empty");

    auto named = [&](Result<ListenAddress> parsed) {
        if (parsed.ok()) parsed->name = std::move(name);
        return parsed;
    };
    if (starts_with(rest, "unix:")) return named(parse_unix(spec, rest.substr(5)));
    if (starts_with(rest, "tcp://")) return named(parse_tcp(spec, rest.substr(6)));
    if (auto scheme = rest.find("://"); scheme != std::string_view::npos)
        return bad(spec, fmt::format("unknown scheme \"{}\"", rest.substr(0, scheme)));
    return named(parse_tcp(spec, rest));
}

std::string ListenAddress::host_port() const {
    if (kind == Kind::Unix) return path;
    if (host.empty()) return fmt::format(":{}", port);
    if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
    return fmt::format("{}:{}", host, port);
}

std::string ListenAddress::display() const {
    if (kind == Kind::Unix) return path.starts_with('@') ? "unix:" + path : "unix://" + path;
    if (host.empty()) return fmt::format("tcp://*:{}", port);
    return "tcp://" + host_port();
}

}  // namespace hotswap
