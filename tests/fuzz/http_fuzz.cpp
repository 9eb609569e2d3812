// libFuzzer: a client's bytes → HttpParser (an input that starts with "HTTP/" is read as an upstream's
// responses instead). The same bytes are fed three ways: whole, one byte at a time, and in pieces of varying
// size with a pause after every message and its rest fed again. All three must report the same messages
// (heads, bodies, trailers, where an upgrade cut the stream) and fail alike; only the status may differ,
// since an input with two faults may be refused for either. A refusal carries a status the front answers
// and a reason, and no head passes the limits.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "front/http_parser.hpp"

namespace {

using hotswap::HttpDirection;
using hotswap::HttpParser;

// Writes down what the parser reports, the same way however the bytes were cut.
class Transcript : public HttpParser::Handler {
public:
    Transcript(HttpDirection direction, bool pause) : direction_(direction), pause_(pause) {}

    void on_head(const hotswap::MessageHead& head) override {
        size_t field_bytes = 0;
        for (const auto& f : head.fields) field_bytes += f.name.size() + f.value.size();
        hotswap::HttpLimits limits;
        if (head.method.size() + head.target.size() + head.reason.size() > limits.max_start_line ||
            head.fields.size() > limits.max_field_count || field_bytes > limits.max_field_bytes) {
            std::abort();
        }
        text += "head " + head.method + " " + head.target + " " + std::to_string(head.status) + " " + head.reason +
                " " + std::to_string(head.version.major) + "." + std::to_string(head.version.minor) +
                (head.chunked ? " chunked" : "") + (head.keep_alive ? " keep-alive" : "") +
                (head.upgrade ? " upgrade" : "") +
                (head.content_length ? " length " + std::to_string(*head.content_length) : "") + "\n";
        for (const auto& f : head.fields) text += f.name + ": " + f.value + "\n";
        content_length_ = head.content_length;
        body_.clear();
    }
    void on_body(std::string_view bytes) override { body_.append(bytes); }
    HttpParser::Flow on_message_end(const hotswap::HeaderFields& trailers) override {
        // A request's body is exactly its Content-Length (a response's may have none: HEAD, 204, 304).
        if (direction_ == HttpDirection::Request && content_length_ && body_.size() != *content_length_) std::abort();
        text += "body " + std::to_string(body_.size()) + ": " + body_ + "\nend\n";
        for (const auto& f : trailers) text += f.name + ": " + f.value + "\n";
        body_.clear();
        return pause_ ? HttpParser::Flow::Pause : HttpParser::Flow::Continue;
    }
    // A body cut short by a refusal: the bytes before the fault still came.
    void stop() { text += "stopped after " + std::to_string(body_.size()) + ": " + body_ + "\n"; }

    std::string text;

private:
    HttpDirection direction_;
    bool pause_;
    std::optional<uint64_t> content_length_;
    std::string body_;
};

enum class Cut { Whole, Bytewise, Pieces };

struct Outcome {
    std::string transcript;
    bool failed = false;
};

Outcome parse(std::string_view input, HttpDirection direction, Cut cut) {
    Transcript transcript(direction, cut == Cut::Pieces);
    HttpParser parser(direction, transcript);
    if (direction == HttpDirection::Response) {
        static constexpr const char* methods[] = {"GET", "HEAD", "CONNECT"};
        parser.expect_response_to(methods[input.size() % 3]);
    }
    std::string pending;  // fed but not read (Pieces keeps the rest of a pause, as a connection would)
    uint32_t random = uint32_t(input.size()) * 2654435761u + 1;
    size_t offset = 0;
    HttpParser::FeedResult result;
    while (offset < input.size()) {
        size_t n = input.size() - offset;
        if (cut == Cut::Bytewise) n = 1;
        if (cut == Cut::Pieces) {
            random = random * 1103515245u + 12345u;
            n = std::min<size_t>(n, 1 + (random >> 16) % 16);
        }
        pending.append(input.substr(offset, n));
        offset += n;
        result = parser.feed(pending);
        while (result.status == HttpParser::Status::Paused) {
            std::string rest(result.rest);  // a view into `pending`
            pending.swap(rest);
            result = parser.feed(pending);
        }
        if (result.status == HttpParser::Status::Upgraded) {
            transcript.text += "upgrade at " + std::to_string(offset - result.rest.size()) + "\n";
            return {transcript.text, false};
        }
        if (result.status == HttpParser::Status::Failed) break;
        pending.clear();
    }
    if (result.status != HttpParser::Status::Failed) result = parser.finish();
    if (result.status == HttpParser::Status::Failed) {
        const auto& error = parser.error();
        if (!error || error->reason.empty()) std::abort();
        int s = error->status;
        bool answerable = direction == HttpDirection::Request
                              ? s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505
                              : s == 502;
        if (!answerable) std::abort();
        transcript.stop();
    }
    return {transcript.text, result.status == HttpParser::Status::Failed};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto direction = input.starts_with("HTTP/") ? HttpDirection::Response : HttpDirection::Request;
    auto whole = parse(input, direction, Cut::Whole);
    auto bytewise = parse(input, direction, Cut::Bytewise);
    auto pieces = parse(input, direction, Cut::Pieces);
    if (whole.transcript != bytewise.transcript || whole.failed != bytewise.failed) std::abort();
    if (whole.transcript != pieces.transcript || whole.failed != pieces.failed) std::abort();
    return 0;
}
