#include "ready/ready_spec.hpp"

#include <charconv>

#include <fmt/core.h>

#include "net/listen_address.hpp"
#include "ready/http_url.hpp"
#include "ready/std_regex.hpp"

namespace hotswap {

namespace {

constexpr std::string_view kForms = "notify, http:URL, tcp:ADDR, log:REGEX or delay:MS";

Result<Duration> parse_delay(std::string_view text) {
    unsigned long ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    // A bare number is milliseconds here: "delay:500" has only one sensible reading.
    if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) return Duration(ms);
    auto d = parse_duration(text);
    if (!d.ok())
        return Error::message(fmt::format(
            "invalid readiness delay \"{}\": use a number of milliseconds or a duration (delay:500, delay:2s)", text));
    return d.value();
}

}  // namespace

std::string_view to_string(ReadyKind kind) {
    switch (kind) {
        case ReadyKind::Notify: return "notify";
        case ReadyKind::Http: return "http";
        case ReadyKind::Tcp: return "tcp";
        case ReadyKind::Log: return "log";
        case ReadyKind::Delay: return "delay";
    }
    return "?";
}

std::string to_string(const ReadySpec& spec) {
    switch (spec.kind) {
        case ReadyKind::Notify: return "notify";
        case ReadyKind::Http: return "http:" + spec.url;
        case ReadyKind::Tcp: return "tcp:" + spec.address;
        case ReadyKind::Log: return "log:" + spec.pattern;
        case ReadyKind::Delay: return fmt::format("delay:{}", spec.delay.count());
    }
    return "?";
}

Result<ReadySpec> parse_ready_spec(std::string_view text) {
    ReadySpec spec;
    spec.is_default = false;
    // A URL as typed (http://127.0.0.1:8080/health) is an http probe, the same as http:URL; https:// is
    // passed on so that parse_http_url can say why it is not supported.
    if (text.starts_with("http://") || text.starts_with("https://")) {
        spec.kind = ReadyKind::Http;
        HS_TRY(url, parse_http_url(text));
        (void)url;
        spec.url = std::string(text);
        return spec;
    }
    auto colon = text.find(':');
    std::string_view kind = text.substr(0, colon);
    std::string_view arg = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
    bool has_arg = colon != std::string_view::npos;

    if (kind == "notify") {
        if (has_arg) return Error::message(fmt::format("readiness \"{}\": notify takes no argument (write just notify)", text));
        spec.kind = ReadyKind::Notify;
        return spec;
    }
    if (kind == "http") {
        spec.kind = ReadyKind::Http;
        HS_TRY(url, parse_http_url(arg));
        (void)url;
        spec.url = std::string(arg);
        return spec;
    }
    if (kind == "tcp") {
        spec.kind = ReadyKind::Tcp;
        if (arg.empty())
            return Error::message("readiness tcp: needs an address to connect to (tcp:127.0.0.1:8080)");
        HS_TRY(address, parse_listen_address(arg));
        if (address.kind == ListenAddress::Kind::Tcp && address.port == 0)
            return Error::message(fmt::format("readiness \"{}\": port 0 cannot be connected to; name the port", text));
        spec.address = std::string(arg);
        return spec;
    }
    if (kind == "log") {
        spec.kind = ReadyKind::Log;
        if (arg.empty())
            return Error::message("readiness log: needs a regular expression (log:listening on)");
        try {
            std::regex check(arg.begin(), arg.end(), std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            return Error::message(fmt::format(
                "readiness \"{}\": invalid regular expression ({}); ECMAScript syntax, e.g. log:listening on", text,
                e.what()));
        }
        spec.pattern = std::string(arg);
        return spec;
    }
    if (kind == "delay") {
        spec.kind = ReadyKind::Delay;
        HS_TRY(delay, parse_delay(arg));
        spec.delay = delay;
        return spec;
    }
    return Error::message(fmt::format("unknown readiness \"{}\": use {}", text, kForms));
}

}  // namespace hotswap
