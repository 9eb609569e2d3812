// libFuzzer: the front's request path, as ClientConnection runs it (on_head, on_body, on_message_end):
// a client's bytes → HttpParser → upstream_request_head and the body framed for the app → the bytes the
// app reads, parsed again by a strict parser as the app would. The app must see the very requests the front
// read, no more and no fewer (a request smuggled past the front shows as one more or a body cut short):
// each with the same method, target, body and trailers, the same end-to-end fields, the X-Forwarded-* the
// front adds, and Host, as HTTP/1.1.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "front/forwarding.hpp"
#include "front/http_parser.hpp"
#include "front/http_rules.hpp"

namespace {

using hotswap::HeaderField;
using hotswap::HeaderFields;
using hotswap::HttpDirection;
using hotswap::HttpParser;
using hotswap::MessageHead;

constexpr std::string_view client_address = "127.0.0.1";
constexpr std::string_view front_host = "front.test";

struct Request {
    MessageHead head;
    std::string body;
    HeaderFields trailers;
    bool complete = false;
};

// A broken invariant: says which, then aborts (libFuzzer keeps the input).
void require(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "front_request: %s\n", what);
    std::abort();
}

bool is_named(const HeaderField& f, std::string_view name) { return hotswap::equals_ignoring_case(f.name, name); }

// The front's side: what ClientConnection sends up for each request it reads.
class Front : public HttpParser::Handler {
public:
    void on_head(const MessageHead& head) override {
        requests.push_back({head, {}, {}, false});
        last_head_at = upstream.size();
        connect = head.method == "CONNECT";  // refused by the front: nothing goes up
        if (connect) return;
        chunked_up = hotswap::request_framing(head) == hotswap::BodyFraming::Chunked;
        hotswap::RequestContext context{.client_address = client_address, .front_host = front_host,
                                        .forwarded_headers = true};
        upstream += hotswap::upstream_request_head(head, context);
    }
    void on_body(std::string_view bytes) override {
        requests.back().body.append(bytes);
        if (connect) return;
        if (chunked_up) hotswap::append_chunk(upstream, bytes);
        else upstream.append(bytes);
    }
    HttpParser::Flow on_message_end(const HeaderFields& trailers) override {
        requests.back().trailers = trailers;
        requests.back().complete = true;
        if (!connect && chunked_up) hotswap::append_last_chunk(upstream, trailers);
        return HttpParser::Flow::Pause;
    }

    std::vector<Request> requests;
    std::string upstream;
    size_t last_head_at = 0;  // where the last request's bytes begin in `upstream`
    bool chunked_up = false;
    bool connect = false;
};

// The app's side: what a strict server reads from those bytes.
class App : public HttpParser::Handler {
public:
    void on_head(const MessageHead& head) override { requests.push_back({head, {}, {}, false}); }
    void on_body(std::string_view bytes) override { requests.back().body.append(bytes); }
    HttpParser::Flow on_message_end(const HeaderFields& trailers) override {
        requests.back().trailers = trailers;
        requests.back().complete = true;
        return HttpParser::Flow::Continue;
    }
    std::vector<Request> requests;
};

// A field of one hop: the fixed ones and those Connection names, except the two a message cannot do
// without (dropping Content-Length makes the body the app's next request, dropping Host re-routes it).
bool of_one_hop(const HeaderField& f, const HeaderFields& fields) {
    if (is_named(f, "Content-Length") || is_named(f, "Host")) return false;
    return hotswap::is_hop_by_hop(f.name, fields);
}

// Fields an end-to-end reader compares: without those of one hop, and without X-Forwarded-For (merged into
// one by the front); in order.
std::vector<std::string> end_to_end(const HeaderFields& fields, const HeaderFields* added_by_front_for) {
    std::vector<std::string> out;
    for (const HeaderField& f : fields) {
        if (of_one_hop(f, fields) || is_named(f, "X-Forwarded-For")) continue;
        // On the app's side: what the front adds when the client did not send it.
        if (added_by_front_for) {
            bool added = false;
            for (std::string_view name : {"Host", "X-Forwarded-Proto", "X-Forwarded-Host"}) {
                if (is_named(f, name) && !added_by_front_for->find(name)) added = true;
            }
            if (added) continue;
        }
        out.push_back(f.name + ": " + f.value);
    }
    return out;
}

