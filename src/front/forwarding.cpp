#include "front/forwarding.hpp"

#include <fmt/core.h>

#include "front/http_rules.hpp"

namespace hotswap {

namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

// A field named in Connection is hop-by-hop, except those the message cannot do without: dropping its
// Content-Length would make its body the receiver's next message, dropping Host would re-route it.
bool stays_on_this_hop(std::string_view name, const HeaderFields& fields) {
    if (equals_ignoring_case(name, "Content-Length") || equals_ignoring_case(name, "Host")) return false;
    return is_hop_by_hop(name, fields);
}

void append_status_line(std::string& out, const MessageHead& response) {
    char status[4] = {char('0' + response.status / 100 % 10), char('0' + response.status / 10 % 10),
                      char('0' + response.status % 10), ' '};
    out.append("HTTP/1.1 ").append(status, sizeof status).append(response.reason).append("\r\n");
}

}  // namespace

BodyFraming request_framing(const MessageHead& request) {
    if (request.chunked) return BodyFraming::Chunked;
    if (request.content_length && *request.content_length > 0) return BodyFraming::Length;
    return BodyFraming::None;  // a request without Content-Length or chunked has no body (RFC 9112 §6.3)
}

std::string upstream_request_head(const MessageHead& request, const RequestContext& context) {
    std::string out;
    out.reserve(256 + request.target.size() + request.fields.size() * 48);
    out.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
    // Every Upgrade line's protocols, as one list: the first line alone may be empty, and the app must see
    // the upgrade the front saw.
    std::string protocols;
    for (std::string_view p : request.fields.list("Upgrade")) protocols.append(protocols.empty() ? "" : ", ").append(p);
    const bool upgrade = request.upgrade && !protocols.empty();
    std::string forwarded_for;
    for (const HeaderField& f : request.fields) {
        if (stays_on_this_hop(f.name, request.fields)) continue;
        if (context.forwarded_headers && equals_ignoring_case(f.name, "X-Forwarded-For")) {
            // Earlier proxies' addresses come first; this client's is added at the end.
            forwarded_for.append(forwarded_for.empty() ? "" : ", ").append(f.value);
            continue;
        }
        append_field(out, f.name, f.value);
    }
    if (!request.fields.find("Host")) append_field(out, "Host", context.front_host);
    if (request_framing(request) == BodyFraming::Chunked) append_field(out, "Transfer-Encoding", "chunked");
    if (upgrade) {
        append_field(out, "Connection", "Upgrade");
        append_field(out, "Upgrade", protocols);
    }
    if (context.forwarded_headers) {
        forwarded_for.append(forwarded_for.empty() ? "" : ", ").append(context.client_address);
        append_field(out, "X-Forwarded-For", forwarded_for);
        // Set by a proxy in front of this one, they stay as that proxy saw them.
        if (!request.fields.find("X-Forwarded-Proto")) append_field(out, "X-Forwarded-Proto", "http");
        if (!request.fields.find("X-Forwarded-Host"))
            append_field(out, "X-Forwarded-Host", request.fields.find("Host").value_or(context.front_host));
    }
    out.append("\r\n");
    return out;
}

ResponsePlan plan_response(const MessageHead& response, bool bodiless, HttpVersion client_version,
                           bool client_keep_alive) {
    ResponsePlan plan;
    plan.keep_alive = client_keep_alive;
    if (bodiless) plan.framing = BodyFraming::None;
    else if (response.chunked) plan.framing = BodyFraming::Chunked;
    else if (response.content_length) plan.framing = BodyFraming::Length;
    else plan.framing = BodyFraming::Chunked;  // runs until the app closes: re-framed, so the client may stay
    // An HTTP/1.0 client knows no chunked coding: the body ends with the connection.
    if (plan.framing == BodyFraming::Chunked && client_version.minor == 0) {
        plan.framing = BodyFraming::UntilClose;
        plan.keep_alive = false;
    }
    return plan;
}

std::string client_response_head(const MessageHead& response, const ResponsePlan& plan, HttpVersion client_version,
                                 std::string_view extra_fields) {
    std::string out;
    out.reserve(128 + response.fields.size() * 48);
    append_status_line(out, response);
    for (const HeaderField& f : response.fields) {
        if (stays_on_this_hop(f.name, response.fields)) continue;
        append_field(out, f.name, f.value);
    }
    if (plan.framing == BodyFraming::Chunked) append_field(out, "Transfer-Encoding", "chunked");
    if (!plan.keep_alive) append_field(out, "Connection", "close");
    else if (client_version.minor == 0) append_field(out, "Connection", "keep-alive");
    out.append(extra_fields);
    out.append("\r\n");
    return out;
}

std::string interim_response_head(const MessageHead& response) {
    std::string out;
    append_status_line(out, response);
    const bool switching = response.status == 101;
    for (const HeaderField& f : response.fields) {
        const bool keep = switching && (equals_ignoring_case(f.name, "Upgrade") || equals_ignoring_case(f.name, "Connection"));
        if (!keep && is_hop_by_hop(f.name, response.fields)) continue;
        append_field(out, f.name, f.value);
    }
    out.append("\r\n");
    return out;
}

std::string front_response(int status, std::string_view reason, bool close) {
    std::string body = fmt::format("{} {}: {}\n", status, status_reason(status), reason);
    return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n{}\r\n{}",
                       status, status_reason(status), body.size(), close ? "Connection: close\r\n" : "", body);
}

void append_chunk(std::string& out, std::string_view bytes) {
    if (bytes.empty()) return;  // an empty chunk would end the body
    out.append(fmt::format("{:x}\r\n", bytes.size()));
    out.append(bytes);
    out.append("\r\n");
}

void append_last_chunk(std::string& out, const HeaderFields& trailers) {
    out.append("0\r\n");
    for (const HeaderField& f : trailers) append_field(out, f.name, f.value);
    out.append("\r\n");
}

std::string_view status_reason(int status) {
    switch (status) {
    case 400: return "Bad Request";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

}  // namespace hotswap