std::string joined(const HeaderFields& fields, std::string_view name) {
    std::string out;
    for (const HeaderField& f : fields) {
        if (!is_named(f, name)) continue;
        if (!out.empty()) out += ", ";
        out += f.value;
    }
    return out;
}

void check_same(const Request& sent, const Request& got) {
    const MessageHead& a = sent.head;
    const MessageHead& b = got.head;
    require(a.method == b.method && a.target == b.target, "the app got another method or target");
    require(b.version == hotswap::HttpVersion{1, 1}, "the app was not spoken to in HTTP/1.1");
    require(!sent.complete || sent.body == got.body, "the app got another body");
    require(end_to_end(a.fields, nullptr) == end_to_end(b.fields, &a.fields), "the app got other end-to-end fields");
    require(b.fields.count("Host") == 1, "the app did not get exactly one Host");
    // The client's address after any the client sent.
    std::string want_for = joined(a.fields, "X-Forwarded-For");
    want_for += want_for.empty() ? "" : ", ";
    want_for += client_address;
    require(joined(b.fields, "X-Forwarded-For") == want_for, "X-Forwarded-For is not the client's after the earlier ones");
    require(b.fields.find("X-Forwarded-Proto") && b.fields.find("X-Forwarded-Host"), "no X-Forwarded-Proto or -Host");
    require(!sent.complete || end_to_end(sent.trailers, nullptr) == end_to_end(got.trailers, nullptr), "the app got other trailers");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    Front front;
    HttpParser client_side(HttpDirection::Request, front);
    std::string pending(input);
    bool tunnel = false;
    while (true) {
        auto result = client_side.feed(pending);
        if (result.status == HttpParser::Status::Paused) {
            pending = std::string(result.rest);
            if (front.connect) break;  // the front answers 501 and reads no further
            continue;
        }
        tunnel = result.status == HttpParser::Status::Upgraded;
        if (result.status == HttpParser::Status::Failed && !front.requests.empty() && !front.requests.back().complete) {
            // Refused inside a request: the front answers the client and drops that upstream connection, so
            // the app never gets that request whole. Only the requests before it are compared.
            front.requests.pop_back();
            front.upstream.resize(front.last_head_at);
        }
        break;
    }
    if (front.requests.empty()) return 0;
    // What went up: every request before a CONNECT (which the front refuses, and stops at).
    std::vector<Request> forwarded;
    for (const auto& r : front.requests) {
        if (r.head.method == "CONNECT") break;
        forwarded.push_back(r);
    }

    App app;
    // The app's limits do not bind here: the front's additions may take a head over the front's own.
    hotswap::HttpLimits roomy{.max_start_line = 1 << 20, .max_field_bytes = 1 << 22, .max_field_count = 1 << 16,
                              .max_chunk_extension_bytes = 1 << 20};
    HttpParser app_side(HttpDirection::Request, app, roomy);
    auto result = app_side.feed(front.upstream);
    // A strict parser takes whatever the front sends: the front never writes what it would refuse itself.
    require(result.status != HttpParser::Status::Failed, "a strict parser refuses what the front sends the app");
    bool app_tunnel = result.status == HttpParser::Status::Upgraded;
    require(!app_tunnel || result.rest.empty(), "bytes went up after an upgrade request");

    // The same requests: the app may have the last one only in part (its body was still coming).
    size_t complete = 0;
    for (const auto& r : forwarded) complete += r.complete;
    size_t app_complete = 0;
    for (const auto& r : app.requests) app_complete += r.complete;
    require(app.requests.size() == forwarded.size() && app_complete == complete, "the app read other requests than the front forwarded (smuggling)");
    require(tunnel == app_tunnel || forwarded.size() != front.requests.size(), "the front and the app disagree on an upgrade");
    for (size_t i = 0; i < forwarded.size(); ++i) check_same(forwarded[i], app.requests[i]);
    return 0;
}
